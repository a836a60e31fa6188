"""HP LEDM (the embedded web server's XML status documents): parsers and a client.

* ``/DevMgmt/ProductStatusDyn.xml``: ``psdyn:Status/pscat:StatusCategory`` (several at once)
  and ``psdyn:AlertTable/psdyn:Alert`` with ``ad:ProductStatusAlertID`` and ``ad:Severity``.
* ``/DevMgmt/ConsumableConfigDyn.xml``: ``ccdyn:ConsumableInfo`` with ``dd:`` elements.
* ``/DevMgmt/ProductConfigDyn.xml``: make and model, serial number.
* ``/EventMgmt/EventTable``: a long poll with an ETag that answers when something changed.

Elements are matched by their local names: firmware generations use different namespace
URIs (dated paths) for the same elements. XML is parsed with defusedxml and DTDs refused:
no entity is ever expanded and nothing external is fetched. No Home Assistant imports.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final
import xml.etree.ElementTree as ET

import aiohttp
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from yarl import URL

from .errors import (
    PrinterConnectionError,
    PrinterNotSupportedError,
    PrinterParseError,
    PrinterTimeoutError,
)
from .readiness import (
    DEFAULT_TIMEOUT,
    RELEASABLE_STATES,
    PrinterInfo,
    PrinterState,
    PrinterStatus,
    Supply,
    clean_text,
    worst,
)

PATH_STATUS: Final = "/DevMgmt/ProductStatusDyn.xml"
PATH_CONSUMABLES: Final = "/DevMgmt/ConsumableConfigDyn.xml"
PATH_CONFIG: Final = "/DevMgmt/ProductConfigDyn.xml"
PATH_EVENTS: Final = "/EventMgmt/EventTable"

#: The long poll asks the printer to hold the answer this long (tenths of a second) ...
EVENT_WAIT_TENTHS: Final = 1200
#: ... and waits a little longer than that for it.
EVENT_TIMEOUT: Final = 150.0
#: No status document is anywhere near this big.
MAX_DOCUMENT_BYTES: Final = 1 << 20

# Status categories (the printer's own vocabulary).
READY_CATEGORIES: Final = frozenset({"ready"})
BUSY_CATEGORIES: Final = frozenset(
    {"processing", "printing", "scanProcessing", "copyProcessing", "cancelJob"}
)
SLEEP_CATEGORIES: Final = frozenset({"inPowerSave"})
#: The printer will be ready by itself: wait, do not release yet.
WAIT_CATEGORIES: Final = frozenset(
    {"initializing", "inkSystemInitializing", "warmingUp", "calibrating"}
)
BLOCKING_CATEGORIES: Final = frozenset(
    {
        "jamInPrinter",
        "closeDoorOrCover",
        "trayEmpty",
        "trayEmptyOrOpen",
        "cartridgeMissing",
        "missingPrintHead",
        "incorrectCartridge",
        "hardError",
        "outputBinFull",
        "insertOrCloseTray",
        "shuttingDown",
        "manuallyFeed",
    }
)
#: Blocking only for the main tray: the same alert for another tray is a warning.
TRAY_CATEGORIES: Final = frozenset(
    {"trayEmpty", "trayEmptyOrOpen", "insertOrCloseTray"}
)
#: Known conditions that do not stop printing.
WARNING_CATEGORIES: Final = frozenset(
    {
        "cartridgeLow",
        "cartridgeVeryLow",
        "tonerLow",
        "tonerVeryLow",
        "inkLow",
        "genuineHP",
        "cartridgeCounterfeitQuestion",
        "subscribedPagesLow",
    }
)
#: Words in a tray's name that mark it as not the main paper tray.
SECONDARY_TRAY_WORDS: Final = ("photo", "envelope", "manual", "bypass", "multipurpose")
#: ``ad:Severity`` values that do not stop printing.
MINOR_SEVERITIES: Final = frozenset({"info", "informational", "warning"})


# -- safe XML ----------------------------------------------------------------------------


def _local(tag: object) -> str:
    """Return an element's name without its namespace (comments have no str tag)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _clean(text: str | None) -> str | None:
    """Return element text cleaned (see ``clean_text``); None for none or nothing left."""
    if text is None:
        return None
    return clean_text(text) or None


