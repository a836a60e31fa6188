"""What each person's entities show about releasing, and who is told of changes.

One listener mechanism serves the entities and the release panel: a listener is called
with ``None`` when the person's release state changed (deferred and coalesced: entities
write their state), and with a :class:`ReleaseEvent` when a job started, printed a page,
completed, failed, was canceled or deleted (at once: event entities fire it, the panel
shows it). Every release of a person passes here, whoever started it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from ..const import RESULT_DELETED, RESULT_QUEUED
from ..tpfm import ProgressEvent, ProgressUnit


@dataclass(slots=True)
class ReleaseState:
    """What a person's entities show about releasing."""

    running: bool = False
    job_name: str | None = None
    done: int | None = None
    total: int | None = None
    unit: ProgressUnit | None = None
    last_result: str | None = None
    last_job_name: str | None = None
    last_error: str | None = None
    last_finished: datetime | None = None

    @property
    def percent(self) -> int | None:
        """Progress of the running job in percent, when it can be told."""
        if not self.running or self.done is None:
            return None
        if self.unit is ProgressUnit.PERCENT:
            return max(0, min(100, self.done))
        if self.total:
            return max(0, min(100, self.done * 100 // self.total))
        return None

    def begin(self) -> None:
        """A release of this person was admitted."""
        self.running, self.job_name, self.done, self.total = True, None, None, None

    def start_job(self, name: str, unit: ProgressUnit | None = None) -> None:
        """A job is sent (no unit yet) or its stream started (the stream's unit)."""
        self.job_name, self.done, self.total, self.unit = name, 0, None, unit

    def progress(self, event: ProgressEvent) -> None:
        """The running job's stream told its progress."""
        self.done, self.total, self.unit = event.done, event.total, event.unit

    def end(self, last: JobOutcome | None) -> None:
        """The release ended; ``last`` is the last job tried (None: none was)."""
        self.running, self.done, self.total, self.unit, self.job_name = (
            False,
            None,
            None,
            None,
            None,
        )
        if last is not None:
            self.last_result = last.result
            self.last_job_name = last.name
            self.last_finished = dt_util.utcnow()

    def deleted(self, name: str) -> None:
        """A job of this person was deleted (``ezeep.delete_job``)."""
        self.last_result, self.last_job_name, self.last_error = (
            RESULT_DELETED,
            name,
            None,
        )
        self.last_finished = dt_util.utcnow()


@dataclass(slots=True)
class JobOutcome:
    """One job of a release, as the service response reports it."""

    job: str
    name: str
    proc_id: int | None = None
    result: str = RESULT_QUEUED

    def as_dict(self) -> dict[str, Any]:
        """Return the service-response form."""
        return {
            "job": self.job,
            "name": self.name,
            "proc_id": self.proc_id,
            "result": self.result,
        }


@dataclass(frozen=True, slots=True)
class ReleaseEvent:
    """A job of a person started, printed a page, completed, failed or was canceled."""

    #: ``started``, ``printing`` (a page), ``completed``, ``failed``, ``canceled`` or
    #: ``deleted``; ``failed`` with no ``job`` in ``data``: the release was refused or its
    #: list could not be read.
    event_type: str
    #: The data of the bus event that went with it.
    data: Mapping[str, Any]


#: Told ``None`` when a person's release state changed, or the event of one of their jobs.
type ReleaseListener = Callable[[ReleaseEvent | None], None]


class ReleaseStates:
    """The release state of each person of a station, and its listeners."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Create the states of a station."""
        self._hass = hass
        self._states: dict[str, ReleaseState] = {}
        self._listeners: dict[str, list[ReleaseListener]] = {}
        self._dirty: set[str] = set()
        self._flush: asyncio.Handle | None = None

    def state(self, user_id: str) -> ReleaseState:
        """Return the release state of a person."""
        return self._states.setdefault(user_id, ReleaseState())

    @callback
    def async_add_listener(
        self, user_id: str, listener: ReleaseListener
    ) -> CALLBACK_TYPE:
        """Tell ``listener`` of this person's state changes and job events.

        Removing a person's last listener (a panel's sign-out) forgets them: no empty
        list and no state is kept per ID nobody watches.
        """
        self.async_listen(user_id, listener)
        return partial(self.async_unlisten, user_id, listener)

    @callback
    def async_listen(self, user_id: str, listener: ReleaseListener) -> None:
        """Like :meth:`async_add_listener`, without a remover: call async_unlisten.

        For entities (they stop in ``async_will_remove_from_hass``): at 1,000 people a
        remover each was 8,000 objects of about 0.3 KB kept for one call.
        """
        self._listeners.setdefault(user_id, []).append(listener)

    @callback
    def async_unlisten(self, user_id: str, listener: ReleaseListener) -> None:
        """Stop telling ``listener`` (added for this person) of changes."""
        of_user = self._listeners.get(user_id)
        if of_user is None or listener not in of_user:
            return
        of_user.remove(listener)
        if not of_user:
            del self._listeners[user_id]
            self.async_forget_unwatched(user_id)

    @callback
    def async_changed(self, user_id: str) -> None:
        """Have this person's listeners told of the change, once, on the next loop turn.

        Deferred and coalesced: a request that changed the state (the claim before
        GetJobList, the start of a PrintJob) goes out before the entities are written,
        and a burst of progress lines read in one turn costs one write per entity.
        """
        self._dirty.add(user_id)
        if self._flush is None:
            self._flush = self._hass.loop.call_soon(self._tell_changed)

    @callback
    def _tell_changed(self) -> None:
        self._flush = None
        dirty, self._dirty = self._dirty, set()
        for user_id in dirty:
            for listener in list(self._listeners.get(user_id, ())):
                listener(None)

    @callback
    def async_event(self, user_id: str, event: ReleaseEvent) -> None:
        """Tell this person's listeners of a job event, at once."""
        for listener in list(self._listeners.get(user_id, ())):
            listener(event)

    @callback
    def async_forget_unwatched(self, user_id: str) -> None:
        """Keep no state of a person no entity shows (an unconfigured card)."""
        if not self._listeners.get(user_id):
            self._states.pop(user_id, None)
