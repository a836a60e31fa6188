"""HP LEDM: the parsers (with hypothesis, hostile XML included) and the client."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
from pathlib import Path
import ssl

import aiohttp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.ezeep.printer import (
    LedmClient,
    PrinterConnectionError,
    PrinterNotSupportedError,
    PrinterParseError,
    PrinterState,
    PrinterTimeoutError,
)
from custom_components.ezeep.printer.ledm import (
    LedmAlert,
    LedmStatusReport,
    evaluate,
    parse_consumables,
    parse_product_config,
    parse_product_status,
    status_from_documents,
)
from tests.simulator.printer import (
    MODEL,
    NS_AD,
    NS_PSCAT,
    NS_PSDYN,
    SCENARIOS,
    SERIAL,
    PrinterSimulator,
)


def status_xml(categories: list[str], alerts: str = "") -> str:
    statuses = "".join(
        f"<psdyn:Status><pscat:StatusCategory>{c}</pscat:StatusCategory></psdyn:Status>"
        for c in categories
    )
    return (
        f'<psdyn:ProductStatusDyn xmlns:psdyn="{NS_PSDYN}" xmlns:pscat="{NS_PSCAT}"'
        f' xmlns:ad="{NS_AD}">{statuses}'
        f"<psdyn:AlertTable>{alerts}</psdyn:AlertTable></psdyn:ProductStatusDyn>"
    )


def alert(alert_id: str, severity: str | None = None, where: str | None = None) -> str:
    sev = f"<ad:Severity>{severity}</ad:Severity>" if severity else ""
    loc = (
        f"<ad:AlertDetails><ad:AlertDetailsLocation>{where}</ad:AlertDetailsLocation>"
        "</ad:AlertDetails>"
        if where
        else ""
    )
    return (
        f"<psdyn:Alert><ad:ProductStatusAlertID>{alert_id}</ad:ProductStatusAlertID>"
        f"{sev}{loc}</psdyn:Alert>"
    )


# -- evaluation of every simulator scenario ------------------------------------------------

EXPECTED = {
    "ready": (PrinterState.READY, (), ("genuineHP",)),
    "jammed": (PrinterState.BLOCKED, ("jamInPrinter (Tray 2)",), ()),
    "door_open": (PrinterState.BLOCKED, ("closeDoorOrCover",), ()),
    "main_tray_empty": (PrinterState.BLOCKED, ("trayEmptyOrOpen (Main tray)",), ()),
    "photo_tray_empty": (PrinterState.READY, (), ("trayEmpty (Photo tray)",)),
    "cartridge_missing": (
        PrinterState.BLOCKED,
        ("cartridgeMissing (Cartridge C)",),
        ("C low (0%)",),
    ),
    "power_save": (PrinterState.SLEEPING, (), ()),
    "initializing": (PrinterState.WARMING_UP, ("initializing",), ()),
    "low_toner": (PrinterState.READY, (), ("tonerLow (Cartridge K)", "K low (4%)")),
    "unknown_category": (PrinterState.UNKNOWN, ("fuserTooCool",), ()),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_scenarios(scenario: str) -> None:
    """Each simulated situation is rated as the issue says."""
    printer = PrinterSimulator(scenario)
    status = status_from_documents(
        parse_product_status(printer.product_status_xml()),
        parse_consumables(printer.consumables_xml()),
    )
    assert (status.state, status.reasons, status.warnings) == EXPECTED[scenario]
    assert status.releasable == (
        status.state in (PrinterState.READY, PrinterState.SLEEPING)
    )


def test_several_statuses_worst_wins() -> None:
    """Every Status counts: a jam beside ready blocks, beside initializing too."""
    report = parse_product_status(
        status_xml(["ready", "initializing", "jamInPrinter", "closeDoorOrCover"])
    )
    assert report.categories == (
        "ready",
        "initializing",
        "jamInPrinter",
        "closeDoorOrCover",
    )
    state, reasons, _ = evaluate(report)
    assert state is PrinterState.BLOCKED
    assert reasons == ["jamInPrinter", "closeDoorOrCover"]


@pytest.mark.parametrize(
    ("alerts", "expected"),
    [
        # An alert of an unknown category rated Error blocks; Warning/Info do not.
        (alert("fuserTooHot", "Error"), PrinterState.BLOCKED),
        (alert("fuserTooHot", "Warning"), PrinterState.READY),
        (alert("fuserTooHot", "Info"), PrinterState.READY),
        # Without a severity, an unknown category is unknown, never ready.
        (alert("fuserTooHot"), PrinterState.UNKNOWN),
        # Tray alerts: the main tray blocks, a secondary one warns.
        (alert("trayEmpty", "Error", "Tray 1"), PrinterState.BLOCKED),
        (alert("trayEmpty", "Error"), PrinterState.BLOCKED),
        (alert("trayEmpty", "Error", "Envelope feeder"), PrinterState.READY),
        (alert("insertOrCloseTray", "Warning", "Tray 3"), PrinterState.READY),
        # A jam is a jam, whatever severity the printer gives it.
        (alert("jamInPrinter", "Warning"), PrinterState.BLOCKED),
        # Known harmless conditions only warn.
        (alert("cartridgeLow", "Warning"), PrinterState.READY),
    ],
)
def test_alert_severity(alerts: str, expected: PrinterState) -> None:
    """AlertTable alerts are rated with their ad:Severity."""
    state, _reasons, _warnings = evaluate(
        parse_product_status(status_xml(["ready"], alerts))
    )
    assert state is expected


def test_alert_without_id_and_no_category() -> None:
    """Alerts without an id are skipped; no category at all is unknown."""
    report = parse_product_status(status_xml([], "<psdyn:Alert/>"))
    assert report == LedmStatusReport(categories=())
    assert evaluate(report) == (PrinterState.UNKNOWN, ["no status category"], [])


def test_main_tray_status_with_a_secondary_alert_is_a_warning() -> None:
    """A tray category named only by secondary-tray alerts does not block."""
    report = LedmStatusReport(
        ("ready", "trayEmpty"),
        (LedmAlert("trayEmpty", "Error", "Photo tray"),),
    )
    assert evaluate(report)[0] is PrinterState.READY
    report = LedmStatusReport(
        ("ready", "trayEmpty"),
        (
            LedmAlert("trayEmpty", "Error", "Photo tray"),
            LedmAlert("trayEmpty", "Error", "Tray 2"),
        ),
    )
    assert evaluate(report) == (
        PrinterState.BLOCKED,
        ["trayEmpty (Photo tray, Tray 2)"],
        [],
    )


def test_unprefixed_and_odd_documents() -> None:
    """Default namespaces, other dated namespaces and odd texts are read the same."""
    doc = (
        '<ProductStatusDyn xmlns="http://www.hp.com/schemas/imaging/con/ledm/'
        'productstatusdyn/2099/01/01"><Status><StatusCategory> ready\n'
        "</StatusCategory></Status><Status><StatusCategory>ready</StatusCategory>"
        "</Status><Status/><!-- a comment --></ProductStatusDyn>"
    )
    assert parse_product_status(doc).categories == ("ready",)
    long = "a\tb" + "x" * 500
    report = parse_product_status(status_xml([long]))
    assert report.categories == ("ab" + "x" * 78,)


def test_consumables_and_config() -> None:
    """ConsumableConfigDyn and ProductConfigDyn of the simulator."""
    printer = PrinterSimulator()
    supplies = parse_consumables(printer.consumables_xml())
    assert [
        (s.label, s.type, s.percent, s.low_threshold, s.state) for s in supplies
    ] == [
        ("K", "toner", 62, 10, "ok"),
        ("C", "toner", 48, 10, "ok"),
        ("M", "toner", 35, 10, "ok"),
        ("Y", "toner", 80, 10, "ok"),
    ]
    assert [s.color for s in supplies] == ["black", "cyan", "magenta", "yellow"]
    info = parse_product_config(printer.product_config_xml())
    assert (info.make, info.model, info.serial) == ("HP", MODEL, SERIAL)


def test_consumables_edge_cases() -> None:
    """Odd consumables: clamped levels, junk levels, duplicates, no label.

    A tri-colour head keeps its CMY label.
    """
    doc = (
        '<ccdyn:ConsumableConfigDyn xmlns:ccdyn="urn:c" xmlns:dd="urn:d">'
        "<ccdyn:ConsumableInfo><dd:ConsumableLabelCode>CMY</dd:ConsumableLabelCode>"
        "<dd:ConsumablePercentageLevelRemaining>140</dd:ConsumablePercentageLevelRemaining>"
        "<dd:ConsumableLowThreshold>-3</dd:ConsumableLowThreshold></ccdyn:ConsumableInfo>"
        "<ccdyn:ConsumableInfo><dd:ConsumableLabelCode>CMY</dd:ConsumableLabelCode>"
        "</ccdyn:ConsumableInfo>"
        "<ccdyn:ConsumableInfo><dd:ConsumableTypeEnum>printhead</dd:ConsumableTypeEnum>"
        "</ccdyn:ConsumableInfo>"
        "<ccdyn:ConsumableInfo><dd:ConsumableLabelCode>PK</dd:ConsumableLabelCode>"
        "<dd:ConsumablePercentageLevelRemaining>lots</dd:ConsumablePercentageLevelRemaining>"
        "</ccdyn:ConsumableInfo></ccdyn:ConsumableConfigDyn>"
    )
    supplies = parse_consumables(doc)
    assert [(s.label, s.percent, s.low_threshold, s.color) for s in supplies] == [
        ("CMY", 100, 0, "tricolor"),
        ("PK", None, None, None),
    ]
    assert not supplies[0].is_low


@pytest.mark.parametrize(
    "document",
    [
        # Billion laughs: entities are refused, never expanded.
        (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            "<ProductStatusDyn>&lol3;</ProductStatusDyn>"
        ),
        # External entity: nothing is fetched or read.
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            "<ProductStatusDyn><Status><StatusCategory>&e;</StatusCategory></Status>"
            "</ProductStatusDyn>"
        ),
        # External DTD.
        (
            '<?xml version="1.0"?><!DOCTYPE ProductStatusDyn SYSTEM "http://127.0.0.1:9/x.dtd">'
            "<ProductStatusDyn/>"
        ),
        # Parameter entities.
        '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p"> %p;]><ProductStatusDyn/>',
        "<html><body>Not found</body></html>",
        "<ProductStatusDyn>",
        "",
        b'<?xml version="1.0" encoding="no-such-encoding"?><ProductStatusDyn/>',
        b"\xff\xfe<\x00",
    ],
)
def test_hostile_and_broken_xml(document: str | bytes) -> None:
    """Hostile or broken XML is a clean parse error."""
    with pytest.raises(PrinterParseError):
        parse_product_status(document)


def test_wrong_documents() -> None:
    """Each parser wants its own document."""
    printer = PrinterSimulator()
    with pytest.raises(PrinterParseError):
        parse_consumables(printer.product_status_xml())
    with pytest.raises(PrinterParseError):
        parse_product_config(printer.consumables_xml())


# -- fuzzing -------------------------------------------------------------------------------

PARSERS = (parse_product_status, parse_consumables, parse_product_config)
NAMES = st.sampled_from(
    [
        "ProductStatusDyn",
        "Status",
        "StatusCategory",
        "AlertTable",
        "Alert",
        "ProductStatusAlertID",
        "Severity",
        "AlertDetailsLocation",
        "ConsumableConfigDyn",
        "ConsumableInfo",
        "ConsumableLabelCode",
        "ConsumablePercentageLevelRemaining",
        "ConsumableLowThreshold",
        "ConsumableState",
        "ProductConfigDyn",
        "MakeAndModel",
        "SerialNumber",
        "x",
    ]
)
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="<&"),
    max_size=20,
)


@st.composite
def documents(draw: st.DrawFn, depth: int = 0) -> str:
    """Well-formed documents built from LEDM element names, in random shapes."""
    name = draw(NAMES)
    prefix = draw(st.sampled_from(["", "psdyn:", "dd:", "ad:", "ccdyn:"]))
    children = draw(st.lists(documents(depth + 1), max_size=4)) if depth < 4 else []
    body = draw(TEXT) + "".join(children)
    ns = (
        ' xmlns:psdyn="urn:a" xmlns:dd="urn:b" xmlns:ad="urn:c" xmlns:ccdyn="urn:d"'
        if depth == 0
        else ""
    )
    return f"<{prefix}{name}{ns}>{body}</{prefix}{name}>"


def _check(parser: object, data: str | bytes) -> None:
    try:
        result = parser(data)  # type: ignore[operator]
    except PrinterParseError:
        return
    if parser is parse_product_status:
        state, reasons, warnings = evaluate(result)
        assert isinstance(state, PrinterState)
        assert all(isinstance(r, str) and len(r) < 300 for r in reasons + warnings)
        if state is PrinterState.READY:
            assert "ready" in result.categories or result.alerts


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PARSERS), st.binary(max_size=300))
def test_fuzz_bytes(parser: object, data: bytes) -> None:
    """Any bytes: a result or a parse error, never a crash."""
    _check(parser, data)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PARSERS), documents())
def test_fuzz_documents(parser: object, data: str) -> None:
    """Random documents with LEDM element names parse or fail cleanly."""
    _check(parser, data)


@settings(max_examples=150)
@given(
    st.lists(st.sampled_from(["ready", "inPowerSave", "processing"]), min_size=1),
    st.lists(st.text(alphabet="abcdefgXYZ", min_size=1, max_size=12), max_size=3),
)
def test_fuzz_unknown_categories_are_never_ready(
    fine: list[str], unknown: list[str]
) -> None:
    """However they are mixed with fine ones, unknown categories never read as ready."""
    report = parse_product_status(status_xml(fine + unknown))
    state, reasons, _warnings = evaluate(report)
    if unknown:
        assert state is PrinterState.UNKNOWN
        assert set(reasons) == set(unknown)
    else:
        assert state in (PrinterState.READY, PrinterState.SLEEPING, PrinterState.BUSY)


@settings(max_examples=50, deadline=None)
@given(
    st.integers(min_value=1, max_value=12),
    st.sampled_from(["lol", "x" * 50]),
)
def test_fuzz_entity_bombs(levels: int, text: str) -> None:
    """Nested entity definitions of any depth are refused quickly, never expanded."""
    entities = f'<!ENTITY e0 "{text}">' + "".join(
        f'<!ENTITY e{n} "{("&e" + str(n - 1) + ";") * 10}">' for n in range(1, levels)
    )
    doc = (
        f"<!DOCTYPE d [{entities}]><ProductStatusDyn>&e{levels - 1};</ProductStatusDyn>"
    )
    with pytest.raises(PrinterParseError):
        parse_product_status(doc)


# -- the client against the simulated printer ----------------------------------------------


async def test_client_reads_status_supplies_and_info(
    printer_sim: PrinterSimulator, session: aiohttp.ClientSession
) -> None:
    """The client reads the three documents; device info only once."""
    client = LedmClient(session, printer_sim.url + "some/page?x=1")
    assert client.base_url == printer_sim.url
    printer_sim.set_scenario("jammed")
    status = await client.status()
    assert status.state is PrinterState.BLOCKED
    assert status.reasons == ("jamInPrinter (Tray 2)",)
    assert [s.percent for s in status.supplies] == [62, 48, 35, 80]
    assert status.info is not None and status.info.serial == SERIAL
    await client.status()
    assert printer_sim.requests["/DevMgmt/ProductConfigDyn.xml"] == 1
    assert printer_sim.requests["/DevMgmt/ProductStatusDyn.xml"] == 2


async def test_client_404(
    printer_sim: PrinterSimulator, session: aiohttp.ClientSession
) -> None:
    """A printer without LEDM answers 404: a clear 'not supported' error."""
    printer_sim.not_found = True
    client = LedmClient(session, printer_sim.url)
    with pytest.raises(PrinterNotSupportedError):
        await client.status()
    assert await client.consumables() == ()
    info = await client.product_info()
    assert info.model is None


async def test_client_optional_documents_may_fail(
    printer_sim: PrinterSimulator, session: aiohttp.ClientSession
) -> None:
    """Only the status document is required."""
    client = LedmClient(session, printer_sim.url)

    async def broken() -> None:
        raise PrinterParseError("bad")

    client.consumables = broken  # type: ignore[assignment,method-assign]
    client.product_info = broken  # type: ignore[assignment,method-assign]
    status = await client.status()
    assert status.state is PrinterState.READY
    assert status.supplies == ()
    assert status.info is None


async def test_client_slow_first_answer(
    printer_sim: PrinterSimulator, session: aiohttp.ClientSession
) -> None:
    """A sleeping printer's late first answer.

    It arrives within a generous timeout, and is a timeout error with a short one.
    """
    printer_sim.fall_asleep(0.3)
    client = LedmClient(session, printer_sim.url, timeout=5)
    assert (await client.status()).state is PrinterState.READY
    printer_sim.fall_asleep(1.0)
    short = LedmClient(session, printer_sim.url, timeout=0.2)
    with pytest.raises(PrinterTimeoutError):
        await short.product_status()
    assert (await short.product_status()).categories == ("ready",)


async def test_client_connection_errors(
    printer_sim: PrinterSimulator, session: aiohttp.ClientSession
) -> None:
    """A printer that does not listen, or answers with another HTTP error."""
    url = printer_sim.url
    await printer_sim.stop()
    with pytest.raises(PrinterConnectionError):
        await LedmClient(session, url).status()
    with pytest.raises(ValueError):
        LedmClient(session, "ipp://127.0.0.1/ipp/print")


async def test_client_http_error_and_oversized(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """HTTP 500 is a connection error; a huge document is refused unread."""
    from aiohttp import web

    async def error(_request: web.Request) -> web.Response:
        return web.Response(status=500)

    async def huge(_request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"<a>" + b"x" * (2 << 20) + b"</a>")

    app = web.Application()
    app.router.add_get("/DevMgmt/ProductStatusDyn.xml", error)
    app.router.add_get("/DevMgmt/ConsumableConfigDyn.xml", huge)
    app.router.add_get("/EventMgmt/EventTable", error)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        client = LedmClient(session, f"http://127.0.0.1:{port}")
        with pytest.raises(PrinterConnectionError):
            await client.product_status()
        with pytest.raises(PrinterParseError):
            await client.consumables()
        with pytest.raises(PrinterConnectionError):
            await client.wait_for_event(None)
    finally:
        await runner.cleanup()


async def test_event_table_long_poll(
    printer_sim: PrinterSimulator, session: aiohttp.ClientSession
) -> None:
    """The event table's long poll.

    The first call returns the ETag; a change ends the long poll with a new one; a
    wait without a change returns the same ETag (304).
    """
    client = LedmClient(session, printer_sim.url, event_wait_tenths=2)
    etag = await client.wait_for_event(None)
    assert etag == printer_sim.etag
    assert await client.wait_for_event(etag) == etag
    client.event_wait_tenths = 100
    waiting = asyncio.create_task(client.wait_for_event(etag))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    printer_sim.set_scenario("door_open")
    assert await asyncio.wait_for(waiting, 5) == printer_sim.etag != etag
    printer_sim.events = False
    with pytest.raises(PrinterNotSupportedError):
        await client.wait_for_event(None)


def _self_signed(directory: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "simulated printer")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


async def test_https_self_signed(
    tmp_path: Path, session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """HTTPS with a self-signed certificate works with verification off, not with it on."""
    printer = PrinterSimulator("power_save")
    url = await printer.start(_self_signed(tmp_path))
    try:
        assert url.startswith("https://")
        status = await LedmClient(session, url, verify_ssl=False).status()
        assert status.state is PrinterState.SLEEPING
        # The refused handshake is also an error on the server side: not this test's.
        loop = asyncio.get_running_loop()
        handler = loop.get_exception_handler()
        loop.set_exception_handler(lambda _loop, _context: None)
        try:
            with pytest.raises(PrinterConnectionError):
                await LedmClient(session, url, verify_ssl=True).status()
            await asyncio.sleep(0.05)
        finally:
            loop.set_exception_handler(handler)
    finally:
        await printer.stop()
