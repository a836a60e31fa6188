"""Who is who at a station: its configured people, and the printer it releases to.

One small object per loaded station (``entry.runtime_data.people``) answers "which
person has this ID" for everything: the job coordinator, the unknown-ID guard, the
logbook, the services, the release panel, diagnostics and repairs. It is built from the
entry's user sub-entries at set-up and taken in again when people are added or removed
(a changed person reloads the station, and a reload builds a new one). Lookups by ID
and by sub-entry are dictionary lookups, not a walk over every sub-entry.

Nothing here is logged or shown: a :class:`Person`'s ``user_id`` stays on the server.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentryDataWithId

from .const import CONF_PRINTER_ID, CONF_USER_ID, SUBENTRY_TYPE_USER


@dataclass(frozen=True, slots=True)
class Person:
    """A configured person: their sub-entry, their ID and the name shown for them."""

    subentry_id: str
    user_id: str
    #: The sub-entry's title (what the logbook, the panel and repairs show).
    name: str


def default_printer(data: Mapping[str, Any]) -> str | None:
    """Return the station's printer from its entry data (None: the server's choice)."""
    return str(data.get(CONF_PRINTER_ID) or "").strip() or None


def _copies(entry: ConfigEntry) -> dict[str, ConfigSubentryDataWithId]:
    # Copies: Home Assistant changes a sub-entry object in place when it is updated.
    return {
        sub.subentry_id: sub.as_dict()
        for sub in entry.get_subentries_of_type(SUBENTRY_TYPE_USER)
    }


class People:
    """The people of one station, by sub-entry and by user ID; its default printer."""

    def __init__(self, entry: ConfigEntry) -> None:
        """Take in the entry's people and its printer."""
        #: The station's printer (a change of it reloads the station).
        self.printer = default_printer(entry.data)
        self._copies: dict[str, ConfigSubentryDataWithId] = {}
        self._by_subentry: dict[str, Person] = {}
        self._by_user_id: dict[str, Person] = {}
        self._take_in(_copies(entry))

    def _take_in(self, copies: dict[str, ConfigSubentryDataWithId]) -> None:
        self._copies = copies
        self._by_subentry = {
            sid: Person(sid, str(copy["data"][CONF_USER_ID]), copy["title"])
            for sid, copy in copies.items()
        }
        self._by_user_id = {p.user_id: p for p in self._by_subentry.values()}

    def take_in(self, entry: ConfigEntry) -> tuple[set[str], set[str]] | None:
        """Take in added and removed people; return their sub-entry ids.

        None, and nothing taken in, when a person who stays was changed (their ID or
        name): the station must reload.
        """
        current = _copies(entry)
        kept = current.keys() & self._copies.keys()
        if any(current[sid] != self._copies[sid] for sid in kept):
            return None
        added, removed = current.keys() - kept, self._copies.keys() - kept
        self._take_in(current)
        return added, removed

    def __iter__(self) -> Iterator[Person]:
        """The people in the order of their sub-entries."""
        return iter(self._by_subentry.values())

    def __len__(self) -> int:
        """How many people the station has."""
        return len(self._by_subentry)

    def get(self, subentry_id: str) -> Person | None:
        """Return the person of a sub-entry."""
        return self._by_subentry.get(subentry_id)

    def of(self, user_id: str) -> Person | None:
        """Return the configured person with this ID (None: a card nobody is set up with)."""
        return self._by_user_id.get(user_id)

    def printer_for(self, printer_id: str | None) -> str | None:
        """Return the printer to ask for: the one given, else the station's."""
        return (printer_id or "").strip() or self.printer
