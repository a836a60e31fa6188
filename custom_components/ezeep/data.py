"""What a loaded station owns: the runtime data and the typed config entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState

from .coordinator.jobs import EzeepCoordinator
from .coordinator.printer import PrinterCoordinator
from .people import People
from .release import ReleaseManager
from .tpfm import TpfmClient

type EzeepConfigEntry = ConfigEntry[EzeepData]


@dataclass
class EzeepData:
    """Everything a station's config entry owns while it is loaded."""

    client: TpfmClient
    coordinator: EzeepCoordinator
    releases: ReleaseManager
    #: The entry's data and options when it was set up: a change reloads it.
    settings: tuple[dict[str, Any], dict[str, Any]]
    #: Who is who (people.py): the people as last taken in (a changed one reloads the
    #: station, an added or removed one does not) and the station's printer.
    people: People
    #: The printer's readiness (None: no readiness source is set in the options).
    printer: PrinterCoordinator | None = None


def people_of(entry: EzeepConfigEntry) -> People:
    """Return a station's people: the loaded station's, else read from the entry."""
    if entry.state is ConfigEntryState.LOADED:
        return entry.runtime_data.people
    return People(entry)
