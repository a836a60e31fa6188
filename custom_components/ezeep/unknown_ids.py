"""Paper safety: an ID the server does not know is not sent again for a while.

Each time the server answers that it does not know an ID (X-FMP-Return 3) the printer
prints a registration code sheet. :class:`UnknownIdGuard` is the station client's
:class:`~.tpfm.UserIdGuard`: the client asks it before *every* request that carries a
user ID (releases, polling, services, a panel's sign-in, DeleteJob, ...) and tells it
what the server answered, so no path can print a sheet without it knowing.

* Per ID: after an "unknown" answer the ID is held off for the station's hold-off
  (default 5 minutes); a request within it raises :class:`UnknownUserHeldOffError`.
* Per ID, one request at a time: while an ID not known to be registered is being asked
  about, another request with it waits for that answer and follows it.
* Per station: after the station's limit of sheets in the last hour (default 10), IDs
  not known to be registered (configured people the server knows, IDs the server
  accepted in this run or, by fingerprint, in an earlier one: registered_ids.py) raise
  :class:`UnknownCardsLimitError` until the hour has passed, and one repair issue says
  so (without any ID).
* Per source, below that: each Home Assistant user typing at a panel, each reader, and
  everything else (automations, services, polling) may cause a third of the station's
  sheets (at least one), so one abuser cannot use up the station's hour. The source is
  :data:`SHEET_SOURCE`, set by the panel for its sign-ins.

IDs are kept only as keyed BLAKE2b hashes (the key is random, made once per run) in the
domain store, so they outlive a reload but not a restart; both sets are bounded LRUs.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
import math
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later

from .const import (
    CONF_SHEETS_PER_HOUR,
    CONF_UNKNOWN_HOLD_OFF,
    DEFAULT_SHEETS_PER_HOUR,
    DEFAULT_UNKNOWN_HOLD_OFF,
    DOMAIN,
    LOGGER,
    MAX_HELD_IDS,
    MAX_KNOWN_IDS,
    SHEET_WINDOW,
    SOURCE_SHEET_SHARE,
)
from .errors import UnknownCardsLimitError, UnknownUserHeldOffError
from .registered_ids import RegisteredIds
from .store import UnknownIdMemory, async_get_store, unknown_cards_issue_id
from .tpfm import TpfmCommandError, TpfmUserNotAllowedError, UserIdGuard

_WINDOW = SHEET_WINDOW.total_seconds()

#: The source of the requests of the current task, for the per-source sheet limit:
#: ``user:<Home Assistant user id>`` (typed at a panel), ``reader:<device id>``, or
#: ``automation`` (everything else). Set by the panel around a sign-in.
SHEET_SOURCE: ContextVar[str] = ContextVar("ezeep_sheet_source", default="automation")


def _minutes(seconds: float) -> int:
    """Whole minutes, rounded up, of a wait."""
    return max(1, math.ceil(seconds / 60))


def _recent_sheets(memory: UnknownIdMemory, now: float) -> int:
    """Drop the station's sheets older than the window; return how many are left."""
    return _recent(memory.sheets, now)


def _recent(sheets: deque[float], now: float) -> int:
    """Drop the sheets older than the window; return how many are left."""
    while sheets and now - sheets[0] >= _WINDOW:
        sheets.popleft()
    return len(sheets)


