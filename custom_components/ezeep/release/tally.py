"""Counts what a station printed, job by job, for the print statistics sensors.

The runner tells the tally how each job ended (:meth:`PrintTally.job_ended`); the tally
tells its listeners the pages and jobs to add. It keeps no totals and no user IDs: the
statistics sensors hold the totals (and restore them after a restart).

What counts: the pages the server reported printed (the last ``n/m`` progress token of
the job's PrintJob stream) times the copies asked for, also for a job that failed or was
canceled midway; a job counts as printed only when the server reported it completed.
A job whose progress came in percent counts as a job, with no pages (the server did not
say how many). A job whose stream was cut off by an unload is not counted (its end is
unknown).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..const import RESULT_COMPLETED
from ..tpfm import ProgressUnit


@dataclass(frozen=True, slots=True)
class Printed:
    """What one ended job adds to the statistics."""

    pages: int
    jobs: int


#: Told what one job added (of the listener's person, or of anyone for the station's).
type PrintedListener = Callable[[Printed], None]


def printed(
    result: str, done: int | None, unit: ProgressUnit | None, copies: int
) -> Printed:
    """What a job that ended with ``result`` after ``done`` (in ``unit``) adds."""
    pages = done * copies if unit is ProgressUnit.PAGES and done and done > 0 else 0
    return Printed(pages=pages, jobs=1 if result == RESULT_COMPLETED else 0)


class PrintTally:
    """Tells the statistics sensors of one station what each ended job printed.

    Listeners are kept per person, so an ended job tells its person's counters and the
    station's, not every counter of the station (2,000 at 1,000 people).
    """

    def __init__(self) -> None:
        """Create a tally with no listener."""
        self._listeners: dict[str | None, list[PrintedListener]] = {}

    def add_listener(
        self, listener: PrintedListener, user_id: str | None = None
    ) -> Callable[[], None]:
        """Tell ``listener`` what each job of ``user_id`` (None: of anyone) printed.

        Returns the remover.
        """
        listeners = self._listeners.setdefault(user_id, [])
        listeners.append(listener)

        def remove() -> None:
            listeners.remove(listener)
            if not listeners and self._listeners.get(user_id) is listeners:
                del self._listeners[user_id]

        return remove

    def job_ended(
        self,
        user_id: str,
        result: str,
        done: int | None,
        unit: ProgressUnit | None,
        copies: int,
    ) -> None:
        """A job of a release ended (completed, failed or canceled)."""
        added = printed(result, done, unit, copies)
        if added.pages or added.jobs:
            for key in (user_id, None):
                for listener in list(self._listeners.get(key, ())):
                    listener(added)
