"""What a loaded station owns: the runtime data and the typed config entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentryDataWithId

from .coordinator.jobs import EzeepCoordinator
from .coordinator.printer import PrinterCoordinator
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
    #: The people's sub-entries (copies) by id as last taken in: a changed one reloads
    #: the station, an added or removed one does not. (Not "users": that name means
    #: ``{sub-entry id: user ID}`` everywhere, as ``EzeepCoordinator.users()`` returns.)
    people: dict[str, ConfigSubentryDataWithId]
    #: The printer's readiness (None: no readiness source is set in the options).
    printer: PrinterCoordinator | None = None