def parse_xml(data: bytes | str, root_name: str) -> ET.Element:
    """Parse a document safely and check its root element's local name.

    Raises:
        PrinterParseError: malformed XML, a DTD or entity (refused, never expanded),
            or another document than ``root_name``.

    """
    try:
        root = safe_fromstring(data, forbid_dtd=True)
    except (
        DefusedXmlException,
        ET.ParseError,
        ValueError,
        LookupError,
        UnicodeError,
        RecursionError,
    ) as err:
        raise PrinterParseError(f"not readable XML: {type(err).__name__}") from None
    if _local(root.tag) != root_name:
        raise PrinterParseError(f"expected {root_name}, got {_local(root.tag)[:40]!r}")
    return root


def _children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (child for child in element if _local(child.tag) == name)


def _first_text(element: ET.Element, name: str) -> str | None:
    """Text of the first descendant (or the element itself) with that local name."""
    for found in element.iter():
        if _local(found.tag) == name:
            return _clean(found.text)
    return None


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.split(".", 1)[0])
    except ValueError:
        return None


# -- ProductStatusDyn --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LedmAlert:
    """One ``psdyn:Alert`` of the alert table."""

    id: str
    severity: str | None = None
    #: The tray (or other place) the alert is about, where the printer says.
    location: str | None = None

    @property
    def minor(self) -> bool:
        """Whether the printer itself rates the alert below an error."""
        return (self.severity or "").casefold() in MINOR_SEVERITIES

    @property
    def secondary_tray(self) -> bool:
        """Whether the alert names a tray other than the main one (photo, envelope ...)."""
        where = (self.location or "").casefold()
        return any(word in where for word in SECONDARY_TRAY_WORDS)


@dataclass(frozen=True, slots=True)
class LedmStatusReport:
    """What ProductStatusDyn.xml says."""

    categories: tuple[str, ...]
    alerts: tuple[LedmAlert, ...] = ()


def _alert_location(alert: ET.Element) -> str | None:
    for found in alert.iter():
        name = _local(found.tag)
        if name == "AlertDetailsLocation" or (
            "tray" in name.casefold() and found is not alert
        ):
            if text := _clean(found.text):
                return text
    return None


def parse_product_status(data: bytes | str) -> LedmStatusReport:
    """Parse ProductStatusDyn.xml.

    Raises:
        PrinterParseError: not a readable ProductStatusDyn document.

    """
    root = parse_xml(data, "ProductStatusDyn")
    categories: list[str] = []
    for status in _children(root, "Status"):
        for category in _children(status, "StatusCategory"):
            if (text := _clean(category.text)) and text not in categories:
                categories.append(text)
    alerts: list[LedmAlert] = []
    for table in _children(root, "AlertTable"):
        for alert in _children(table, "Alert"):
            alert_id = _first_text(alert, "ProductStatusAlertID")
            if alert_id is None:
                continue
            alerts.append(
                LedmAlert(
                    id=alert_id,
                    severity=_first_text(alert, "Severity"),
                    location=_alert_location(alert),
                )
            )
    return LedmStatusReport(tuple(categories), tuple(alerts))


def _described(code: str, alerts: list[LedmAlert]) -> str:
    places = sorted({a.location for a in alerts if a.location})
    return f"{code} ({', '.join(places)})" if places else code


