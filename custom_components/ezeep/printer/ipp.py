"""IPP (``ipp://`` / ``ipps://``): printer-state, printer-state-reasons and marker levels.

Uses pyipp (the ``aioipp`` distribution), the library of Home Assistant's own IPP
integration. No Home Assistant imports.
"""

from __future__ import annotations

from collections.abc import Iterable
import math
from typing import Any, Final

import aiohttp
from pyipp import (
    IPP,
    IPPConnectionError,
    IPPConnectionUpgradeRequired,
    IPPError,
    IPPResponseError,
    Marker,
    Printer,
)
from yarl import URL

from .errors import PrinterConnectionError, PrinterNotSupportedError, PrinterParseError
from .readiness import (
    DEFAULT_TIMEOUT,
    PrinterInfo,
    PrinterState,
    PrinterStatus,
    Supply,
    clean_text,
)

#: marker-colors values (sRGB hex) and the label codes they stand for.
_COLOR_LABELS: Final = {
    "#000000": "K",
    "#00ffff": "C",
    "#ff00ff": "M",
    "#ffff00": "Y",
    "#00ffff#ff00ff#ffff00": "CMY",
}


def _clean(text: object) -> str:
    return clean_text(str(text))


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value if v is not None]
    return [_clean(value)]


def classify_reason(reason: str) -> str:
    """Return ``error``, ``warning``, ``report`` or ``none`` for a printer-state-reason.

    A keyword without a suffix counts as an error (RFC 8011, printer-state-reasons).
    """
    if reason in ("", "none"):
        return "none"
    for suffix in ("error", "warning", "report"):
        if reason.endswith(f"-{suffix}"):
            return suffix
    return "error"


def _supply(marker: Marker) -> Supply:
    colors = (marker.color or "").casefold()
    label = (
        _COLOR_LABELS.get(colors) or _clean(marker.name) or f"marker {marker.marker_id}"
    )
    level = marker.level if 0 <= marker.level <= 100 else None
    low = marker.low_level if 0 <= marker.low_level <= 100 else None
    state = None
    if level is not None and low is not None:
        state = "low" if level <= low else "ok"
    return Supply(
        label=label,
        type=_clean(marker.marker_type) or None,
        percent=level,
        low_threshold=low,
        state=state,
    )


def status_from_ipp(
    printer_state: str | int,
    reasons: object,
    message: str | None = None,
    markers: Iterable[Marker] = (),
    info: PrinterInfo | None = None,
) -> PrinterStatus:
    """Map IPP printer attributes onto the common model.

    ``-error`` reasons (and reasons without a suffix) block, ``-warning`` and ``-report``
    do not; a ``stopped`` printer blocks even without a reason.
    """
    all_reasons = [r for r in _as_list(reasons) if classify_reason(r) != "none"]
    errors = [r for r in all_reasons if classify_reason(r) == "error"]
    warnings = [r for r in all_reasons if classify_reason(r) != "error"]
    supplies: dict[str, Supply] = {}
    for marker in markers:
        supply = _supply(marker)
        supplies.setdefault(supply.label, supply)
    state_name = str(printer_state)
    if errors:
        state = PrinterState.BLOCKED
    elif state_name == "stopped":
        state = PrinterState.BLOCKED
        errors = [f"stopped: {_clean(message)}" if message else "stopped"]
    elif state_name == "idle":
        state = PrinterState.READY
    elif state_name in ("processing", "printing"):
        state = PrinterState.BUSY
    else:
        state = PrinterState.UNKNOWN
        errors = [f"printer-state {_clean(state_name)}"]
    return PrinterStatus(
        state=state,
        reasons=tuple(errors),
        warnings=tuple(warnings),
        supplies=tuple(supplies.values()),
        info=info,
        raw=(state_name, *all_reasons),
    )


def _info(printer: Printer) -> PrinterInfo:
    info = printer.info
    return PrinterInfo(
        make=_clean(info.manufacturer) if info.manufacturer else None,
        model=_clean(info.model) if info.model else None,
        serial=_clean(info.serial) if info.serial else None,
    )


class IppClient:
    """Reads a printer's state over IPP with an injected aiohttp session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        *,
        verify_ssl: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Create a client for an ``ipp://`` or ``ipps://`` printer URL."""
        parsed = URL(url)
        if parsed.scheme not in ("ipp", "ipps") or not parsed.host:
            raise ValueError("the printer URL must be ipp:// or ipps:// with a host")
        self.url = url
        self._ipp = IPP(
            host=url,
            session=session,
            verify_ssl=verify_ssl,
            request_timeout=max(1, math.ceil(timeout)),
            user_agent="ezeep-home-assistant",
        )

    async def status(self) -> PrinterStatus:
        """Read the printer's attributes into the common model."""
        try:
            printer = await self._ipp.printer()
        except IPPResponseError as err:
            status: Any = err.args[1].get("status-code") if len(err.args) > 1 else None
            if status == 404:
                raise PrinterNotSupportedError("no IPP printer at this path") from err
            raise PrinterConnectionError(f"IPP answered HTTP {status}") from err
        except (IPPConnectionError, IPPConnectionUpgradeRequired) as err:
            raise PrinterConnectionError("cannot reach the IPP printer") from err
        except IPPError as err:
            raise PrinterParseError("not a readable IPP answer") from err
        return status_from_ipp(
            printer.state.printer_state,
            printer.state.reasons,
            printer.state.message,
            printer.markers,
            _info(printer),
        )
