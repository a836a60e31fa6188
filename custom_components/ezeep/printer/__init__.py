"""Printer readiness: HP LEDM and IPP status clients and their common model.

No Home Assistant imports in this package (``status_from_entity_state`` takes a state
string); the integration's ``coordinator/printer.py`` builds on it.
"""

from .errors import (
    PrinterConnectionError,
    PrinterError,
    PrinterNotSupportedError,
    PrinterParseError,
    PrinterTimeoutError,
)
from .ipp import IppClient
from .ledm import LedmClient
from .readiness import (
    DEFAULT_TIMEOUT,
    SUPPLY_COLORS,
    PrinterInfo,
    PrinterState,
    PrinterStatus,
    Supply,
    status_from_entity_state,
    unreachable,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "SUPPLY_COLORS",
    "IppClient",
    "LedmClient",
    "PrinterConnectionError",
    "PrinterError",
    "PrinterInfo",
    "PrinterNotSupportedError",
    "PrinterParseError",
    "PrinterState",
    "PrinterStatus",
    "PrinterTimeoutError",
    "Supply",
    "status_from_entity_state",
    "unreachable",
]
