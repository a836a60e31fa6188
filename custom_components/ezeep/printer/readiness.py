"""The common model of a printer's readiness, whatever the source (LEDM, IPP, an entity).

No Home Assistant imports: the integration maps this model onto entities and the release
guard, the sources (``ledm.py``, ``ipp.py``) produce it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

#: Seconds to wait for a printer (LEDM or IPP): sleeping printers take more than 10 s
#: to answer the first request.
DEFAULT_TIMEOUT: Final = 30.0


class PrinterState(StrEnum):
    """What a printer is doing, as far as releasing jobs to it is concerned."""

    READY = "ready"
    BUSY = "busy"
    SLEEPING = "sleeping"
    WARMING_UP = "warming_up"
    BLOCKED = "blocked"
    UNKNOWN = "unknown"
    UNREACHABLE = "unreachable"


#: States in which a release goes ahead (a sleeping printer wakes for the job).
RELEASABLE_STATES = frozenset(
    {PrinterState.READY, PrinterState.BUSY, PrinterState.SLEEPING}
)
#: The worse state wins when a printer reports several at once.
_SEVERITY: dict[PrinterState, int] = {
    PrinterState.READY: 0,
    PrinterState.SLEEPING: 1,
    PrinterState.BUSY: 2,
    PrinterState.WARMING_UP: 3,
    PrinterState.UNKNOWN: 4,
    PrinterState.BLOCKED: 5,
    PrinterState.UNREACHABLE: 6,
}


def worst(states: Iterable[PrinterState]) -> PrinterState | None:
    """Return the state that matters most of several (None for none)."""
    return max(states, key=_SEVERITY.__getitem__, default=None)


#: Texts from the printer end up in states, attributes and messages: keep them short.
MAX_TEXT: Final = 80


def clean_text(text: str) -> str:
    """Return a printer's text stripped, without control characters, at most MAX_TEXT long."""
    return "".join(ch for ch in text.strip() if ch.isprintable())[:MAX_TEXT]


#: Supply label codes and the colour names the entities use.
SUPPLY_COLORS: dict[str, str] = {
    "K": "black",
    "C": "cyan",
    "M": "magenta",
    "Y": "yellow",
    "CMY": "tricolor",
}


@dataclass(frozen=True, slots=True)
class Supply:
    """A consumable: toner, ink, a print head with ink."""

    #: Label code (K, C, M, Y, CMY) or, where the printer names no code, its name.
    label: str
    type: str | None = None
    percent: int | None = None
    low_threshold: int | None = None
    state: str | None = None

    @property
    def color(self) -> str | None:
        """The colour name of a known label code (black, cyan, ...), else None."""
        return SUPPLY_COLORS.get(self.label.upper())

    @property
    def is_low(self) -> bool:
        """Whether the level is at or below the printer's low threshold."""
        return (
            self.percent is not None
            and self.low_threshold is not None
            and self.percent <= self.low_threshold
        )


@dataclass(frozen=True, slots=True)
class PrinterInfo:
    """Who the printer is (for the device registry)."""

    make: str | None = None
    model: str | None = None
    serial: str | None = None


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """A printer's readiness at one moment."""

    state: PrinterState
    #: Why the printer cannot print (blocked, unknown) or could not be read (unreachable).
    reasons: tuple[str, ...] = ()
    #: Things to know that do not stop a release (low ink, an empty photo tray).
    warnings: tuple[str, ...] = ()
    supplies: tuple[Supply, ...] = ()
    info: PrinterInfo | None = None
    #: The printer's own words for its state (status categories, IPP reasons), as sent.
    raw: tuple[str, ...] = field(default=())

    @property
    def releasable(self) -> bool:
        """Whether jobs may be released to the printer now."""
        return self.state in RELEASABLE_STATES

    @property
    def has_problem(self) -> bool:
        """Whether someone has to do something at the printer (or about it)."""
        return self.state in (
            PrinterState.BLOCKED,
            PrinterState.UNKNOWN,
            PrinterState.UNREACHABLE,
        )


def unreachable(reason: str) -> PrinterStatus:
    """Return the status of a printer that could not be read."""
    return PrinterStatus(PrinterState.UNREACHABLE, reasons=(reason,))


def status_from_entity_state(
    entity_id: str, state: str | None, not_ready_states: Iterable[str]
) -> PrinterStatus:
    """Readiness from another integration's entity (Brother, IPP, HP ...).

    ``state`` None, ``unavailable`` or ``unknown`` mean the printer could not be read;
    a state in ``not_ready_states`` (compared without case) blocks; anything else is ready.
    """
    if state is None:
        return unreachable(f"{entity_id} does not exist")
    if state in ("unavailable", "unknown"):
        return unreachable(f"{entity_id} is {state}")
    blocked = {s.strip().casefold() for s in not_ready_states if s.strip()}
    if state.strip().casefold() in blocked:
        return PrinterStatus(PrinterState.BLOCKED, reasons=(state,), raw=(state,))
    return PrinterStatus(PrinterState.READY, raw=(state,))