def source_limit(station_limit: int) -> int:
    """The sheets one source may cause per hour: a third of the station's, at least 1."""
    return max(1, station_limit // SOURCE_SHEET_SHARE)


class UnknownIdGuard:
    """Keeps a station's client from asking with IDs the server does not know."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        *,
        station: str,
        hold_off_minutes: int,
        sheets_per_hour: int,
        is_configured: Callable[[str], bool],
        registered: RegisteredIds,
    ) -> None:
        """Guard station ``entry_id`` (named ``station`` in the repair issue).

        ``is_configured`` tells whether an ID is a configured person the server knows:
        such an ID is sent also while the station's sheet limit is reached.
        """
        store = async_get_store(hass)
        self._hass = hass
        self._entry_id = entry_id
        self._station = station
        self._hash = store.id_hash
        self._memory = store.unknown_ids(entry_id)
        self._memory.limit = sheets_per_hour
        self.hold_off = hold_off_minutes * 60
        self._is_configured = is_configured
        self._registered = registered
        #: Hash -> (answered, the task whose request is out) of IDs being asked now.
        self._asking: dict[bytes, tuple[asyncio.Future[None], asyncio.Task[Any] | None]]
        self._asking = {}

    def before(self, user_id: str) -> None:
        """Refuse an ID that is held off, or unknown while the sheet limit is reached.

        Raises:
            UnknownUserHeldOffError: the server did not know the ID a moment ago.
            UnknownCardsLimitError: the station, or the source of this request
                (:data:`SHEET_SOURCE`), printed its limit of sheets this hour.

        """
        now = time.monotonic()
        memory, digest = self._memory, self._hash(user_id)
        until = memory.held.get(digest)
        if until is not None:
            if now < until:
                memory.held.move_to_end(digest)
                raise UnknownUserHeldOffError(_minutes(until - now))
            del memory.held[digest]
        if digest in memory.known:
            memory.known.move_to_end(digest)
            return
        station_full = _recent_sheets(memory, now) >= memory.limit
        source = memory.source_sheets.get(SHEET_SOURCE.get()) or deque()
        source_full = _recent(source, now) >= source_limit(memory.limit)
        if not (station_full or source_full) or self._is_registered_elsewise(user_id):
            return
        if station_full:
            self._async_open_issue(now)
            raise UnknownCardsLimitError(_minutes(memory.sheets[0] + _WINDOW - now))
        raise UnknownCardsLimitError(_minutes(source[0] + _WINDOW - now))

    def _is_registered_elsewise(self, user_id: str) -> bool:
        """A configured person the server knows, or an ID accepted in an earlier run."""
        return self._is_configured(user_id) or self._registered.has(
            self._entry_id, user_id
        )

    async def turn(self, user_id: str) -> None:
        """Let one request at a time go out for an ID not known to be registered.

        A second request whose ID's first answer is pending waits for that answer and
        follows it: refused when the server did not know the ID (held off), sent when
        it did; when the first one got no answer, the next takes its place. So cards
        asked about at the same instant print at most one sheet.
        """
        digest = self._hash(user_id)
        task = asyncio.current_task()
        while (asking := self._asking.get(digest)) is not None:
            answered, owner = asking
            if owner is task:
                return  # this task has the turn already
            await asyncio.shield(answered)
            self.before(user_id)
        if digest not in self._memory.known:
            self._asking[digest] = (asyncio.get_running_loop().create_future(), task)

    def done(self, user_id: str) -> None:
        """The request that had the turn for this ID ended: wake the ones waiting."""
        digest = self._hash(user_id)
        asking = self._asking.get(digest)
        if asking is not None and asking[1] is asyncio.current_task():
            del self._asking[digest]
            asking[0].set_result(None)

    def is_registered(self, user_id: str) -> bool:
        """Return whether the server accepted this ID in this run (it is registered)."""
        return self._hash(user_id) in self._memory.known

    def may_retry(self, user_id: str) -> bool:
        """Return whether a request sent as this ID may be resent after a fault.

        Only an ID the server accepted: a resent request of an ID it may not know
        could print a second registration sheet.
        """
        return self.is_registered(user_id)

    def answered(self, user_id: str, error: TpfmCommandError | None) -> None:
        """Remember an accepted ID, or hold off one the server did not know.

        X-FMP-Return 3 for an ID the server accepted in this run means "not allowed to
        run this command", not "unknown": the ID is not held off and no sheet counts.
        """
        memory, digest = self._memory, self._hash(user_id)
        if isinstance(error, TpfmUserNotAllowedError) and digest in memory.known:
            memory.known.move_to_end(digest)
            return
        if error is None:
            memory.held.pop(digest, None)
            if digest not in memory.known and not self._is_configured(user_id):
                self._registered.async_add(self._entry_id, user_id)
            memory.known[digest] = None
            memory.known.move_to_end(digest)
            while len(memory.known) > MAX_KNOWN_IDS:
                memory.known.popitem(last=False)
        elif isinstance(error, TpfmUserNotAllowedError):
            now = time.monotonic()
            memory.known.pop(digest, None)
            memory.held[digest] = now + self.hold_off
            memory.held.move_to_end(digest)
            while len(memory.held) > MAX_HELD_IDS:
                memory.held.popitem(last=False)
            memory.sheets.append(now)
            memory.source_sheets.setdefault(
                SHEET_SOURCE.get(), deque(maxlen=MAX_HELD_IDS)
            ).append(now)
            LOGGER.info(
                "The ezeep server did not know a user ID (a registration code was "
                "printed); it is not sent again for %d min",
                self.hold_off // 60,
            )

    @callback
    def _async_open_issue(self, now: float) -> None:
        """Open the station's "many unknown cards" issue, once, until the hour passed."""
        memory = self._memory
        if memory.issue_timer is not None:
            return
        LOGGER.warning(
            "%d registration codes were printed at %s in the last hour; unknown cards "
            "are refused without asking the server until the hour has passed",
            len(memory.sheets),
            self._station,
        )
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            unknown_cards_issue_id(self._entry_id),
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="unknown_cards",
            translation_placeholders={
                "station": self._station,
                "limit": str(memory.limit),
            },
        )
        _async_schedule_close(self._hass, self._entry_id, memory, now)


@callback
def _async_schedule_close(
    hass: HomeAssistant, entry_id: str, memory: UnknownIdMemory, now: float
) -> None:
    """Check again when the oldest sheet of the window leaves it."""
    delay = memory.sheets[0] + _WINDOW - now if memory.sheets else 0

    @callback
    def close(_now: datetime) -> None:
        current = time.monotonic()
        if _recent_sheets(memory, current) >= memory.limit:
            _async_schedule_close(hass, entry_id, memory, current)
            return
        memory.issue_timer = None
        ir.async_delete_issue(hass, DOMAIN, unknown_cards_issue_id(entry_id))

    memory.issue_timer = async_call_later(hass, max(delay, 1), close)


def guard_for_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    is_configured: Callable[[str], bool],
    registered: RegisteredIds,
) -> UnknownIdGuard:
    """Return the guard of a station, with the limits from its options."""
    return UnknownIdGuard(
        hass,
        entry.entry_id,
        station=entry.title,
        hold_off_minutes=entry.options.get(
            CONF_UNKNOWN_HOLD_OFF, DEFAULT_UNKNOWN_HOLD_OFF
        ),
        sheets_per_hour=entry.options.get(
            CONF_SHEETS_PER_HOUR, DEFAULT_SHEETS_PER_HOUR
        ),
        is_configured=is_configured,
        registered=registered,
    )


def is_registered_id(guard: UserIdGuard | None, user_id: str) -> bool:
    """Return whether a station's guard knows ``user_id`` as registered.

    An X-FMP-Return 3 for such an ID, on a command other than a job-list read, is a
    refused command, not an unknown person: it does not mark a configured person.
    """
    return guard is not None and guard.may_retry(user_id)
