"""Who may release now: one person at a time, a cooldown, a station-wide rate window.

The cooldown marks and the rate window live in the integration's store
(:class:`~..store.ReleaseLimits`): they outlive a reload of the station. A release of
all of a person's jobs has a cooldown per person; a release of chosen jobs
(``ezeep.print_job``) has one per job: a job printed a moment ago is refused, another
job of the same person is not. Every release that started a job sets both marks: the
person's and one per job it started, so mixing the two never prints a job twice within
the cooldown. A release that started nothing gives its place in the rate window back and
leaves no mark (a stale job name or a server error does not lock anybody out).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from contextlib import suppress
from dataclasses import dataclass
import time

from ..const import RATE_WINDOW
from ..errors import ReleaseBusyError, ReleaseCooldownError, ReleaseRateLimitedError
from ..store import ReleaseLimits


@dataclass(slots=True)
class _Claim:
    """An admitted release: its place in the rate window, the person's mark before it."""

    slot: float
    previous_mark: float | None


class ReleaseAdmission:
    """Admits or refuses a station's releases."""

    def __init__(self, limits: ReleaseLimits, cooldown: float, rate_limit: int) -> None:
        """Admit under ``limits`` (kept across reloads) with the station's settings."""
        self.cooldown = cooldown
        self.rate_limit = rate_limit
        self._limits = limits
        self._active: dict[str, _Claim] = {}

    def is_active(self, user_id: str) -> bool:
        """Return whether a release of this person is admitted and not yet done."""
        return user_id in self._active

    def admit(self, user_id: str, jobs: Collection[str] | None = None) -> None:
        """Claim the person, or refuse (no await in here: nobody slips in between).

        ``jobs`` (file names) admits a release of those jobs alone: the cooldown is
        then that of each job, not the person's, and it starts when the release ends.

        Raises:
            ReleaseBusyError: this person's jobs are being released already.
            ReleaseCooldownError: within the cooldown of their last release (of one
                of ``jobs``).
            ReleaseRateLimitedError: the station started its limit of releases.

        """
        now = time.monotonic()
        last_activity, starts = self._limits.last_activity, self._limits.starts
        job_activity = self._limits.job_activity
        # Forget cooldowns that ran out, so scanning many cards does not grow memory.
        for stale in [u for u, t in last_activity.items() if now - t >= self.cooldown]:
            if stale not in self._active:
                del last_activity[stale]
        for done in [k for k, t in job_activity.items() if now - t >= self.cooldown]:
            del job_activity[done]
        if user_id in self._active:
            raise ReleaseBusyError
        marks = (
            [last_activity.get(user_id)]
            if jobs is None
            else [job_activity.get((user_id, job)) for job in jobs]
        )
        last = max((mark for mark in marks if mark is not None), default=None)
        if last is not None and now - last < self.cooldown:
            raise ReleaseCooldownError(int(self.cooldown - (now - last)) + 1)
        window = RATE_WINDOW.total_seconds()
        while starts and now - starts[0] >= window:
            starts.popleft()
        if len(starts) >= self.rate_limit:
            raise ReleaseRateLimitedError(self.rate_limit)
        starts.append(now)
        self._active[user_id] = _Claim(now, last_activity.get(user_id))
        if jobs is None:
            last_activity[user_id] = now

    def done(self, user_id: str, started: Iterable[str] | None = None) -> None:
        """The person's release ended: free them; their cooldown starts now.

        ``started``: the file names of the jobs the release started (None: not told,
        taken as having started). Each started job gets its own mark beside the
        person's. A release that started nothing gives its place in the rate window
        back and leaves the person's mark as it was before it.
        """
        claim = self._active.pop(user_id, None)
        jobs = None if started is None else list(started)
        limits = self._limits
        if jobs == []:
            if claim is not None:
                _give_back(limits, user_id, claim)
            return
        now = time.monotonic()
        limits.last_activity[user_id] = now
        for job in jobs or ():
            limits.job_activity[user_id, job] = now


def _give_back(limits: ReleaseLimits, user_id: str, claim: _Claim) -> None:
    """Undo an admission that started nothing: its rate-window place, its mark."""
    with suppress(ValueError):  # unless the window already slid past it
        limits.starts.remove(claim.slot)
    if claim.previous_mark is None:
        limits.last_activity.pop(user_id, None)
    else:
        limits.last_activity[user_id] = claim.previous_mark
