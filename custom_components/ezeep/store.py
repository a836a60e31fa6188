"""Domain-wide state that outlives a station's reload: one typed object behind a HassKey.

* Unknown-card marks: people the server did not know, with their repair issues. Asking
  with such an ID again would print another registration sheet, so the mark lasts the
  whole run (across reloads) until the repair is confirmed or the ID is changed.
* Release limits: each station's cooldown marks and rate window. A tag scanned again
  right after a reload (new settings, a reauth) must not release a second time.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN

#: Prefix of the repair issue of a person the server does not know.
UNKNOWN_USER_ISSUE_PREFIX = "unknown_user_"


def unknown_user_issue_id(subentry_id: str) -> str:
    """Return the repair issue id for a person the server does not know."""
    return UNKNOWN_USER_ISSUE_PREFIX + subentry_id


@dataclass(slots=True)
class ReleaseLimits:
    """A station's cooldown marks and rate window (monotonic times)."""

    #: User ID -> when their last release started or ended.
    last_activity: dict[str, float] = field(default_factory=dict)
    #: When the station's releases of the rate window started, oldest first.
    starts: deque[float] = field(default_factory=deque)
    #: (user ID, job file name) -> when that single job's release ended.
    job_activity: dict[tuple[str, str], float] = field(default_factory=dict)


class EzeepStore:
    """The integration's state for the whole run, shared by every station."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Create the empty store (use :func:`async_get_store`)."""
        self._hass = hass
        #: (entry id, sub-entry id) of people the server did not know.
        self._unknown: set[tuple[str, str]] = set()
        #: Entry id -> that station's release limits.
        self._limits: dict[str, ReleaseLimits] = {}

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
    def async_clear_unknown(self, entry_id: str, subentry_id: str) -> None:
        """Let a person be asked for again (they registered, or their ID changed)."""
        self._unknown.discard((entry_id, subentry_id))
        ir.async_delete_issue(self._hass, DOMAIN, unknown_user_issue_id(subentry_id))

    # -- release limits --------------------------------------------------------------

    def release_limits(self, entry_id: str) -> ReleaseLimits:
        """Return a station's release limits (created on first use)."""
        return self._limits.setdefault(entry_id, ReleaseLimits())

    # -- a removed station -----------------------------------------------------------

    @callback
    def async_forget_entry(self, entry_id: str) -> None:
        """Forget a removed station's limits, marks and repair issues."""
        self._limits.pop(entry_id, None)
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
