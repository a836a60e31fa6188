"""What a loaded station owns: the runtime data and the typed config entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry

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
    #: The entry's data, options and people when it was set up: a change reloads it.
    settings: tuple[dict[str, Any], dict[str, Any]]
    #: Sub-entry id -> that person's data; adding or removing people needs no reload.
    users: dict[str, dict[str, Any]]
    #: The printer's readiness (None: no readiness source is set in the options).
    printer: PrinterCoordinator | None = None
