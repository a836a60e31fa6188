"""The simulated printer itself: documents, knobs, event table, IPP encoding."""

from __future__ import annotations

import asyncio
import time
import xml.etree.ElementTree as ET

import aiohttp
from pyipp.parser import parse as parse_ipp
import pytest

from tests.simulator.printer import SCENARIOS, PrinterSimulator


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_documents_are_well_formed(scenario: str) -> None:
    """Every scenario's documents are XML with the LEDM root elements."""
    printer = PrinterSimulator(scenario)
    for text, root in (
        (printer.product_status_xml(), "ProductStatusDyn"),
        (printer.consumables_xml(), "ConsumableConfigDyn"),
        (printer.product_config_xml(), "ProductConfigDyn"),
        (printer.event_table_xml(), "EventTable"),
    ):
        assert ET.fromstring(text).tag.endswith("}" + root)  # noqa: S314 - own XML


def test_several_status_elements() -> None:
    """The jam scenario reports more than one psdyn:Status at once."""
    doc = PrinterSimulator("jammed").product_status_xml()
    assert doc.count("<psdyn:Status>") == 2


def test_unknown_scenario() -> None:
    """A typo in a test's scenario name fails loudly."""
    with pytest.raises(ValueError):
        PrinterSimulator().set_scenario("on fire")


def test_ipp_response_decodes() -> None:
    """The IPP answer decodes with pyipp's parser."""
    printer = PrinterSimulator("jammed")
    printer.ipp_url = "ipp://127.0.0.1:1/ipp/print"
    parsed = parse_ipp(printer.ipp_response(1234))
    assert parsed["request-id"] == 1234
    attributes = parsed["printers"][0]
    assert attributes["printer-state"] == 5
    assert attributes["printer-state-reasons"] == "media-jam-error"
    assert attributes["marker-levels"] == [62, 48, 35, 80]


async def test_serving(printer_sim: PrinterSimulator) -> None:
    """Documents over HTTP; 404 knob; slow first answer; request counts."""
    printer_sim.fall_asleep(0.3)
    async with aiohttp.ClientSession() as session:
        started = time.monotonic()
        async with session.get(printer_sim.url + "DevMgmt/ProductStatusDyn.xml") as r:
            assert r.status == 200
            assert "ready" in await r.text()
        assert time.monotonic() - started >= 0.25
        started = time.monotonic()
        async with session.get(printer_sim.url + "DevMgmt/ProductConfigDyn.xml") as r:
            assert r.status == 200
        assert time.monotonic() - started < 0.25
        printer_sim.not_found = True
        for path in ("DevMgmt/ConsumableConfigDyn.xml", "EventMgmt/EventTable"):
            async with session.get(printer_sim.url + path) as r:
                assert r.status == 404
        async with session.post(printer_sim.url + "ipp/print", data=b"") as r:
            assert r.status == 404
    assert printer_sim.requests["/DevMgmt/ProductStatusDyn.xml"] == 1


async def test_event_table(printer_sim: PrinterSimulator) -> None:
    """The long poll answers 304 after its wait, 200 at once on a change or an old ETag."""
    url = printer_sim.url + "EventMgmt/EventTable"
    async with aiohttp.ClientSession() as session:
        etag = printer_sim.etag
        async with session.get(
            url, params={"timeout": "1"}, headers={"If-None-Match": etag}
        ) as r:
            assert r.status == 304
        async with session.get(
            url, params={"timeout": "junk"}, headers={"If-None-Match": etag}
        ) as r:
            assert r.status == 304
        async with session.get(url, headers={"If-None-Match": '"old"'}) as r:
            assert r.status == 200
            assert r.headers["ETag"] == etag

        async def poll() -> int:
            async with session.get(
                url, params={"timeout": "600"}, headers={"If-None-Match": etag}
            ) as r:
                return r.status

        waiting = asyncio.create_task(poll())
        await asyncio.sleep(0.05)
        printer_sim.set_scenario("jammed")
        assert await asyncio.wait_for(waiting, 5) == 200
        printer_sim.events = False
        async with session.get(url) as r:
            assert r.status == 404


async def test_stop_ends_long_polls(socket_enabled: None) -> None:
    """Stopping the printer ends a held long poll at once."""
    printer = PrinterSimulator()
    await printer.start()
    async with aiohttp.ClientSession() as session:

        async def poll() -> int:
            async with session.get(
                printer.url + "EventMgmt/EventTable",
                params={"timeout": "600"},
                headers={"If-None-Match": printer.etag},
            ) as r:
                return r.status

        waiting = asyncio.create_task(poll())
        await asyncio.sleep(0.05)
        await printer.stop()
        assert await asyncio.wait_for(waiting, 5) == 304
