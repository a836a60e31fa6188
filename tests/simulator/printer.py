"""A simulated network printer: HP LEDM status documents, the LEDM event table, and IPP.

Separate from the TPFM server (``server.py``): a release station talks to the ezeep server
and, for readiness, to the printer. Scenarios set what the printer reports::

    async with PrinterSimulator() as printer:
        printer.set_scenario("jammed")      # ProductStatusDyn, IPP state and reasons
        printer.supplies["K"] = 5           # ConsumableConfigDyn and IPP marker levels

Knobs: ``set_scenario`` (see ``SCENARIOS``), ``supplies``, ``first_answer_delay`` (a
sleeping printer's slow first answer), ``events`` (offer the event table), ``not_found``
(answer every LEDM and IPP request with 404, like a printer without LEDM). The documents
are written from the LEDM namespaces and element names; several ``psdyn:Status`` at once.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
import contextlib
from dataclasses import dataclass, field
import ssl
import struct
from xml.sax.saxutils import escape

from aiohttp import web

from .local_server import LocalServer

NS_PSDYN = "http://www.hp.com/schemas/imaging/con/ledm/productstatusdyn/2007/10/31"
NS_PSCAT = (
    "http://www.hp.com/schemas/imaging/con/ledm/productstatuscategories/2007/10/31"
)
NS_AD = "http://www.hp.com/schemas/imaging/con/ledm/alertdetails/2007/10/31"
NS_LOCID = "http://www.hp.com/schemas/imaging/con/ledm/localizationids/2007/10/31"
NS_DD = "http://www.hp.com/schemas/imaging/con/dictionaries/1.0/"
NS_CCDYN = "http://www.hp.com/schemas/imaging/con/ledm/consumableconfigdyn/2007/11/19"
NS_PRDCFG = "http://www.hp.com/schemas/imaging/con/ledm/productconfigdyn/2009/11/16"
NS_EV = "http://www.hp.com/schemas/imaging/con/ledm/events/2007/09/16"

#: Obviously simulated identity (never a real serial number).
MODEL = "HP Simulated LaserJet 1000"
SERIAL = "SIM-SERIAL-0001"


@dataclass(frozen=True)
class Alert:
    """A ``psdyn:Alert`` of the alert table."""

    id: str
    severity: str
    location: str | None = None


@dataclass(frozen=True)
class Scenario:
    """What the printer says in one situation, over LEDM and over IPP."""

    categories: tuple[str, ...]
    alerts: tuple[Alert, ...] = ()
    ipp_state: int = 3  # 3 idle, 4 processing, 5 stopped
    ipp_reasons: tuple[str, ...] = ("none",)
    ipp_message: str = ""
    #: Supply levels this scenario overrides.
    supplies: dict[str, int] = field(default_factory=dict)


SCENARIOS: dict[str, Scenario] = {
    "ready": Scenario(
        ("ready",), (Alert("genuineHP", "Info"),), ipp_message="Ready to print."
    ),
    "jammed": Scenario(
        ("jamInPrinter", "processing"),
        (Alert("jamInPrinter", "Error", "Tray 2"),),
        ipp_state=5,
        ipp_reasons=("media-jam-error",),
        ipp_message="Paper jam",
    ),
    "door_open": Scenario(
        ("closeDoorOrCover",),
        (Alert("closeDoorOrCover", "Error"),),
        ipp_state=5,
        ipp_reasons=("door-open-error",),
    ),
    "main_tray_empty": Scenario(
        ("trayEmptyOrOpen", "ready"),
        (Alert("trayEmptyOrOpen", "Error", "Main tray"),),
        ipp_state=5,
        ipp_reasons=("media-empty-error",),
    ),
    "photo_tray_empty": Scenario(
        ("ready", "trayEmpty"),
        (Alert("trayEmpty", "Warning", "Photo tray"),),
        ipp_reasons=("media-empty-warning",),
    ),
    "cartridge_missing": Scenario(
        ("cartridgeMissing",),
        (Alert("cartridgeMissing", "Error", "Cartridge C"),),
        ipp_state=5,
        ipp_reasons=("marker-supply-missing-error",),
        supplies={"C": 0},
    ),
    "power_save": Scenario(("inPowerSave",)),
    "initializing": Scenario(("initializing",), ipp_state=4),
    "low_toner": Scenario(
        ("ready", "tonerLow"),
        (Alert("tonerLow", "Warning", "Cartridge K"),),
        ipp_reasons=("toner-low-warning",),
        supplies={"K": 4},
    ),
    "unknown_category": Scenario(
        ("ready", "fuserTooCool"), ipp_state=9, ipp_reasons=("none",)
    ),
}

#: Label code, LEDM type and IPP marker colour of each simulated supply.
SUPPLY_TYPES: dict[str, tuple[str, str]] = {
    "K": ("toner", "#000000"),
    "C": ("toner", "#00FFFF"),
    "M": ("toner", "#FF00FF"),
    "Y": ("toner", "#FFFF00"),
}
DEFAULT_SUPPLIES: dict[str, int] = {"K": 62, "C": 48, "M": 35, "Y": 80}
LOW_THRESHOLD = 10


def _el(prefix: str, name: str, text: object) -> str:
    return f"<{prefix}:{name}>{escape(str(text))}</{prefix}:{name}>"


class PrinterSimulator(LocalServer):
    """An HP printer's embedded web server and IPP endpoint, on 127.0.0.1."""

    def __init__(self, scenario: str = "ready") -> None:
        """Create a stopped printer (see ``start``)."""
        self.scenario = scenario
        self.supplies: dict[str, int] = dict(DEFAULT_SUPPLIES)
        self.first_answer_delay = 0.0
        self.events = True
        self.not_found = False
        #: Longest a long poll is held (the printer is asked for ``timeout`` tenths).
        self.max_event_wait = 30.0
        self.requests: Counter[str] = Counter()
        self.etag_number = 1
        self._answered_first = False
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self.url = ""
        self.ipp_url = ""

    # ------------------------------------------------------------------ state

    def set_scenario(self, name: str) -> None:
        """Switch to a scenario (see ``SCENARIOS``) and tell event-table long polls."""
        if name not in SCENARIOS:
            raise ValueError(f"unknown scenario {name!r}")
        self.scenario = name
        self.etag_number += 1
        self._changed.set()
        self._changed = asyncio.Event()

    def fall_asleep(self, answer_delay: float) -> None:
        """Answer the next request only after ``answer_delay`` seconds (then at once)."""
        self.first_answer_delay = answer_delay
        self._answered_first = False

    @property
    def current(self) -> Scenario:
        """The scenario in force."""
        return SCENARIOS[self.scenario]

    def levels(self) -> dict[str, int]:
        """Supply levels now (the scenario's overrides applied)."""
        return self.supplies | self.current.supplies

    @property
    def etag(self) -> str:
        """The event table's current ETag."""
        return f'"sim-{self.etag_number}"'

    # --------------------------------------------------------------- documents

    def product_status_xml(self) -> str:
        """ProductStatusDyn.xml of the current scenario."""
        scenario = self.current
        statuses = "".join(
            f"<psdyn:Status>{_el('pscat', 'StatusCategory', c)}"
            f"{_el('locid', 'StringId', 65536 + n)}</psdyn:Status>"
            for n, c in enumerate(scenario.categories)
        )
        alerts = ""
        for number, alert in enumerate(scenario.alerts, start=1):
            details = (
                "<ad:AlertDetails>"
                f"{_el('ad', 'AlertDetailsLocation', alert.location)}"
                "</ad:AlertDetails>"
                if alert.location
                else ""
            )
            alerts += (
                "<psdyn:Alert>"
                f"{_el('ad', 'ProductStatusAlertID', alert.id)}"
                f"{_el('locid', 'StringId', 66000 + number)}"
                f"{_el('ad', 'Severity', alert.severity)}"
                f"{_el('ad', 'AlertPriority', number)}"
                f"{details}</psdyn:Alert>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<psdyn:ProductStatusDyn xmlns:psdyn="{NS_PSDYN}" xmlns:pscat="{NS_PSCAT}"'
            f' xmlns:ad="{NS_AD}" xmlns:locid="{NS_LOCID}" xmlns:dd="{NS_DD}">'
            f"<dd:Version>{_el('dd', 'Revision', 'SIM-LEDM.1')}</dd:Version>"
            f"{statuses}<psdyn:AlertTable>"
            f"{_el('dd', 'ModificationNumber', self.etag_number)}{alerts}"
            "</psdyn:AlertTable></psdyn:ProductStatusDyn>"
        )

    def consumables_xml(self) -> str:
        """ConsumableConfigDyn.xml with the current supply levels."""
        infos = ""
        for label, level in self.levels().items():
            kind = SUPPLY_TYPES.get(label, ("ink", ""))[0]
            state = (
                "missing"
                if label in self.current.supplies and level == 0
                else ("low" if level <= LOW_THRESHOLD else "ok")
            )
            infos += (
                "<ccdyn:ConsumableInfo>"
                f"{_el('dd', 'ConsumableLabelCode', label)}"
                f"{_el('dd', 'ConsumableTypeEnum', kind)}"
                f"{_el('dd', 'ConsumablePercentageLevelRemaining', level)}"
                f"{_el('dd', 'ConsumableLowThreshold', LOW_THRESHOLD)}"
                "<ccdyn:ConsumableLifeState>"
                f"{_el('dd', 'ConsumableState', state)}"
                "</ccdyn:ConsumableLifeState>"
                f"{_el('dd', 'ProductNumber', 'SIM-' + label)}"
                "</ccdyn:ConsumableInfo>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<ccdyn:ConsumableConfigDyn xmlns:ccdyn="{NS_CCDYN}" xmlns:dd="{NS_DD}">'
            f"{infos}</ccdyn:ConsumableConfigDyn>"
        )

    def product_config_xml(self) -> str:
        """ProductConfigDyn.xml: make and model, serial number."""
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<prdcfgdyn:ProductConfigDyn xmlns:prdcfgdyn="{NS_PRDCFG}" xmlns:dd="{NS_DD}">'
            "<prdcfgdyn:ProductInformation>"
            f"{_el('dd', 'MakeAndModel', MODEL)}{_el('dd', 'SerialNumber', SERIAL)}"
            "</prdcfgdyn:ProductInformation></prdcfgdyn:ProductConfigDyn>"
        )

    def event_table_xml(self) -> str:
        """The event table: one status event per change."""
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<ev:EventTable xmlns:ev="{NS_EV}" xmlns:dd="{NS_DD}"><ev:Event>'
            f"{_el('dd', 'UnqualifiedEventCategory', 'AlertTableChanged')}"
            f"{_el('dd', 'AgingStamp', f'{self.etag_number}-1')}"
            "</ev:Event></ev:EventTable>"
        )

    def ipp_response(self, request_id: int) -> bytes:
        """A Get-Printer-Attributes response for the current scenario."""
        scenario = self.current
        levels = self.levels()
        labels = list(levels)
        attributes: list[tuple[int, str, Iterable[object]]] = [
            (0x23, "printer-state", [scenario.ipp_state]),
            (0x44, "printer-state-reasons", scenario.ipp_reasons),
            (0x41, "printer-state-message", [scenario.ipp_message]),
            (0x42, "printer-name", ["simulated"]),
            (0x41, "printer-make-and-model", [MODEL]),
            (0x41, "printer-device-id", [f"MFG:HP;MDL:{MODEL[3:]};SN:{SERIAL};"]),
            (0x45, "printer-uri-supported", [self.ipp_url]),
            (0x21, "printer-up-time", [1000]),
            (0x42, "marker-names", [f"{label} Cartridge" for label in labels]),
            (0x42, "marker-colors", [SUPPLY_TYPES.get(k, ("", ""))[1] for k in labels]),
            (0x44, "marker-types", ["toner-cartridge" for _ in labels]),
            (0x21, "marker-levels", [levels[k] for k in labels]),
            (0x21, "marker-low-levels", [LOW_THRESHOLD for _ in labels]),
            (0x21, "marker-high-levels", [100 for _ in labels]),
        ]
        body = struct.pack(">bbhi", 2, 0, 0, request_id) + b"\x01"
        body += _ipp_attr(0x47, "attributes-charset", ["utf-8"])
        body += _ipp_attr(0x48, "attributes-natural-language", ["en"])
        body += b"\x04"
        for tag, name, values in attributes:
            body += _ipp_attr(tag, name, values)
        return body + b"\x03"

    # ---------------------------------------------------------------- serving

    async def _delay(self) -> None:
        if not self._answered_first and self.first_answer_delay:
            self._answered_first = True
            # Wakes early when the simulator stops, so no handler outlives it.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.first_answer_delay)
        self._answered_first = True

    async def _document(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.requests[path] += 1
        await self._delay()
        if self.not_found:
            raise web.HTTPNotFound
        builders = {
            "/DevMgmt/ProductStatusDyn.xml": self.product_status_xml,
            "/DevMgmt/ConsumableConfigDyn.xml": self.consumables_xml,
            "/DevMgmt/ProductConfigDyn.xml": self.product_config_xml,
        }
        return web.Response(text=builders[path](), content_type="text/xml")

    async def _events(self, request: web.Request) -> web.StreamResponse:
        self.requests[request.path] += 1
        if self.not_found or not self.events:
            raise web.HTTPNotFound
        if request.headers.get("If-None-Match") == self.etag:
            try:
                tenths = int(request.query.get("timeout", "0"))
            except ValueError:
                tenths = 0
            changed = self._changed
            waiters = [
                asyncio.ensure_future(changed.wait()),
                asyncio.ensure_future(self._stopping.wait()),
            ]
            try:
                await asyncio.wait(
                    waiters,
                    timeout=min(tenths / 10, self.max_event_wait),
                    return_when=asyncio.FIRST_COMPLETED,
                )
            finally:
                for waiter in waiters:
                    waiter.cancel()
            if not changed.is_set():
                return web.Response(status=304, headers={"ETag": self.etag})
        return web.Response(
            text=self.event_table_xml(),
            content_type="text/xml",
            headers={"ETag": self.etag},
        )

    async def _ipp(self, request: web.Request) -> web.StreamResponse:
        self.requests[request.path] += 1
        data = await request.read()
        await self._delay()
        if self.not_found:
            raise web.HTTPNotFound
        request_id = struct.unpack(">i", data[4:8])[0] if len(data) >= 8 else 1
        return web.Response(
            body=self.ipp_response(request_id), content_type="application/ipp"
        )

    async def start(
        self, ssl_context: ssl.SSLContext | None = None, port: int = 0
    ) -> str:
        """Listen on 127.0.0.1 (port 0: a free one); return the base URL.

        With an SSL context the URLs are https:// and ipps://.
        """
        app = web.Application()
        app.router.add_get("/DevMgmt/ProductStatusDyn.xml", self._document)
        app.router.add_get("/DevMgmt/ConsumableConfigDyn.xml", self._document)
        app.router.add_get("/DevMgmt/ProductConfigDyn.xml", self._document)
        app.router.add_get("/EventMgmt/EventTable", self._events)
        app.router.add_post("/ipp/print", self._ipp)
        self._stopping = asyncio.Event()
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port, ssl_context=ssl_context)
        await site.start()
        self._runner = runner
        port = runner.addresses[0][1]
        scheme = "https" if ssl_context else "http"
        self.url = f"{scheme}://127.0.0.1:{port}/"
        self.ipp_url = (
            f"{'ipps' if ssl_context else 'ipp'}://127.0.0.1:{port}/ipp/print"
        )
        return self.url

    async def stop(self) -> None:
        """Stop listening; long polls end at once."""
        self._stopping.set()
        runner, self._runner = self._runner, None
        await asyncio.sleep(0.01)  # let waiting handlers answer
        if runner is not None:
            await runner.cleanup()


def _ipp_attr(tag: int, name: str, values: Iterable[object]) -> bytes:
    """Encode one IPP attribute (a value list: later values carry no name)."""
    out = b""
    for index, value in enumerate(values):
        key = name.encode() if index == 0 else b""
        if tag in (0x21, 0x23):
            raw = struct.pack(">i", int(value))  # type: ignore[call-overload]
        else:
            raw = str(value).encode()
        out += (
            struct.pack(">bh", tag, len(key)) + key + struct.pack(">h", len(raw)) + raw
        )
    return out