def evaluate(report: LedmStatusReport) -> tuple[PrinterState, list[str], list[str]]:
    """Return (state, blocking reasons, warnings) of a status report.

    Every status category and every alert counts; the worst state wins. Unknown
    categories are reported as they are: an alert's ``ad:Severity`` rates them where
    the printer gives one, otherwise the state is ``unknown`` (never silently ready).
    """
    states: list[PrinterState] = []
    reasons: list[str] = []
    warnings: list[str] = []
    alerts_by_id: dict[str, list[LedmAlert]] = {}
    for alert in report.alerts:
        alerts_by_id.setdefault(alert.id, []).append(alert)
    codes = list(report.categories) + [
        code for code in alerts_by_id if code not in report.categories
    ]

    def add(items: list[str], text: str) -> None:
        if text not in items:
            items.append(text)

    for code in codes:
        alerts = alerts_by_id.get(code, [])
        if code in READY_CATEGORIES:
            states.append(PrinterState.READY)
        elif code in BUSY_CATEGORIES:
            states.append(PrinterState.BUSY)
        elif code in SLEEP_CATEGORIES:
            states.append(PrinterState.SLEEPING)
        elif code in WAIT_CATEGORIES:
            states.append(PrinterState.WARMING_UP)
            add(reasons, code)
        elif code in BLOCKING_CATEGORIES:
            if (
                code in TRAY_CATEGORIES
                and alerts
                and all(a.secondary_tray or a.minor for a in alerts)
            ):
                add(warnings, _described(code, alerts))
            else:
                states.append(PrinterState.BLOCKED)
                add(reasons, _described(code, alerts))
        elif code in WARNING_CATEGORIES:
            add(warnings, _described(code, alerts))
        elif alerts and all(a.severity for a in alerts):
            if all(a.minor for a in alerts):
                add(warnings, _described(code, alerts))
            else:
                states.append(PrinterState.BLOCKED)
                add(reasons, _described(code, alerts))
        else:
            states.append(PrinterState.UNKNOWN)
            add(reasons, code)
    state = worst(states)
    if state is None:
        return PrinterState.UNKNOWN, ["no status category"], warnings
    if state in RELEASABLE_STATES:
        reasons = []
    elif state is PrinterState.WARMING_UP:
        reasons = [r for r in reasons if r in WAIT_CATEGORIES]
    else:
        reasons = [r for r in reasons if r not in WAIT_CATEGORIES]
    return state, reasons, warnings


# -- ConsumableConfigDyn and ProductConfigDyn --------------------------------------------


def parse_consumables(data: bytes | str) -> tuple[Supply, ...]:
    """Parse ConsumableConfigDyn.xml: one supply per labelled ``ConsumableInfo``.

    Raises:
        PrinterParseError: not a readable ConsumableConfigDyn document.

    """
    root = parse_xml(data, "ConsumableConfigDyn")
    supplies: dict[str, Supply] = {}
    for info in root.iter():
        if _local(info.tag) != "ConsumableInfo":
            continue
        label = _first_text(info, "ConsumableLabelCode")
        if label is None or label in supplies:
            continue
        percent = _int(_first_text(info, "ConsumablePercentageLevelRemaining"))
        low = _int(_first_text(info, "ConsumableLowThreshold"))
        supplies[label] = Supply(
            label=label,
            type=_first_text(info, "ConsumableTypeEnum"),
            percent=None if percent is None else max(0, min(100, percent)),
            low_threshold=None if low is None else max(0, min(100, low)),
            state=_first_text(info, "ConsumableState"),
        )
    return tuple(supplies.values())


def parse_product_config(data: bytes | str) -> PrinterInfo:
    """Parse ProductConfigDyn.xml: make and model, serial number.

    Raises:
        PrinterParseError: not a readable ProductConfigDyn document.

    """
    root = parse_xml(data, "ProductConfigDyn")
    # LEDM is HP's own interface.
    return PrinterInfo(
        make="HP",
        model=_first_text(root, "MakeAndModel"),
        serial=_first_text(root, "SerialNumber"),
    )


def status_from_documents(
    report: LedmStatusReport,
    supplies: tuple[Supply, ...] = (),
    info: PrinterInfo | None = None,
) -> PrinterStatus:
    """Combine the parsed documents into the common model."""
    state, reasons, warnings = evaluate(report)
    for supply in supplies:
        if supply.is_low:
            text = f"{supply.label} low ({supply.percent}%)"
            if text not in warnings:
                warnings.append(text)
    return PrinterStatus(
        state=state,
        reasons=tuple(reasons),
        warnings=tuple(warnings),
        supplies=supplies,
        info=info,
        raw=report.categories + tuple(a.id for a in report.alerts),
    )


# -- the client --------------------------------------------------------------------------


