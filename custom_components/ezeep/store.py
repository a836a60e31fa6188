"""Domain-wide state that outlives a station's reload: one typed object behind a HassKey.

* Unknown-card marks: people the server did not know, with their repair issues. Asking
  with such an ID again would print another registration sheet, so the mark lasts the
  whole run (across reloads) until the repair is confirmed or the ID is changed.
* Release limits: each station's cooldown marks and rate window. A tag scanned again
  right after a reload (new settings, a reauth) must not release a second time.
* Unknown-ID memory: each station's held-off IDs, IDs known to be registered, and the
  registration sheets of the last hour (see ``unknown_ids.py``). IDs are kept only as
  keyed hashes whose key is made anew for each run: a restart forgets them all.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
import hashlib
import secrets

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, MAX_HELD_IDS

#: Prefix of the repair issue of a person the server does not know.
UNKNOWN_USER_ISSUE_PREFIX = "unknown_user_"


def unknown_user_issue_id(subentry_id: str) -> str:
    """Return the repair issue id for a person the server does not know."""
    return UNKNOWN_USER_ISSUE_PREFIX + subentry_id


def unknown_cards_issue_id(entry_id: str) -> str:
    """Return the repair issue id of a station that printed its limit of sheets."""
    return f"unknown_cards_{entry_id}"


@dataclass(slots=True)
class ReleaseLimits:
    """A station's cooldown marks and rate window (monotonic times)."""

    #: User ID -> when their last release started or ended.
    last_activity: dict[str, float] = field(default_factory=dict)
    #: When the station's releases of the rate window started, oldest first.
    starts: deque[float] = field(default_factory=deque)
    #: (user ID, job file name) -> when that single job's release ended.
    job_activity: dict[tuple[str, str], float] = field(default_factory=dict)


@dataclass(slots=True)
class UnknownIdMemory:
    """A station's memory of IDs (keyed hashes) and registration sheets (monotonic)."""

    #: Hash -> until when the ID is not sent again; least recently used first.
    held: OrderedDict[bytes, float] = field(default_factory=OrderedDict)
    #: Hashes of IDs the server accepted in this run; least recently used first.
    known: OrderedDict[bytes, None] = field(default_factory=OrderedDict)
    #: When the registration sheets of the last hour were printed, oldest first.
    sheets: deque[float] = field(default_factory=lambda: deque(maxlen=MAX_HELD_IDS))
    #: The same per source (a panel's user, a reader, automations; see unknown_ids.py).
    source_sheets: dict[str, deque[float]] = field(default_factory=dict)
    #: The station's limit of sheets per hour (its current option).
    limit: int = 0
    #: Cancels the timer that deletes the station's "many unknown cards" issue.
    issue_timer: CALLBACK_TYPE | None = None


class EzeepStore:
    """The integration's state for the whole run, shared by every station."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Create the empty store (use :func:`async_get_store`)."""
        self._hass = hass
        #: (entry id, sub-entry id) of people the server did not know.
        self._unknown: set[tuple[str, str]] = set()
        #: Entry id -> that station's release limits.
        self._limits: dict[str, ReleaseLimits] = {}
        #: Entry id -> that station's unknown-ID memory.
        self._ids: dict[str, UnknownIdMemory] = {}
        #: The key of the ID hashes: random, and for this run only.
        self.id_key = secrets.token_bytes(32)
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._async_stop)

    # -- unknown cards ---------------------------------------------------------------

    def is_marked(self, entry_id: str, subentry_id: str) -> bool:
        """Return whether the server did not know this person (polling stopped)."""
        return (entry_id, subentry_id) in self._unknown

    @callback
    def async_mark_unknown(self, entry_id: str, subentry_id: str, name: str) -> bool:
        """Mark a person the server did not know and open the repair; False if marked."""
        if self.is_marked(entry_id, subentry_id):
            return False
        self._unknown.add((entry_id, subentry_id))
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            unknown_user_issue_id(subentry_id),
            is_fixable=True,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="unknown_user",
            translation_placeholders={"name": name},
            data={"entry_id": entry_id, "subentry_id": subentry_id},
        )
        return True

    @callback
    def async_clear_unknown(
        self, entry_id: str, subentry_id: str, user_id: str | None = None
    ) -> None:
        """Let a person be asked for again (they registered, or their ID changed).

        With ``user_id`` (they say they registered) its hold-off ends too.
        """
        self._unknown.discard((entry_id, subentry_id))
        if user_id is not None:
            self.end_hold_off(entry_id, user_id)
        ir.async_delete_issue(self._hass, DOMAIN, unknown_user_issue_id(subentry_id))

    # -- release limits --------------------------------------------------------------

    def release_limits(self, entry_id: str) -> ReleaseLimits:
        """Return a station's release limits (created on first use)."""
        return self._limits.setdefault(entry_id, ReleaseLimits())

    # -- unknown-ID memory -----------------------------------------------------------

    def id_hash(self, user_id: str) -> bytes:
        """Return the keyed hash an ID is remembered by (never the ID itself)."""
        return hashlib.blake2b(
            user_id.encode(), key=self.id_key, digest_size=16
        ).digest()

    def end_hold_off(self, entry_id: str, user_id: str) -> None:
        """Let an ID be sent at once: a person asked for it in a form or a repair."""
        if (memory := self._ids.get(entry_id)) is not None:
            memory.held.pop(self.id_hash(user_id), None)

    def unknown_ids(self, entry_id: str) -> UnknownIdMemory:
        """Return a station's unknown-ID memory (created on first use)."""
        return self._ids.setdefault(entry_id, UnknownIdMemory())

    @callback
    def _async_stop(self, _event: Event) -> None:
        """Home Assistant stops: no timer of an issue outlives it."""
        for memory in self._ids.values():
            if memory.issue_timer is not None:
                memory.issue_timer()
                memory.issue_timer = None

    # -- a removed station -----------------------------------------------------------

    @callback
    def async_forget_entry(self, entry_id: str) -> None:
        """Forget a removed station's limits, marks, memory and repair issues."""
        self._limits.pop(entry_id, None)
        if (memory := self._ids.pop(entry_id, None)) is not None:
            if memory.issue_timer is not None:
                memory.issue_timer()
            ir.async_delete_issue(self._hass, DOMAIN, unknown_cards_issue_id(entry_id))
        for marked_entry, subentry_id in list(self._unknown):
            if marked_entry == entry_id:
                self.async_clear_unknown(entry_id, subentry_id)


#: The one store of the integration.
STORE_KEY: HassKey[EzeepStore] = HassKey(f"{DOMAIN}_store")


@callback
def async_get_store(hass: HomeAssistant) -> EzeepStore:
    """Return the integration's store, created on first use."""
    if (store := hass.data.get(STORE_KEY)) is None:
        store = hass.data[STORE_KEY] = EzeepStore(hass)
    return store
