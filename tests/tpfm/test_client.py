"""Tests of the TPFM client against the simulator over 127.0.0.1 (real aiohttp sessions)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
import logging
import time
from typing import Any

import aiohttp
import pytest

from custom_components.ezeep.tpfm import (
    DEFAULT_USER_AGENT,
    Job,
    ProgressEvent,
    ProgressUnit,
    TpfmAuthError,
    TpfmClient,
    TpfmCommandError,
    TpfmCommandNotSupportedError,
    TpfmConnectionError,
    TpfmError,
    TpfmHttpError,
    TpfmInvalidCopiesError,
    TpfmInvalidDeleteFlagError,
    TpfmInvalidPrinterError,
    TpfmInvalidProcIdError,
    TpfmInvalidProgressFlagError,
    TpfmJobNotFoundError,
    TpfmParseError,
    TpfmPrintCanceledError,
    TpfmServerOsError,
    TpfmStreamError,
    TpfmTimeoutError,
    TpfmUserNotAllowedError,
    client as client_module,
    error_for_code,
    normalize_url,
)
from tests.simulator import (
    ALL_COMMANDS,
    BROKEN_BASE64,
    ERROR_TEXTS,
    FIRST_PROC_ID,
    GUEST_COMMANDS,
    SimJob,
    Simulator,
)
from tests.simulator.server import FILE_VERSIONS

from .fixtures import RawServer, b64, chunk, closed_port, http_head

PASSWORD = "sim-password"
USER = "test-user-1"
OTHER_USER = "test-user-2"
UNKNOWN_USER = "card-0001"
PRINTERS = ("printer-1", "printer-2")
AGENT = "ezp-pp-test/1.0"
FAST_RETRIES = (0.01, 0.01)

type MakeClient = Callable[..., TpfmClient]

pytestmark = pytest.mark.usefixtures("local_sockets")


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(PASSWORD, printers=PRINTERS) as simulator:
        simulator.add_user(
            USER,
            [
                SimJob("job-1.tpf", "Erste Seite.pdf", size=11993, job_id="a1"),
                SimJob("job-2.tpf", "Report: Q3 — Grüße.docx", driver_name="HP PCL"),
            ],
        )
        simulator.add_user(OTHER_USER)
        yield simulator


@pytest.fixture
def make_client(sim: Simulator, session: aiohttp.ClientSession) -> MakeClient:
    def make(**kwargs: Any) -> TpfmClient:
        kwargs.setdefault("retry_delays", FAST_RETRIES)
        kwargs.setdefault("user_agent", AGENT)
        # Short limits, so that a misbehaving simulator fails a test instead of hanging it.
        kwargs.setdefault("request_timeout", 5.0)
        kwargs.setdefault("print_start_timeout", 5.0)
        kwargs.setdefault("stream_read_timeout", 5.0)
        url = kwargs.pop("url", sim.url)
        return TpfmClient(session, url, kwargs.pop("password", PASSWORD), **kwargs)

    return make


@pytest.fixture
def client(make_client: MakeClient) -> TpfmClient:
    return make_client()


def names(jobs: tuple[Job, ...]) -> list[str]:
    return [job.file_name for job in jobs]


# -- commands ------------------------------------------------------------------------------


async def test_get_version(client: TpfmClient, sim: Simulator) -> None:
    info = await client.get_version()
    assert info.file_versions == dict(FILE_VERSIONS)
    (request,) = sim.requests
    assert request.cmd == "GetVersion"
    assert request.user is None
    assert request.params == {"Cmd": "GetVersion"}


async def test_get_capabilities_guest_and_user(
    client: TpfmClient, sim: Simulator
) -> None:
    guest = await client.get_capabilities()
    assert guest.commands == GUEST_COMMANDS
    assert not guest.supports("PrintJob")
    assert guest.system == {"Type": "essentials"}
    user = await client.get_capabilities(USER)
    assert user.commands == ALL_COMMANDS
    assert user.supports("printjob")
    assert [(r.user, r.authorized) for r in sim.requests] == [
        (None, False),
        (USER, True),
    ]


async def test_get_job_list(client: TpfmClient, sim: Simulator) -> None:
    result = await client.get_job_list(USER)
    assert not result.visible
    assert result.skipped == 0
    first, second = result.jobs
    assert first == Job(
        file_name="job-1.tpf",
        size=11993,
        created=datetime(2022, 10, 12, 7, 47, 31, tzinfo=UTC),
        modified=datetime(2022, 10, 12, 7, 47, 31, tzinfo=UTC),
        attributes=0,
        job_id="a1",
        display_name="Erste Seite.pdf",
        driver_name="",
    )
    assert second.display_name == "Report: Q3 — Grüße.docx"
    assert second.driver_name == "HP PCL"
    assert sim.requests[-1].params == {"Cmd": "GetJobList"}
    assert await client.get_job_list(OTHER_USER) == type(result)(jobs=(), visible=False)


@pytest.mark.parametrize(
    ("header", "visible"), [("1", True), ("0", False), (None, False), ("yes", False)]
)
async def test_get_job_list_visible(
    client: TpfmClient, sim: Simulator, header: str | None, visible: bool
) -> None:
    sim.visible = header
    assert (await client.get_job_list(USER)).visible is visible


async def test_get_job_list_printer_filter_and_max_entries(
    client: TpfmClient, sim: Simulator
) -> None:
    sim.add_job(USER, SimJob("only-2.tpf", printers=frozenset({"printer-2"})))
    assert names((await client.get_job_list(USER)).jobs) == [
        "job-1.tpf",
        "job-2.tpf",
        "only-2.tpf",
    ]
    assert names((await client.get_job_list(USER, printer="printer-1")).jobs) == [
        "job-1.tpf",
        "job-2.tpf",
    ]
    assert sim.requests[-1].params == {"Cmd": "GetJobList", "Printer": "printer-1"}
    assert len((await client.get_job_list(USER, printer="printer-2")).jobs) == 3
    assert len((await client.get_job_list(USER, printer="")).jobs) == 3
    assert "Printer" not in sim.requests[-1].params
    limited = await client.get_job_list(USER, max_entries=1)
    assert names(limited.jobs) == ["job-1.tpf"]
    assert sim.requests[-1].params == {"Cmd": "GetJobList", "MaxEntries": "1"}
    assert (await client.get_job_list(USER, max_entries=0)).jobs == ()


async def test_held_jobs(client: TpfmClient, sim: Simulator) -> None:
    await client.set_job_properties(USER, "job-1.tpf", on_hold=True)
    assert sim.requests[-1].params == {
        "Cmd": "SetJobProperties",
        "Job": "job-1.tpf",
        "PutOnHold": "1",
    }
    assert sim.jobs_of(USER)[0].on_hold
    assert names((await client.get_job_list(USER)).jobs) == ["job-2.tpf"]
    everything = await client.get_job_list(USER, show_held=True)
    assert sim.requests[-1].params["ShowPutOnHoldJobs"] == "1"
    assert names(everything.jobs) == ["job-1.tpf", "job-2.tpf"]

    sim.visible = "1"
    marked = await client.get_jobs_with_held(USER, printer="printer-1")
    assert [(job.file_name, job.on_hold) for job in marked.jobs] == [
        ("job-2.tpf", False),
        ("job-1.tpf", True),
    ]
    assert marked.visible
    assert marked.skipped == 0
    assert all(r.params.get("Printer") == "printer-1" for r in sim.requests[-2:])

    await client.set_job_properties(USER, "job-1.tpf", on_hold=False)
    assert sim.requests[-1].params["PutOnHold"] == "0"
    assert names((await client.get_job_list(USER)).jobs) == ["job-1.tpf", "job-2.tpf"]


async def test_set_job_properties_modified_date(
    client: TpfmClient, sim: Simulator
) -> None:
    when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    await client.set_job_properties(USER, "job-2.tpf", modified=when)
    assert sim.requests[-1].params == {
        "Cmd": "SetJobProperties",
        "Job": "job-2.tpf",
        "ModifiedDate": str(int(when.timestamp())),
    }
    assert (await client.get_job_list(USER)).jobs[1].modified == when
    await client.set_job_properties(USER, "job-2.tpf", modified=134156500)
    assert sim.jobs_of(USER)[1].modified == 134156500
    await client.set_job_properties(USER, "job-2.tpf")
    assert sim.requests[-1].params == {"Cmd": "SetJobProperties", "Job": "job-2.tpf"}
    with pytest.raises(TpfmJobNotFoundError):
        await client.set_job_properties(USER, "missing.tpf", on_hold=True)


async def test_delete_job(client: TpfmClient, sim: Simulator) -> None:
    await client.delete_job(USER, "job-1.tpf")
    assert [job.file_name for job in sim.jobs_of(USER)] == ["job-2.tpf"]
    with pytest.raises(TpfmJobNotFoundError) as err:
        await client.delete_job(USER, "job-1.tpf")
    assert err.value.code == 5
    assert err.value.error_text == ERROR_TEXTS[5]
    assert sim.counts["DeleteJob"] == 2


async def test_print_job(client: TpfmClient, sim: Simulator) -> None:
    async with client.print_job(
        USER, "job-1.tpf", printer="printer-1", copies=2
    ) as stream:
        assert stream.proc_id == FIRST_PROC_ID
        assert stream.progress_unit is ProgressUnit.PAGES
        events = [event async for event in stream]
    assert events == [ProgressEvent(n, 3, ProgressUnit.PAGES) for n in (1, 2, 3)]
    assert stream.last_progress == events[-1]
    assert stream.result is not None
    assert stream.result.ok
    assert not stream.result.canceled
    assert stream.result.proc_id == FIRST_PROC_ID
    assert sim.requests[-1].params == {
        "Cmd": "PrintJob",
        "Job": "job-1.tpf",
        "Printer": "printer-1",
        "Copies": "2",
        "Delete": "1",
        "Progress": "1",
    }
    (record,) = sim.prints
    assert (record.copies, record.delete, record.result, record.pages_done) == (
        2,
        True,
        0,
        3,
    )
    # Delete=1 (the default) removed the job.
    assert names((await client.get_job_list(USER)).jobs) == ["job-2.tpf"]


async def test_print_job_keep_and_no_printer(
    client: TpfmClient, sim: Simulator
) -> None:
    async with client.print_job(USER, "job-2.tpf", delete=False) as stream:
        result = await stream.wait_result()
    assert result.ok
    assert "Printer" not in sim.requests[-1].params
    assert sim.requests[-1].params["Delete"] == "0"
    assert sim.prints[-1].printer is None
    assert "job-2.tpf" in names((await client.get_job_list(USER)).jobs)
    async with client.print_job(USER, "job-2.tpf", printer="", delete=False) as again:
        assert again.proc_id == FIRST_PROC_ID + 1
        await again.wait_result()
    assert "Printer" not in sim.requests[-1].params


async def test_cancel_print_job_unknown_proc_id(
    client: TpfmClient, sim: Simulator
) -> None:
    with pytest.raises(TpfmInvalidProcIdError) as err:
        await client.cancel_print_job(USER, 4711)
    assert err.value.error_text == ERROR_TEXTS[9]
    assert sim.requests[-1].params == {"Cmd": "CancelPrintJob", "ProcId": "4711"}
    assert sim.counts["CancelPrintJob"] == 1


# -- error codes ---------------------------------------------------------------------------


async def test_code_1_os_error_with_decoded_texts(
    client: TpfmClient, sim: Simulator
) -> None:
    with pytest.raises(TpfmServerOsError) as err:
        await client.get_job_list(USER, max_entries=-1)
    assert err.value.code == 1
    assert err.value.error_text == ERROR_TEXTS[1].strip()
    assert err.value.os_error == 87
    assert err.value.os_error_text == "The parameter is incorrect."
    assert sim.counts["GetJobList"] == 1  # command errors are not retried


async def test_code_2_command_not_supported(client: TpfmClient) -> None:
    with pytest.raises(TpfmCommandNotSupportedError) as err:
        await client._get("NoSuchCommand", {}, USER)
    assert err.value.error_text == ERROR_TEXTS[2]
    assert err.value.os_error is None


async def test_code_3_unknown_user_prints_one_registration_sheet_per_call(
    client: TpfmClient, sim: Simulator
) -> None:
    with pytest.raises(TpfmUserNotAllowedError) as err:
        await client.get_job_list(UNKNOWN_USER)
    assert err.value.code == 3
    assert err.value.error_text == ERROR_TEXTS[3]
    assert sim.counts["GetJobList"] == 1
    assert sim.registration_printouts == {UNKNOWN_USER: 1}
    with pytest.raises(TpfmUserNotAllowedError):
        await client.get_capabilities(UNKNOWN_USER)
    assert sim.counts["GetCapabilities"] == 1
    assert sim.registration_printouts == {UNKNOWN_USER: 2}
    with pytest.raises(TpfmUserNotAllowedError):
        async with client.print_job(UNKNOWN_USER, "job-1.tpf"):
            pytest.fail("entered a refused PrintJob")
    assert sim.registration_printouts == {UNKNOWN_USER: 3}
    assert sim.prints == []


async def test_code_4_invalid_printer(client: TpfmClient, sim: Simulator) -> None:
    with pytest.raises(TpfmInvalidPrinterError) as err:
        await client.get_job_list(USER, printer="printer-9")
    assert err.value.error_text == "Invalid printer was specified"
    with pytest.raises(TpfmInvalidPrinterError):
        async with client.print_job(USER, "job-1.tpf", printer="printer-9"):
            pytest.fail("entered")
    sim.add_job(USER, SimJob("p2.tpf", printers=frozenset({"printer-2"})))
    with pytest.raises(TpfmInvalidPrinterError):
        async with client.print_job(USER, "p2.tpf", printer="printer-1"):
            pytest.fail("entered")
    assert sim.prints == []


async def test_code_5_job_not_found_on_print(
    client: TpfmClient, sim: Simulator
) -> None:
    with pytest.raises(TpfmJobNotFoundError):
        async with client.print_job(USER, "gone.tpf"):
            pytest.fail("entered")
    assert sim.counts["PrintJob"] == 1


async def test_code_6_invalid_copies(client: TpfmClient) -> None:
    with pytest.raises(TpfmInvalidCopiesError) as err:
        async with client.print_job(USER, "job-1.tpf", copies=0):
            pytest.fail("entered")
    assert err.value.error_text == ERROR_TEXTS[6]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"Delete": 2}, TpfmInvalidDeleteFlagError),
        ({"Progress": 5}, TpfmInvalidProgressFlagError),
    ],
)
async def test_codes_7_and_8_invalid_flags(
    client: TpfmClient, params: dict[str, int], error: type[TpfmCommandError]
) -> None:
    # The public API only sends 0 or 1; the raw request path shows the mapping.
    with pytest.raises(error) as err:
        await client._get("PrintJob", {"Job": "job-1.tpf", **params}, USER)
    assert err.value.error_text == ERROR_TEXTS[error.code]


@pytest.mark.parametrize("code", range(1, 11))
async def test_print_failure_results_map_to_their_classes(
    client: TpfmClient, sim: Simulator, code: int
) -> None:
    sim.add_job(
        USER,
        SimJob(
            "fail.tpf",
            steps=3,
            fail_code=code,
            fail_after=1,
            error_text="Papierstau in Fach 2: ä 🖨",
            os_error=5,
            os_error_text="Zugriff verweigert",
        ),
    )
    async with client.print_job(USER, "fail.tpf") as stream:
        events = [event async for event in stream]
    assert events == [ProgressEvent(1, 3, ProgressUnit.PAGES)]
    result = stream.result
    assert result is not None
    assert result.code == code
    assert not result.ok
    assert result.canceled is (code == 10)
    if code == 10:
        # The simulator treats 10 as a cancel: the server's own text, no OS error.
        texts = (ERROR_TEXTS[10], 0, "")
    else:
        texts = ("Papierstau in Fach 2: ä 🖨", 5, "Zugriff verweigert")
    assert (result.error_text, result.os_error, result.os_error_text) == texts
    error = error_for_code(
        result.code,
        error_text=result.error_text,
        os_error=result.os_error,
        os_error_text=result.os_error_text,
    )
    expected = {
        1: TpfmServerOsError,
        2: TpfmCommandNotSupportedError,
        3: TpfmUserNotAllowedError,
        4: TpfmInvalidPrinterError,
        5: TpfmJobNotFoundError,
        6: TpfmInvalidCopiesError,
        7: TpfmInvalidDeleteFlagError,
        8: TpfmInvalidProgressFlagError,
        9: TpfmInvalidProcIdError,
        10: TpfmPrintCanceledError,
    }[code]
    assert type(error) is expected
    assert error.code == code
    assert str(error) == f"X-FMP-Return {code}: {texts[0]}"
    # A failed print keeps the job.
    assert "fail.tpf" in [job.file_name for job in sim.jobs_of(USER)]


def test_error_classes() -> None:
    unknown = error_for_code(42, error_text="x")
    assert type(unknown) is TpfmCommandError
    assert unknown.code == 42
    assert str(unknown) == "X-FMP-Return 42: x"
    assert str(TpfmJobNotFoundError()) == "X-FMP-Return 5"
    assert str(TpfmError()) == "TpfmError"
    assert str(TpfmError(error_text="text")) == "text"
    assert TpfmAuthError().status == 401
    assert str(TpfmAuthError()) == "HTTP 401 Unauthorized"
    assert not TpfmAuthError().transient
    assert TpfmHttpError(500).transient
    assert TpfmHttpError(503).transient
    assert TpfmHttpError(429).transient
    assert TpfmHttpError(408).transient
    assert not TpfmHttpError(404).transient
    assert str(TpfmHttpError(502)) == "HTTP 502"
    assert issubclass(TpfmTimeoutError, TpfmConnectionError)
    assert issubclass(TpfmStreamError, TpfmConnectionError)


# -- HTTP faults and retries ---------------------------------------------------------------


async def test_http_401_is_auth_error_and_not_retried(
    make_client: MakeClient, sim: Simulator
) -> None:
    client = make_client(password="wrong-password")
    with pytest.raises(TpfmAuthError) as err:
        await client.get_job_list(USER)
    assert err.value.status == 401
    assert sim.counts["GetJobList"] == 1
    assert sim.requests[-1].status == 401
    with pytest.raises(TpfmAuthError):
        async with client.print_job(USER, "job-1.tpf"):
            pytest.fail("entered")
    assert sim.prints == []


@pytest.mark.parametrize("cmd", ["GetJobList", "GetVersion", "GetCapabilities"])
async def test_http_500_read_only_commands_are_retried(
    client: TpfmClient, sim: Simulator, cmd: str
) -> None:
    calls = {
        "GetJobList": lambda: client.get_job_list(USER),
        "GetVersion": client.get_version,
        "GetCapabilities": lambda: client.get_capabilities(USER),
    }
    sim.http_error(cmd, 500)
    with pytest.raises(TpfmHttpError) as err:
        await calls[cmd]()
    assert err.value.status == 500
    assert sim.counts[cmd] == 1 + len(FAST_RETRIES)
    sim.reset_log()
    sim.http_error(cmd, 503, times=2)
    await calls[cmd]()
    assert sim.counts[cmd] == 3


async def test_http_404_is_not_retried(client: TpfmClient, sim: Simulator) -> None:
    sim.http_error("GetJobList", 404)
    with pytest.raises(TpfmHttpError) as err:
        await client.get_job_list(USER)
    assert err.value.status == 404
    assert not isinstance(err.value, TpfmAuthError)
    assert sim.counts["GetJobList"] == 1


async def test_retries_are_logged_without_user_or_password(
    client: TpfmClient, sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    sim.http_error("GetJobList", 500, times=1)
    with caplog.at_level(logging.DEBUG, logger="custom_components.ezeep.tpfm"):
        await client.get_job_list(USER)
    client_log = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.ezeep.tpfm")
    )
    assert "GetJobList failed (TpfmHttpError), retrying" in client_log
    assert USER not in client_log
    assert PASSWORD not in caplog.text


@pytest.mark.parametrize(
    "cmd", ["PrintJob", "DeleteJob", "CancelPrintJob", "SetJobProperties"]
)
async def test_http_500_on_commands_that_change_things_is_not_retried(
    client: TpfmClient, sim: Simulator, cmd: str
) -> None:
    async def call() -> None:
        if cmd == "PrintJob":
            async with client.print_job(USER, "job-1.tpf"):
                pytest.fail("entered")
        elif cmd == "DeleteJob":
            await client.delete_job(USER, "job-1.tpf")
        elif cmd == "CancelPrintJob":
            await client.cancel_print_job(USER, FIRST_PROC_ID)
        else:
            await client.set_job_properties(USER, "job-1.tpf", on_hold=True)

    sim.http_error(cmd, 500)
    with pytest.raises(TpfmHttpError) as err:
        await call()
    assert err.value.status == 500
    assert sim.counts[cmd] == 1
    assert sim.prints == []
    assert len(sim.jobs_of(USER)) == 2


async def test_stall_times_out_and_is_retried(
    make_client: MakeClient, sim: Simulator
) -> None:
    client = make_client(request_timeout=0.3)
    sim.stall("GetJobList", 5.0)
    started = time.monotonic()
    with pytest.raises(TpfmTimeoutError):
        await client.get_job_list(USER)
    elapsed = time.monotonic() - started
    assert sim.counts["GetJobList"] == 3
    # Three attempts of 0.3 s: request_timeout bounds the wait, not connect + request.
    assert 0.85 < elapsed < 3.0
    sim.clear_faults()
    assert len((await client.get_job_list(USER)).jobs) == 2


async def test_stall_on_delete_is_not_retried(
    make_client: MakeClient, sim: Simulator
) -> None:
    client = make_client(request_timeout=0.2)
    sim.stall("DeleteJob", 5.0)
    with pytest.raises(TpfmTimeoutError):
        await client.delete_job(USER, "job-1.tpf")
    assert sim.counts["DeleteJob"] == 1


async def test_print_start_timeout(make_client: MakeClient, sim: Simulator) -> None:
    client = make_client(print_start_timeout=0.2)
    sim.stall("PrintJob", 5.0)
    with pytest.raises(TpfmTimeoutError):
        async with client.print_job(USER, "job-1.tpf"):
            pytest.fail("entered")
    assert sim.counts["PrintJob"] == 1


@pytest.mark.parametrize("cmd", ["GetJobList", "GetVersion"])
async def test_garbage_is_a_parse_error_and_not_retried(
    client: TpfmClient, sim: Simulator, cmd: str
) -> None:
    sim.garbage(cmd)
    call = (
        (lambda: client.get_job_list(USER))
        if cmd == "GetJobList"
        else client.get_version
    )
    with pytest.raises(TpfmParseError):
        await call()
    assert sim.counts[cmd] == 1


async def test_garbage_on_print_job(client: TpfmClient, sim: Simulator) -> None:
    sim.garbage("PrintJob")
    with pytest.raises(TpfmParseError):
        async with client.print_job(USER, "job-1.tpf"):
            pytest.fail("entered")


async def test_malformed_job_line_is_skipped(
    client: TpfmClient, sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "Private Letter.pdf"
    sim.malformed_job_line(f"{secret}:not-a-size:0:0:0:0")
    with caplog.at_level(logging.WARNING):
        result = await client.get_job_list(USER)
    assert names(result.jobs) == ["job-1.tpf", "job-2.tpf"]
    assert result.skipped == 1
    assert "Skipping job line 2" in caplog.text
    assert secret not in caplog.text
    assert "Private" not in caplog.text


async def test_broken_base64_texts_stay_strings(
    client: TpfmClient, sim: Simulator
) -> None:
    sim.broken_base64 = True
    with pytest.raises(TpfmServerOsError) as err:
        await client.get_job_list(USER, max_entries=-1)
    assert err.value.error_text == BROKEN_BASE64
    assert err.value.os_error == 87
    assert err.value.os_error_text == BROKEN_BASE64
    sim.add_job(USER, SimJob("fail.tpf", fail_code=1, fail_after=0, os_error=3))
    async with client.print_job(USER, "fail.tpf") as stream:
        result = await stream.wait_result()
    assert result.code == 1
    assert result.error_text == BROKEN_BASE64
    assert result.os_error_text == BROKEN_BASE64
    assert result.os_error == 3


async def test_cut_stream(client: TpfmClient, sim: Simulator) -> None:
    sim.cut_stream(after_steps=1)
    events: list[ProgressEvent] = []
    async with client.print_job(USER, "job-1.tpf") as stream:
        with pytest.raises(TpfmStreamError):
            events.extend([event async for event in stream])
        assert stream.result is None
        with pytest.raises(TpfmStreamError):
            await stream.wait_result()
    assert stream.last_progress == ProgressEvent(1, 3, ProgressUnit.PAGES)
    sim.clear_faults()
    assert "job-1.tpf" in names((await client.get_job_list(USER)).jobs)
    assert sim.prints[-1].result is None


# -- PrintJob streaming --------------------------------------------------------------------


async def test_proc_id_arrives_before_the_first_chunk(
    client: TpfmClient, sim: Simulator
) -> None:
    sim.add_job(USER, SimJob("slow.tpf", steps=3, step_delay=0.4))
    started = time.monotonic()
    async with client.print_job(USER, "slow.tpf") as stream:
        entered = time.monotonic() - started
        assert entered < 0.3
        assert stream.proc_id == FIRST_PROC_ID
        assert stream.progress_unit is ProgressUnit.PAGES
        running = sim.running[FIRST_PROC_ID]
        assert running.pages_done == 0
        assert stream.last_progress is None
        assert stream.result is None

        events = aiter(stream)
        first = await anext(events)
        assert first == ProgressEvent(1, 3, ProgressUnit.PAGES)
        # The first event arrived while the simulator is still printing.
        assert FIRST_PROC_ID in sim.running
        assert sim.running[FIRST_PROC_ID].pages_done == 1
        assert sim.prints == []
        assert stream.result is None
        rest = [event async for event in events]
    assert rest == [ProgressEvent(n, 3, ProgressUnit.PAGES) for n in (2, 3)]
    assert stream.result is not None
    assert stream.result.ok
    assert time.monotonic() - started >= 1.1


async def test_percentage_progress(client: TpfmClient, sim: Simulator) -> None:
    sim.add_job(USER, SimJob("pct.tpf", steps=4, progress_type="Percentage"))
    async with client.print_job(USER, "pct.tpf") as stream:
        assert stream.progress_unit is ProgressUnit.PERCENT
        events = [event async for event in stream]
    assert events == [
        ProgressEvent(pct, 100, ProgressUnit.PERCENT) for pct in (25, 50, 75, 100)
    ]
    assert stream.result is not None
    assert stream.result.ok


async def test_print_without_progress(client: TpfmClient, sim: Simulator) -> None:
    async with client.print_job(USER, "job-1.tpf", progress=False) as stream:
        assert stream.progress_unit is None
        assert stream.proc_id == FIRST_PROC_ID
        events = [event async for event in stream]
    assert events == []
    assert stream.result is not None
    assert stream.result.ok
    assert sim.requests[-1].params["Progress"] == "0"
    assert sim.prints[-1].pages_done == 3


async def test_cancel_during_stream_on_the_same_session(
    client: TpfmClient, sim: Simulator
) -> None:
    sim.add_job(USER, SimJob("long.tpf", steps=20, step_delay=0.1))
    async with client.print_job(USER, "long.tpf") as stream:
        assert stream.proc_id is not None
        events = aiter(stream)
        assert (await anext(events)).done == 1
        await client.cancel_print_job(USER, stream.proc_id)
        # The cancel went over a second connection beside the open stream.
        assert sim.connections_opened == 2
        assert sim.requests[-1].params == {
            "Cmd": "CancelPrintJob",
            "ProcId": str(stream.proc_id),
        }
        result = await stream.wait_result()
    assert result.code == 10
    assert result.canceled
    assert result.error_text == ERROR_TEXTS[10]
    assert result.proc_id == FIRST_PROC_ID
    assert stream.last_progress is not None
    assert stream.last_progress.done < 20
    assert sim.prints[-1].result == 10
    # A canceled print keeps the job, even with Delete=1.
    assert "long.tpf" in names((await client.get_job_list(USER)).jobs)
    # The process is gone now.
    with pytest.raises(TpfmInvalidProcIdError):
        await client.cancel_print_job(USER, FIRST_PROC_ID)


async def test_cancel_by_another_user_is_refused(
    client: TpfmClient, sim: Simulator
) -> None:
    sim.add_job(USER, SimJob("long.tpf", steps=5, step_delay=0.05))
    async with client.print_job(USER, "long.tpf") as stream:
        assert stream.proc_id is not None
        with pytest.raises(TpfmInvalidProcIdError):
            await client.cancel_print_job(OTHER_USER, stream.proc_id)
        assert (await stream.wait_result()).ok


async def test_stream_read_timeout(make_client: MakeClient, sim: Simulator) -> None:
    client = make_client(stream_read_timeout=0.2)
    sim.add_job(USER, SimJob("slow.tpf", steps=2, step_delay=3.0))
    async with client.print_job(USER, "slow.tpf") as stream:
        started = time.monotonic()
        with pytest.raises(TpfmTimeoutError, match="no progress"):
            await stream.wait_result()
        assert time.monotonic() - started < 1.0


async def test_stream_iteration_rules(client: TpfmClient, sim: Simulator) -> None:
    stream = client.print_job(USER, "job-1.tpf")
    with pytest.raises(RuntimeError, match="async with"):
        aiter(stream)
    with pytest.raises(RuntimeError, match="async with"):
        await stream.wait_result()
    stream.close()  # harmless before entering
    async with stream:
        first = [event async for event in stream]
        with pytest.raises(RuntimeError, match="once"):
            aiter(stream)
        assert len(first) == 3
        # wait_result after a complete iteration returns the same result.
        assert await stream.wait_result() is stream.result
        assert await stream.wait_result() is stream.result


async def test_wait_result_after_breaking_out_of_the_loop(
    client: TpfmClient, sim: Simulator
) -> None:
    sim.add_job(USER, SimJob("five.tpf", steps=5))
    async with client.print_job(USER, "five.tpf") as stream:
        async for event in stream:
            if event.done == 2:
                break
        result = await stream.wait_result()
    assert result.ok
    # The events the loop did not read still count as the last progress.
    assert stream.last_progress == ProgressEvent(5, 5, ProgressUnit.PAGES)
    assert sim.prints[-1].result == 0


async def test_leaving_a_stream_early_drops_the_connection(
    client: TpfmClient, sim: Simulator
) -> None:
    sim.add_job(USER, SimJob("slow.tpf", steps=5, step_delay=0.1))
    async with client.print_job(USER, "slow.tpf") as stream:
        events = aiter(stream)
        await anext(events)
    async with asyncio.timeout(2):
        while not sim.prints:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    assert sim.prints[-1].result is None  # the simulator saw the client go away
    assert sim.prints[-1].pages_done < 5


async def test_leaving_a_stream_unread(client: TpfmClient, sim: Simulator) -> None:
    sim.add_job(USER, SimJob("slow.tpf", steps=5, step_delay=0.1))
    async with client.print_job(USER, "slow.tpf") as stream:
        assert stream.proc_id == FIRST_PROC_ID
    assert stream.result is None
    async with asyncio.timeout(2):
        while not sim.prints:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    assert sim.prints[-1].result is None
    assert "slow.tpf" in names((await client.get_job_list(USER)).jobs)


@pytest.mark.filterwarnings("error::DeprecationWarning")
async def test_one_kept_alive_connection_for_commands_and_prints(
    client: TpfmClient, sim: Simulator
) -> None:
    """The trailer after a PrintJob stream leaves the connection usable for the next call.

    Also: no deprecated aiohttp argument (such as ``auth=``) is used.
    """
    sim.add_job(USER, SimJob("fail.tpf", fail_code=5, fail_after=1))
    for _ in range(2):
        await client.get_job_list(USER)
    async with client.print_job(USER, "job-1.tpf") as stream:
        assert (await stream.wait_result()).ok
    await client.get_job_list(USER)
    async with client.print_job(USER, "fail.tpf") as stream:
        assert (await stream.wait_result()).code == 5
    await client.get_version()
    await client.delete_job(USER, "fail.tpf")
    assert names((await client.get_job_list(USER)).jobs) == ["job-2.tpf"]
    assert sim.connections_opened == 1


# -- headers, language, URLs ---------------------------------------------------------------


async def test_headers_on_every_request(
    make_client: MakeClient, sim: Simulator
) -> None:
    client = make_client(language="de-DE")
    assert client.language == "de"
    await client.get_version()
    await client.get_capabilities()
    await client.get_capabilities(USER)
    await client.get_job_list(USER)
    await client.get_jobs_with_held(USER)
    await client.set_job_properties(USER, "job-2.tpf", on_hold=False)
    async with client.print_job(USER, "job-1.tpf") as stream:
        await stream.wait_result()
    with pytest.raises(TpfmInvalidProcIdError):
        await client.cancel_print_job(USER, 1)
    await client.delete_job(USER, "job-2.tpf")
    with pytest.raises(TpfmUserNotAllowedError):
        await client.get_job_list(UNKNOWN_USER)
    client.language = "fr"
    await client.get_version()
    assert len(sim.requests) == 12  # get_jobs_with_held asks twice
    for request in sim.requests[:-1]:
        assert request.headers == {"X-Lang-ID": "de", "X-FMP-User-Agent": AGENT}
    assert sim.requests[-1].headers["X-Lang-ID"] == "fr"


async def test_default_user_agent(
    session: aiohttp.ClientSession, sim: Simulator
) -> None:
    client = TpfmClient(session, sim.url, PASSWORD)
    await client.get_version()
    assert sim.requests[-1].headers == {
        "X-Lang-ID": "en",
        "X-FMP-User-Agent": DEFAULT_USER_AGENT,
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("de-DE", "de"),
        ("de_AT", "de"),
        ("EN", "en"),
        (" fr ", "fr"),
        ("pt-BR", "pt"),
        ("", "en"),
        ("x", "en"),
        ("12", "en"),
        ("-", "en"),
    ],
)
async def test_language_setter(
    session: aiohttp.ClientSession, value: str, expected: str
) -> None:
    client = TpfmClient(session)
    assert client.language == "en"
    client.language = value
    assert client.language == expected
    assert TpfmClient(session, language=value).language == expected


@pytest.mark.parametrize(
    "file_name",
    [
        "Mein Bericht.tpf",
        "Grüße ÄÖÜ ß.tpf",
        "Tom & Jerry.tpf",
        "a+b=c.tpf",
        "issue #12.tpf",
        "100% done.tpf",
        "%20literal%2F.tpf",
        "dir/sub\\file.tpf",
        "q?x=1&y=2;z.tpf",
        "emoji 🖨️.tpf",
        "  spaced  .tpf",
        "'quotes\" <tag>.tpf",
    ],
)
async def test_job_names_are_url_encoded(
    client: TpfmClient, sim: Simulator, file_name: str
) -> None:
    sim.add_job(USER, SimJob(file_name, f"Display {file_name}"))
    listed = await client.get_job_list(USER)
    assert file_name in names(listed.jobs)
    await client.set_job_properties(USER, file_name, on_hold=False)
    assert sim.requests[-1].params["Job"] == file_name
    async with client.print_job(USER, file_name) as stream:
        assert (await stream.wait_result()).ok
    assert sim.requests[-1].params["Job"] == file_name
    assert sim.prints[-1].file_name == file_name
    assert sim.prints[-1].result == 0
    assert file_name not in names((await client.get_job_list(USER)).jobs)
    sim.add_job(USER, SimJob(file_name))
    await client.delete_job(USER, file_name)
    assert sim.requests[-1].params == {"Cmd": "DeleteJob", "Job": file_name}
    assert file_name not in [job.file_name for job in sim.jobs_of(USER)]


async def test_printer_ids_are_url_encoded(
    session: aiohttp.ClientSession,
) -> None:
    printer = "Büro 2/OG & Co #1"
    async with Simulator(PASSWORD, printers=[printer]) as sim:
        sim.add_user(USER, [SimJob("a.tpf", printers=frozenset({printer}))])
        client = TpfmClient(session, sim.url, PASSWORD, retry_delays=FAST_RETRIES)
        assert len((await client.get_job_list(USER, printer=printer)).jobs) == 1
        assert sim.requests[-1].params["Printer"] == printer
        async with client.print_job(USER, "a.tpf", printer=printer) as stream:
            await stream.wait_result()
        assert sim.prints[-1].printer == printer


async def test_a_thousand_jobs(client: TpfmClient, sim: Simulator) -> None:
    jobs = [
        SimJob(
            f"2024-05-01_{n:04d}_9dce68fe-0814-4b74-a6c0-b2ae73fe6190.tpf",
            f'Dokument {n}: Übersicht "Q{n % 4 + 1}" — Grüße 🖨 ({"x" * (n % 50)})',
            driver_name="HP Universal Printing PCL 6",
            size=n * 1000,
            created=1665560851 + n,
            job_id=f"{n:032x}",
        )
        for n in range(1000)
    ]
    sim.add_user(USER, jobs)
    result = await client.get_job_list(USER)
    assert result.skipped == 0
    assert len(result.jobs) == 1000
    for sent, got in zip(jobs, result.jobs, strict=True):
        assert got.file_name == sent.file_name
        assert got.display_name == sent.display_name
        assert got.driver_name == sent.driver_name
        assert got.size == sent.size
        assert got.job_id == sent.job_id
        assert int(got.created.timestamp()) == sent.created


async def test_names_with_colons_quotes_and_umlauts(
    client: TpfmClient, sim: Simulator
) -> None:
    displays = [
        "Bericht: Q3 2024: final",
        'Rechnung "März":"April"',
        '":"',
        "Ärger über Öl: Straße",
        "",
    ]
    sim.add_user(
        USER, [SimJob(f"j{i}.tpf", display) for i, display in enumerate(displays)]
    )
    jobs = (await client.get_job_list(USER)).jobs
    assert [job.display_name for job in jobs] == displays
    assert jobs[-1].name == "j4.tpf"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
        ("https://pp2.ezeep.com/", "https://pp2.ezeep.com/"),
        ("  https://pp2.ezeep.com  ", "https://pp2.ezeep.com/"),
        ("https://example.com/base", "https://example.com/base/"),
        ("https://example.com/base/?x=1#frag", "https://example.com/base/"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert str(normalize_url(url)) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "pp2.ezeep.com",
        "ftp://pp2.ezeep.com/",
        "http://",
        "file:///etc/x",
        "//host/",
    ],
)
def test_normalize_url_rejects(url: str) -> None:
    with pytest.raises(ValueError, match="http"):
        normalize_url(url)


async def test_base_url_with_a_path(session: aiohttp.ClientSession) -> None:
    answer = http_head(
        "Content-Type: text/plain; charset=utf-8",
        "X-FMP-Return: 0",
        "Content-Length: 0",
        "Connection: close",
    )
    async with RawServer(answer) as server:
        client = TpfmClient(session, server.url + "pp")
        assert str(client.base_url) == server.url + "pp/"
        await client.get_version()
        assert server.requests[0].startswith(
            b"GET /pp/TPFM/?Cmd=GetVersion HTTP/1.1\r\n"
        )


@pytest.mark.parametrize("user_id", ["", "a:b", ":"])
async def test_invalid_user_ids(
    client: TpfmClient, sim: Simulator, user_id: str
) -> None:
    with pytest.raises(ValueError, match="colon"):
        await client.get_job_list(user_id)
    with pytest.raises(ValueError, match="colon"):
        await client.get_capabilities(user_id)
    with pytest.raises(ValueError, match="colon"):
        client.print_job(user_id, "job-1.tpf")
    assert sim.requests == []


async def test_user_ids_and_passwords_with_non_ascii(
    session: aiohttp.ClientSession,
) -> None:
    async with Simulator("pässwörd-🔑") as sim:
        sim.add_user("Jürgen Müller", [SimJob("a.tpf")])
        client = TpfmClient(session, sim.url, "pässwörd-🔑")
        assert len((await client.get_job_list("Jürgen Müller")).jobs) == 1
        assert sim.requests[-1].user == "Jürgen Müller"
        assert sim.requests[-1].authorized


async def test_connection_refused(session: aiohttp.ClientSession) -> None:
    client = TpfmClient(
        session,
        f"http://127.0.0.1:{closed_port()}/",
        PASSWORD,
        retry_delays=FAST_RETRIES,
    )
    with pytest.raises(TpfmConnectionError) as err:
        await client.get_job_list(USER)
    assert not isinstance(err.value, TpfmTimeoutError)
    assert isinstance(err.value.__cause__, aiohttp.ClientError)
    with pytest.raises(TpfmConnectionError):
        async with client.print_job(USER, "job-1.tpf"):
            pytest.fail("entered")


# -- answers the simulator does not give ---------------------------------------------------

STREAM_HEAD = http_head(
    "Content-Type: text/plain; charset=utf-8",
    "Transfer-Encoding: chunked",
    "X-FMP-Return: 0",
    "X-FMP-ProgressType: Pages",
    "X-FMP-ProcId: 42",
)


async def raw_print(
    session: aiohttp.ClientSession, response: bytes, **kwargs: Any
) -> tuple[list[ProgressEvent], Any]:
    """Print against a RawServer; return the events and the stream."""
    async with RawServer(response) as server:
        client = TpfmClient(session, server.url, PASSWORD, **kwargs)
        async with client.print_job(USER, "job.tpf") as stream:
            events: list[ProgressEvent] = []
            try:
                events.extend([event async for event in stream])
            finally:
                stream.close()
    return events, stream


async def test_stream_blank_lines_odd_tokens_and_case(
    session: aiohttp.ClientSession,
) -> None:
    body = (
        chunk(b"\r\n")
        + chunk(b"1/2\r\n")
        + chunk(b"warming up\r\n")
        + chunk(b"2/2\r\n")
        + chunk(b"x-fmp-return: 1\r\nX-FMP-ErrText: " + b64("Stau").encode() + b"\r\n")
        + chunk(b"X-FMP-OSError: none\r\nX-FMP-Return: 0\r\n")
        + b"0\r\n\r\n"
    )
    events, stream = await raw_print(session, STREAM_HEAD + body)
    assert events == [ProgressEvent(n, 2, ProgressUnit.PAGES) for n in (1, 2)]
    assert stream.proc_id == 42
    # The first X-FMP-Return in the data counts; a non-number OSError is absent.
    assert stream.result.code == 1
    assert stream.result.error_text == "Stau"
    assert stream.result.os_error is None


async def test_stream_tokens_split_across_chunks(
    session: aiohttp.ClientSession,
) -> None:
    body = (
        chunk(b"1/")
        + chunk(b"3\r\n2/3")
        + chunk(b"\r\n3/3\r\nX-FMP-")
        + chunk(b"Return: 0\r\n")
        + b"0\r\nX-FMP-Return: 0\r\n\r\n"
    )
    events, stream = await raw_print(session, STREAM_HEAD + body)
    assert [event.done for event in events] == [1, 2, 3]
    assert stream.result.ok


async def test_stream_without_result(session: aiohttp.ClientSession) -> None:
    body = chunk(b"1/2\r\n") + chunk(b"2/2\r\n") + b"0\r\n\r\n"
    with pytest.raises(TpfmStreamError, match="without a result"):
        await raw_print(session, STREAM_HEAD + body)


async def test_stream_with_a_result_that_is_no_number(
    session: aiohttp.ClientSession,
) -> None:
    body = chunk(b"X-FMP-Return: ok\r\n") + b"0\r\n\r\n"
    with pytest.raises(TpfmStreamError, match="without a result"):
        await raw_print(session, STREAM_HEAD + body)


async def test_broken_trailer_after_the_result(session: aiohttp.ClientSession) -> None:
    # The result is in the data; the connection breaks before the last chunk.
    body = chunk(b"1/1\r\n") + chunk(b"X-FMP-Return: 0\r\n") + b"0\r\nX-FMP-Ret"
    events, stream = await raw_print(session, STREAM_HEAD + body)
    assert [event.done for event in events] == [1]
    assert stream.result.ok


async def test_stream_broken_before_the_result(session: aiohttp.ClientSession) -> None:
    body = chunk(b"1/3\r\n") + b"20\r\n2/3"
    with pytest.raises(TpfmStreamError, match="broke off"):
        await raw_print(session, STREAM_HEAD + body)


async def test_stream_line_too_long() -> None:
    # aiohttp raises LineTooLong (no ClientError) for a line beyond 2 * read_bufsize.
    body = chunk(b"1/3\r\n") + chunk(b"9" * 3000 + b"\r\n") + b"0\r\n\r\n"
    async with aiohttp.ClientSession(read_bufsize=256) as session:
        with pytest.raises(TpfmStreamError, match="broke off"):
            await raw_print(session, STREAM_HEAD + body)


async def test_stream_long_garbage_without_line_breaks(
    session: aiohttp.ClientSession,
) -> None:
    body = chunk(b"1/3\r\n") + chunk(b"9" * 300_000) + b"0\r\n\r\n"
    with pytest.raises(TpfmStreamError, match="without a result"):
        await raw_print(session, STREAM_HEAD + body)


async def test_stream_without_proc_id_and_unknown_progress_type(
    session: aiohttp.ClientSession,
) -> None:
    head = http_head(
        "Transfer-Encoding: chunked",
        "X-FMP-Return: 0",
        "X-FMP-ProgressType: Sheets",
        "X-FMP-ProcId: n/a",
    )
    body = chunk(b"1/4\r\n50\r\nX-FMP-Return: 0\r\n") + b"0\r\n\r\n"
    events, stream = await raw_print(session, head + body)
    # With no known unit, n/m counts pages and a bare number percent.
    assert events == [
        ProgressEvent(1, 4, ProgressUnit.PAGES),
        ProgressEvent(50, 100, ProgressUnit.PERCENT),
    ]
    assert stream.proc_id is None
    assert stream.progress_unit is None
    assert stream.result.proc_id is None


async def test_print_head_with_an_error_code(session: aiohttp.ClientSession) -> None:
    head = http_head(
        "X-FMP-Return: 1",
        f"X-FMP-ErrText: {b64('Fehler')}",
        "X-FMP-OSError: 5",
        f"X-FMP-OSErrText: {b64('Zugriff verweigert')}",
        "Content-Length: 0",
    )
    with pytest.raises(TpfmServerOsError) as err:
        await raw_print(session, head)
    assert (err.value.error_text, err.value.os_error, err.value.os_error_text) == (
        "Fehler",
        5,
        "Zugriff verweigert",
    )


async def test_answer_too_large(
    session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_module, "MAX_BODY_BYTES", 1000)
    body = b"[Jobs]\r\n" + b"x" * 2000
    answer = (
        http_head(
            "X-FMP-Return: 0", f"Content-Length: {len(body)}", "Connection: close"
        )
        + body
    )
    async with RawServer(answer) as server:
        client = TpfmClient(session, server.url, PASSWORD)
        with pytest.raises(TpfmParseError, match="too large"):
            await client.get_job_list(USER)


async def test_body_arriving_in_pieces_is_read_whole(
    session: aiohttp.ClientSession,
) -> None:
    lines = [f'job-{n}.tpf:1:0:0:0:0:"{"x" * 200}":" "' for n in range(500)]
    body = ("[Jobs]\r\n" + "\r\n".join(lines) + "\r\n").encode()
    answer = (
        http_head("X-FMP-Return: 0", "Transfer-Encoding: chunked")
        + b"".join(chunk(body[i : i + 7000]) for i in range(0, len(body), 7000))
        + b"0\r\n\r\n"
    )
    async with RawServer(answer) as server:
        client = TpfmClient(session, server.url, PASSWORD)
        result = await client.get_job_list(USER)
    assert len(result.jobs) == 500
    assert result.skipped == 0


async def test_body_that_breaks_off_is_a_connection_error_and_retried(
    session: aiohttp.ClientSession,
) -> None:
    answer = http_head("X-FMP-Return: 0", "Content-Length: 1000") + b"[Jobs]\r\n"
    async with RawServer(answer) as server:
        client = TpfmClient(session, server.url, PASSWORD, retry_delays=FAST_RETRIES)
        with pytest.raises(TpfmConnectionError):
            await client.get_job_list(USER)
        assert len(server.requests) == 3


async def test_redirect_is_not_followed(session: aiohttp.ClientSession) -> None:
    answer = http_head(
        "Location: http://127.0.0.1:1/", "Content-Length: 0", status="302 Found"
    )
    async with RawServer(answer) as server:
        client = TpfmClient(session, server.url, PASSWORD, retry_delays=FAST_RETRIES)
        with pytest.raises(TpfmHttpError) as err:
            await client.get_job_list(USER)
    assert err.value.status == 302
    assert len(server.requests) == 1


# -- the user-ID guard ---------------------------------------------------------------------


class _Guard:
    """Records what the client asks and tells; refuses the IDs in ``refuse``."""

    def __init__(self, *refuse: str) -> None:
        self.refuse = set(refuse)
        self.asked: list[str] = []
        self.told: list[tuple[str, int | None]] = []
        self.turns: list[str] = []  # requests that got their turn and are not done

    def before(self, user_id: str) -> None:
        self.asked.append(user_id)
        if user_id in self.refuse:
            raise TpfmUserNotAllowedError(error_text="refused here")

    async def turn(self, user_id: str) -> None:
        self.turns.append(user_id)

    def done(self, user_id: str) -> None:
        self.turns.remove(user_id)

    def answered(self, user_id: str, error: TpfmCommandError | None) -> None:
        self.told.append((user_id, None if error is None else error.code))

    def may_retry(self, user_id: str) -> bool:
        return (user_id, None) in self.told


async def test_guard_sees_every_request_sent_as_a_person(
    client: TpfmClient, sim: Simulator
) -> None:
    """Asked before each request with a user ID; told of each answer about it."""
    guard = client.guard = _Guard()
    await client.get_version()
    await client.get_jobs_with_held(USER)
    with pytest.raises(TpfmUserNotAllowedError):
        await client.get_job_list(UNKNOWN_USER)
    with pytest.raises(TpfmInvalidPrinterError):
        await client.get_job_list(USER, printer="printer-unknown")
    async with client.print_job(USER, "job-1.tpf") as stream:
        await stream.wait_result()
    with pytest.raises(TpfmUserNotAllowedError):
        async with client.print_job(UNKNOWN_USER, "job-2.tpf"):
            pytest.fail("entered a refused PrintJob")
    assert guard.asked == [USER, USER, UNKNOWN_USER, USER, USER, UNKNOWN_USER]
    assert guard.turns == []  # every request that got its turn said it was done
    assert guard.told == [
        (USER, None),
        (USER, None),
        (UNKNOWN_USER, 3),
        (USER, 4),
        (USER, None),
        (UNKNOWN_USER, 3),
    ]


async def test_guard_refusal_sends_nothing(client: TpfmClient, sim: Simulator) -> None:
    """A refused ID reaches the server with no command, PrintJob included."""
    client.guard = _Guard(UNKNOWN_USER)
    with pytest.raises(TpfmUserNotAllowedError, match="refused here"):
        await client.get_job_list(UNKNOWN_USER)
    with pytest.raises(TpfmUserNotAllowedError):
        client.print_job(UNKNOWN_USER, "job-1.tpf")
    with pytest.raises(TpfmUserNotAllowedError):
        await client.delete_job(UNKNOWN_USER, "job-1.tpf")
    assert sum(sim.counts.values()) == 0
    assert sim.registration_printouts == {}


async def test_guard_is_not_told_of_http_errors(
    client: TpfmClient, sim: Simulator
) -> None:
    """A refused password says nothing about the ID: the guard is not told."""
    guard = client.guard = _Guard()
    sim.http_error("GetJobList", 401)
    with pytest.raises(TpfmAuthError):
        await client.get_job_list(USER)
    assert guard.told == []


async def test_unknown_id_is_not_retried_after_a_timeout(
    make_client: MakeClient, sim: Simulator
) -> None:
    """A slow answer for an ID the guard does not know: one request, one sheet."""
    client = make_client(request_timeout=0.2)
    client.guard = _Guard()
    sim.stall_user(UNKNOWN_USER, 0.5)
    with pytest.raises(TpfmTimeoutError):
        await client.get_job_list(UNKNOWN_USER)
    await asyncio.sleep(0.8)  # the server answers the request that timed out
    assert sim.counts["GetJobList"] == 1
    assert sim.registration_printouts[UNKNOWN_USER] == 1


async def test_registered_id_is_retried_after_a_timeout(
    make_client: MakeClient, sim: Simulator
) -> None:
    """An ID the server accepted is retried as before: no sheet can come of it."""
    client = make_client(request_timeout=0.2)
    client.guard = _Guard()
    await client.get_job_list(USER)
    sim.stall("GetJobList", 5.0)
    with pytest.raises(TpfmTimeoutError):
        await client.get_job_list(USER)
    assert sim.counts["GetJobList"] == 4


# -- both job lists in one round trip ---------------------------------------------------


async def test_both_job_lists_of_a_registered_id_at_once(
    client: TpfmClient, sim: Simulator
) -> None:
    """An ID the guard knows as registered: both GetJobList variants overlap."""
    guard = client.guard = _Guard()
    guard.told.append((USER, None))  # the server accepted USER before
    await client.set_job_properties(USER, "job-1.tpf", on_hold=True)
    sim.reset_log()
    sim.stall("GetJobList", 0.5)
    marked = await client.get_jobs_with_held(USER)
    assert [(job.file_name, job.on_hold) for job in marked.jobs] == [
        ("job-2.tpf", False),
        ("job-1.tpf", True),
    ]
    assert sorted(str(r.params.get("ShowPutOnHoldJobs")) for r in sim.requests) == [
        "1",
        "None",
    ]
    # Both were being answered at the same moment: one round trip, not two.
    assert sim.max_in_flight == 2
    assert abs(sim.requests[0].at - sim.requests[1].at) < 0.25


async def test_both_job_lists_fail_with_the_first_error(
    client: TpfmClient, sim: Simulator
) -> None:
    """One of the two lists fails: the read fails, and both requests have ended."""
    client.guard = _Guard()
    client.guard.told.append((USER, None))
    sim.http_error("GetJobList", 404, times=1)
    with pytest.raises(TpfmHttpError):
        await client.get_jobs_with_held(USER)
    assert sim.counts["GetJobList"] == 2
    assert sim.in_flight == 0


async def test_an_id_not_known_as_registered_asks_one_list_first(
    client: TpfmClient, sim: Simulator
) -> None:
    """An unknown card costs one request and one sheet; a new ID asks one list at a time."""
    client.guard = _Guard()
    sim.stall("GetJobList", 0.2)
    with pytest.raises(TpfmUserNotAllowedError):
        await client.get_jobs_with_held(UNKNOWN_USER)
    assert sim.counts["GetJobList"] == 1
    assert sim.registration_printouts[UNKNOWN_USER] == 1

    sim.reset_log()
    await client.get_jobs_with_held(OTHER_USER)  # no jobs: the second ask is skipped
    assert [r.params.get("ShowPutOnHoldJobs") for r in sim.requests] == ["1"]

    sim.reset_log()
    await client.get_jobs_with_held(USER)  # not yet accepted: one after the other
    assert [r.params.get("ShowPutOnHoldJobs") for r in sim.requests] == ["1", None]
    assert sim.max_in_flight == 1
