"""IPP readiness: the mapping of IPP attributes, and the client against the simulator."""

from __future__ import annotations

import aiohttp
from pyipp import Marker
import pytest

from custom_components.ezeep.printer import (
    IppClient,
    PrinterConnectionError,
    PrinterNotSupportedError,
    PrinterParseError,
    PrinterState,
)
from custom_components.ezeep.printer.ipp import classify_reason, status_from_ipp
from tests.simulator.printer import SCENARIOS, PrinterSimulator


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("none", "none"),
        ("", "none"),
        ("media-jam-error", "error"),
        ("toner-low-warning", "warning"),
        ("toner-low-report", "report"),
        ("media-empty", "error"),
    ],
)
def test_classify_reason(reason: str, kind: str) -> None:
    """-error blocks, -warning/-report do not; no suffix is an error (RFC 8011)."""
    assert classify_reason(reason) == kind


@pytest.mark.parametrize(
    ("state", "reasons", "expected", "blocking"),
    [
        ("idle", None, PrinterState.READY, ()),
        ("idle", "none", PrinterState.READY, ()),
        ("processing", ["toner-low-warning"], PrinterState.BUSY, ()),
        ("printing", [], PrinterState.BUSY, ()),
        (
            "idle",
            ["media-jam-error", "toner-low-report"],
            PrinterState.BLOCKED,
            ("media-jam-error",),
        ),
        ("stopped", None, PrinterState.BLOCKED, ("stopped: Offline",)),
        (7, None, PrinterState.UNKNOWN, ("printer-state 7",)),
    ],
)
def test_status_from_ipp(
    state: str | int,
    reasons: object,
    expected: PrinterState,
    blocking: tuple[str, ...],
) -> None:
    """printer-state and printer-state-reasons map onto the common model."""
    status = status_from_ipp(state, reasons, "Offline")
    assert status.state is expected
    assert status.reasons == blocking


def test_markers() -> None:
    """Marker colours become label codes; odd levels are dropped."""
    markers = [
        Marker(1, "toner-cartridge", "Black Toner", "#000000", 5, 10, 100),
        Marker(2, "ink-cartridge", "Tri-color", "#00FFFF#FF00FF#FFFF00", 55, 10, 100),
        Marker(3, "waste-toner", "Waste", "", -3, -1, 100),
        Marker(4, "toner-cartridge", "Black again", "#000000", 7, 10, 100),
    ]
    status = status_from_ipp("idle", None, markers=markers)
    assert [(s.label, s.percent, s.state, s.color) for s in status.supplies] == [
        ("K", 5, "low", "black"),
        ("CMY", 55, "ok", "tricolor"),
        ("Waste", None, None, None),
    ]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
async def test_client_scenarios(
    printer_sim: PrinterSimulator, session: aiohttp.ClientSession, scenario: str
) -> None:
    """Every simulated situation over IPP: jams, doors, empty main trays block."""
    printer_sim.set_scenario(scenario)
    status = await IppClient(session, printer_sim.ipp_url).status()
    blocked = SCENARIOS[scenario].ipp_state == 5
    assert (status.state is PrinterState.BLOCKED) == blocked
    if scenario == "unknown_category":
        assert status.state is PrinterState.UNKNOWN
    assert status.releasable == (not blocked and scenario != "unknown_category")
    assert {s.label: s.percent for s in status.supplies} == printer_sim.levels()
    assert status.info is not None
    assert status.info.serial == "SIM-SERIAL-0001"


async def test_client_errors(
    printer_sim: PrinterSimulator, session: aiohttp.ClientSession
) -> None:
    """404, bad URLs, garbage answers and an unreachable printer are clean errors."""
    printer_sim.not_found = True
    with pytest.raises(PrinterNotSupportedError):
        await IppClient(session, printer_sim.ipp_url).status()
    with pytest.raises(ValueError):
        IppClient(session, "http://127.0.0.1/")
    printer_sim.not_found = False
    # The LEDM status page refuses POST (HTTP 405).
    with pytest.raises(PrinterConnectionError):
        await IppClient(
            session,
            printer_sim.ipp_url.replace("/ipp/print", "/DevMgmt/ProductStatusDyn.xml"),
        ).status()
    url = printer_sim.ipp_url
    await printer_sim.stop()
    with pytest.raises(PrinterConnectionError):
        await IppClient(session, url, timeout=1).status()


async def test_client_parse_error(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """An answer that is not IPP is a parse error."""
    from aiohttp import web

    async def junk(_request: web.Request) -> web.Response:
        return web.Response(body=b"\x02\x00", content_type="application/ipp")

    app = web.Application()
    app.router.add_post("/ipp/print", junk)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        with pytest.raises(PrinterParseError):
            await IppClient(session, f"ipp://127.0.0.1:{port}/ipp/print").status()
    finally:
        await runner.cleanup()