class LedmClient:
    """Reads an HP printer's LEDM documents over an injected aiohttp session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        *,
        verify_ssl: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        event_timeout: float = EVENT_TIMEOUT,
        event_wait_tenths: int = EVENT_WAIT_TENTHS,
    ) -> None:
        """Create a client for the printer at ``base_url`` (http:// or https://)."""
        url = URL(base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError("the printer URL must be http:// or https:// with a host")
        self._session = session
        self._base = url.with_path("/").with_query(None).with_fragment(None)
        self._ssl = True if verify_ssl else False  # noqa: SIM210 - aiohttp's ssl= flag
        self.timeout = timeout
        self.event_timeout = event_timeout
        self.event_wait_tenths = event_wait_tenths
        self._info: PrinterInfo | None = None

    @property
    def base_url(self) -> str:
        """The printer's base URL."""
        return str(self._base)

    async def _get(
        self,
        path: str,
        *,
        wait: float | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> tuple[int, bytes, str | None]:
        """GET a document; return (HTTP status, body, ETag)."""
        url = self._base.join(URL(path))
        try:
            async with asyncio.timeout(wait or self.timeout):
                async with self._session.get(
                    url,
                    headers=headers,
                    params=params,
                    ssl=self._ssl,
                    allow_redirects=False,
                ) as response:
                    body = bytearray()
                    if response.status == 200:
                        async for chunk in response.content.iter_chunked(65536):
                            body += chunk
                            if len(body) > MAX_DOCUMENT_BYTES:
                                raise PrinterParseError("document too large")
                    return response.status, bytes(body), response.headers.get("ETag")
        except TimeoutError as err:
            raise PrinterTimeoutError(f"no answer from the printer for {path}") from err
        except (aiohttp.ClientError, OSError) as err:
            raise PrinterConnectionError(
                f"cannot reach the printer: {type(err).__name__}"
            ) from err

    async def _document(self, path: str) -> bytes | None:
        """Return a document's body, or None when the printer does not have it (404)."""
        status, body, _etag = await self._get(path)
        if status == 404:
            return None
        if status != 200:
            raise PrinterConnectionError(f"HTTP {status} for {path}")
        return body

    async def product_status(self) -> LedmStatusReport:
        """Read ProductStatusDyn.xml.

        Raises:
            PrinterNotSupportedError: the printer has no LEDM status (404).

        """
        body = await self._document(PATH_STATUS)
        if body is None:
            raise PrinterNotSupportedError(f"{PATH_STATUS} not found")
        return parse_product_status(body)

    async def consumables(self) -> tuple[Supply, ...]:
        """Read ConsumableConfigDyn.xml (none when the printer does not have it)."""
        body = await self._document(PATH_CONSUMABLES)
        return () if body is None else parse_consumables(body)

    async def product_info(self) -> PrinterInfo:
        """Read ProductConfigDyn.xml once; later calls return what was read."""
        if self._info is None:
            body = await self._document(PATH_CONFIG)
            self._info = PrinterInfo() if body is None else parse_product_config(body)
        return self._info

    async def status(self) -> PrinterStatus:
        """Read status, supplies and (once) device info into the common model.

        Only the status document is required: supplies or device info that cannot be
        read leave those parts empty.
        """
        report = await self.product_status()
        try:
            supplies = await self.consumables()
        except PrinterConnectionError, PrinterParseError:
            supplies = ()
        try:
            info: PrinterInfo | None = await self.product_info()
        except PrinterConnectionError, PrinterParseError:
            info = None
        return status_from_documents(report, supplies, info)

    async def wait_for_event(self, etag: str | None) -> str | None:
        """Long-poll the event table; return its ETag once it differs from ``etag``.

        The first call (``etag`` None) answers at once with the current ETag. Later calls
        return the same ETag when the printer's wait ended without a change (HTTP 304).

        Raises:
            PrinterNotSupportedError: the printer has no event table (404) or no ETag.

        """
        if etag is None:
            status, _body, new_etag = await self._get(PATH_EVENTS)
        else:
            status, _body, new_etag = await self._get(
                PATH_EVENTS,
                wait=self.event_timeout,
                headers={"If-None-Match": etag},
                params={"timeout": str(self.event_wait_tenths)},
            )
        if status == 304:
            return etag
        if status == 404 or (status == 200 and not new_etag):
            raise PrinterNotSupportedError(f"{PATH_EVENTS} not usable")
        if status != 200:
            raise PrinterConnectionError(f"HTTP {status} for {PATH_EVENTS}")
        return new_etag
