"""Tests of the TPFM simulator: the protocol as the spec writes it, byte for byte."""

import asyncio
import base64
import binascii
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
import logging
from pathlib import Path
import signal
import subprocess
import sys
import time
from urllib.parse import quote, urlencode

import aiohttp
from multidict import CIMultiDictProxy
import pytest
from yarl import URL

from tests.simulator import SimJob, Simulator
from tests.simulator.demo import (
    DEMO_PANEL_USER,
    DEMO_PRINTERS,
    DEMO_USER_IDS,
    demo_simulator,
)

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "sim-password"
USER = "user-1"
LANG = "en"
AGENT = "ezp-pp-test/1.0"

# Literal texts and values from the spec; the tests compare against these, not against
# the simulator's own constants.
UNAUTHORIZED_BODY = b"Personal Printing Server has rejected your unauthorized request."
SPEC_ERROR_TEXTS = {
    1: "operating system error occurred ",
    2: "The specified command is not supported by PPS",
    3: "The specified user is not allowed to execute the specified command",
    4: "Invalid printer was specified",
    5: "The specified job file does not exists",
    6: "Invalid copy count value was specified",
    7: "Invalid delete flag value was specified",
    8: "Invalid progress flag value was specified",
    9: "The specified printing process id is invalid",
    10: "The print job was canceled",
}
SUCCESS_TAIL = b"11\r\nX-FMP-Return: 0\r\n\r\n0\r\nX-FMP-Return: 0\r\n\r\n"
# what an HTTP client reads from the de-chunked body at the end of a successful print
DECODED_SUCCESS = b"X-FMP-Return: 0\r\n"

pytestmark = pytest.mark.usefixtures("local_sockets")


@dataclass
class Reply:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    @property
    def fmp(self) -> int | None:
        value = self.headers.get("X-FMP-Return")
        return None if value is None else int(value)

    def err_text(self) -> str:
        return base64.b64decode(self.headers["X-FMP-ErrText"], validate=True).decode()


def tpfm_headers(user: str | None = USER, password: str = PASSWORD) -> dict[str, str]:
    headers = {"X-Lang-ID": LANG, "X-FMP-User-Agent": AGENT}
    if user is not None:
        headers["Authorization"] = aiohttp.encode_basic_auth(user, password)
    return headers


async def call(
    session: aiohttp.ClientSession,
    sim: Simulator,
    cmd: str,
    *,
    user: str | None = USER,
    password: str = PASSWORD,
    path: str = "TPFM/",
    **params: str,
) -> Reply:
    async with session.get(
        sim.url + path,
        params={"Cmd": cmd, **params},
        headers=tpfm_headers(user, password),
    ) as resp:
        return Reply(resp.status, resp.headers, await resp.read())


@dataclass
class RawReply:
    status_line: str
    headers: list[tuple[str, str]]
    body: bytes

    def header_map(self) -> dict[str, str]:
        return dict(self.headers)


async def raw_get(
    sim: Simulator,
    params: Mapping[str, str],
    *,
    headers: Mapping[str, str],
    close: bool = True,
) -> RawReply:
    """Send a hand-written HTTP/1.1 GET and read the reply bytes until the server closes."""
    port = URL(sim.url).port
    assert port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [
        f"GET /TPFM/?{urlencode(params, quote_via=quote)} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    if close:
        lines.append("Connection: close")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    try:
        async with asyncio.timeout(5):
            data = await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()
    head, sep, body = data.partition(b"\r\n\r\n")
    assert sep
    status_line, *header_lines = head.decode().split("\r\n")
    pairs = [tuple(line.split(": ", 1)) for line in header_lines]
    return RawReply(status_line, [(k, v) for k, v in pairs], body)


def result_lines(code: int, err: str, os_error: int = 0, os_text: str = "") -> bytes:
    """The failure fields exactly as the spec lists them, base64 where it says so."""
    return (
        f"X-FMP-Return: {code}\r\n"
        f"X-FMP-ErrText: {base64.b64encode(err.encode()).decode()}\r\n"
        f"X-FMP-OSError: {os_error}\r\n"
        f"X-FMP-OSErrText: {base64.b64encode(os_text.encode()).decode()}\r\n"
    ).encode()


def jobs_in(body: bytes) -> list[str]:
    lines = body.decode().split("\r\n")
    assert lines[0] == "[Jobs]"
    assert lines[-1] == ""
    return lines[1:-1]


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(PASSWORD, printers=["printer-1", "printer-2"]) as simulator:
        simulator.add_user(USER, [SimJob("job-1.tpf", "Erste Seite.pdf")])
        yield simulator


# ------------------------------------------------------------------- PrintJob framing


async def test_print_pages_framing_is_byte_exact(sim: Simulator) -> None:
    sim.add_job(USER, SimJob("ten.tpf", steps=10))
    reply = await raw_get(
        sim,
        {"Cmd": "PrintJob", "Job": "ten.tpf", "Printer": "printer-1", "Copies": "2"},
        headers=tpfm_headers(),
    )
    assert reply.status_line == "HTTP/1.1 200 OK"
    headers = reply.header_map()
    assert [name for name, _ in reply.headers].count("Transfer-Encoding") == 1
    assert headers["Transfer-Encoding"] == "chunked"
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["X-FMP-Return"] == "0"
    assert headers["X-FMP-ProgressType"] == "Pages"
    assert headers["X-FMP-ProcId"] == "738886"
    assert headers["Server"] == "ThinPrint Personal Printing Server"
    assert "Content-Length" not in headers
    # The spec's example: "6\r\n1/10\r\n" ... "7\r\n10/10\r\n", the result, 0, trailer.
    expected = (
        b"".join(f"6\r\n{n}/10\r\n\r\n".encode() for n in range(1, 10))
        + b"7\r\n10/10\r\n\r\n"
        + SUCCESS_TAIL
    )
    assert reply.body == expected
    assert reply.body.startswith(b"6\r\n1/10\r\n\r\n6\r\n2/10\r\n\r\n")
    assert reply.body.endswith(
        b"7\r\n10/10\r\n\r\n11\r\nX-FMP-Return: 0\r\n\r\n0\r\nX-FMP-Return: 0\r\n\r\n"
    )
    assert sim.jobs_of(USER) == [SimJob("job-1.tpf", "Erste Seite.pdf")]
    (record,) = sim.prints
    assert (record.result, record.pages_done, record.copies) == (0, 10, 2)
    assert (record.printer, record.delete, record.progress) == ("printer-1", True, True)


async def test_print_percentage_framing_is_byte_exact(sim: Simulator) -> None:
    sim.add_job(USER, SimJob("pct.tpf", progress_type="Percentage", steps=3))
    reply = await raw_get(
        sim, {"Cmd": "PrintJob", "Job": "pct.tpf"}, headers=tpfm_headers()
    )
    assert reply.header_map()["X-FMP-ProgressType"] == "Percentage"
    assert reply.body == (
        b"4\r\n33\r\n\r\n4\r\n66\r\n\r\n5\r\n100\r\n\r\n"
        b"11\r\nX-FMP-Return: 0\r\n\r\n0\r\nX-FMP-Return: 0\r\n\r\n"
    )


async def test_print_failure_framing_is_byte_exact(sim: Simulator) -> None:
    sim.add_job(
        USER,
        SimJob(
            "fail.tpf",
            steps=4,
            fail_code=1,
            fail_after=2,
            error_text="operating system error occurred ",
            os_error=5,
            os_error_text="Access denied",
        ),
    )
    reply = await raw_get(
        sim, {"Cmd": "PrintJob", "Job": "fail.tpf"}, headers=tpfm_headers()
    )
    # base64 values of the spec's example error response
    lines = (
        b"X-FMP-Return: 1\r\n"
        b"X-FMP-ErrText: b3BlcmF0aW5nIHN5c3RlbSBlcnJvciBvY2N1cnJlZCA=\r\n"
        b"X-FMP-OSError: 5\r\n"
        b"X-FMP-OSErrText: QWNjZXNzIGRlbmllZA==\r\n"
    )
    assert reply.body == (
        b"5\r\n1/4\r\n\r\n5\r\n2/4\r\n\r\n"
        + f"{len(lines):x}\r\n".encode()
        + lines
        + b"\r\n0\r\n"
        + lines
        + b"\r\n"
    )
    assert [job.file_name for job in sim.jobs_of(USER)] == ["job-1.tpf", "fail.tpf"]
    assert sim.prints[-1].result == 1
    assert sim.prints[-1].pages_done == 2


async def test_print_failure_default_text_and_keep_on_fail(sim: Simulator) -> None:
    sim.add_job(USER, SimJob("gone.tpf", fail_code=1, fail_after=0, keep_on_fail=False))
    reply = await raw_get(
        sim, {"Cmd": "PrintJob", "Job": "gone.tpf"}, headers=tpfm_headers()
    )
    lines = result_lines(1, SPEC_ERROR_TEXTS[1])
    assert (
        reply.body
        == f"{len(lines):x}\r\n".encode() + lines + b"\r\n0\r\n" + lines + b"\r\n"
    )
    assert [job.file_name for job in sim.jobs_of(USER)] == ["job-1.tpf"]


async def test_print_without_progress(sim: Simulator) -> None:
    sim.add_job(USER, SimJob("quiet.tpf", steps=3, step_delay=0.05))
    start = time.monotonic()
    reply = await raw_get(
        sim,
        {"Cmd": "PrintJob", "Job": "quiet.tpf", "Progress": "0", "Delete": "0"},
        headers=tpfm_headers(),
    )
    assert time.monotonic() - start >= 0.14
    headers = reply.header_map()
    assert "X-FMP-ProgressType" not in headers
    assert headers["X-FMP-ProcId"] == "738886"
    assert reply.body == SUCCESS_TAIL
    # Delete=0 keeps the job
    assert [job.file_name for job in sim.jobs_of(USER)] == ["job-1.tpf", "quiet.tpf"]
    assert sim.prints[-1].progress is False
    assert sim.prints[-1].delete is False


async def test_print_delete_default_removes_job_and_proc_ids_increment(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.add_job(USER, SimJob("two.tpf"))
    first = await call(session, sim, "PrintJob", Job="job-1.tpf")
    second = await call(session, sim, "PrintJob", Job="two.tpf", Delete="1")
    assert first.headers["X-FMP-ProcId"] == "738886"
    assert second.headers["X-FMP-ProcId"] == "738887"
    assert sim.jobs_of(USER) == []
    assert [p.result for p in sim.prints] == [0, 0]


async def test_stream_is_readable_incrementally_and_keeps_alive(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.add_job(USER, SimJob("slow.tpf", steps=3, step_delay=0.05))
    lines: list[bytes] = []
    async with session.get(
        sim.url + "TPFM/",
        params={"Cmd": "PrintJob", "Job": "slow.tpf"},
        headers=tpfm_headers(),
    ) as resp:
        assert resp.headers["X-FMP-ProcId"] == "738886"
        first = await resp.content.readline()
        # the first page arrived while the print is still running
        assert first == b"1/3\r\n"
        assert 738886 in sim.running
        lines.append(first)
        while line := await resp.content.readline():
            lines.append(line)
    assert lines == [b"1/3\r\n", b"2/3\r\n", b"3/3\r\n", b"X-FMP-Return: 0\r\n"]
    assert sim.running == {}
    reply = await call(session, sim, "GetJobList")
    assert reply.fmp == 0
    assert sim.connections_opened == 1  # the stream's connection was reused


async def test_client_leaving_mid_stream_ends_the_print(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.add_job(USER, SimJob("left.tpf", steps=50, step_delay=0.01))
    resp = await session.get(
        sim.url + "TPFM/",
        params={"Cmd": "PrintJob", "Job": "left.tpf"},
        headers=tpfm_headers(),
    )
    assert await resp.content.readline() == b"1/50\r\n"
    resp.close()
    async with asyncio.timeout(2):
        await sim.wait_idle()
    record = sim.prints[-1]
    assert record.result is None
    assert record.pages_done < 50
    assert "left.tpf" in [job.file_name for job in sim.jobs_of(USER)]


# ------------------------------------------------------------------------- cancel


async def test_cancel_during_stream_ends_with_10(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.add_job(USER, SimJob("long.tpf", steps=50, step_delay=0.02))
    async with session.get(
        sim.url + "TPFM/",
        params={"Cmd": "PrintJob", "Job": "long.tpf", "Delete": "1"},
        headers=tpfm_headers(),
    ) as resp:
        proc_id = resp.headers["X-FMP-ProcId"]
        assert await resp.content.readline() == b"1/50\r\n"
        # another user cannot cancel it
        sim.add_user("user-2")
        other = await call(
            session, sim, "CancelPrintJob", user="user-2", ProcId=proc_id
        )
        assert other.fmp == 9
        cancel = await call(session, sim, "CancelPrintJob", ProcId=proc_id)
        assert cancel.fmp == 0
        rest = (await resp.read()).decode()
    lines = rest.split("\r\n")
    assert lines[-5:] == [
        "X-FMP-Return: 10",
        "X-FMP-ErrText: " + base64.b64encode(b"The print job was canceled").decode(),
        "X-FMP-OSError: 0",
        "X-FMP-OSErrText: ",
        "",
    ]
    record = sim.prints[-1]
    assert record.result == 10
    assert 1 <= record.pages_done < 50
    # canceled prints are not deleted, even with Delete=1
    assert "long.tpf" in [job.file_name for job in sim.jobs_of(USER)]
    # the process is gone now
    again = await call(session, sim, "CancelPrintJob", ProcId=proc_id)
    assert again.fmp == 9


async def test_wait_running(sim: Simulator, session: aiohttp.ClientSession) -> None:
    sim.add_job(
        USER, SimJob("wait.tpf", steps=5, step_delay=0.02, progress_type="Percentage")
    )
    printing = asyncio.create_task(call(session, sim, "PrintJob", Job="wait.tpf"))
    async with asyncio.timeout(2):
        run = await sim.wait_running()
    assert (run.user_id, run.file_name, run.proc_id) == (USER, "wait.tpf", 738886)
    reply = await printing
    assert reply.body == b"20\r\n40\r\n60\r\n80\r\n100\r\n" + DECODED_SUCCESS


# ------------------------------------------------------------------ auth and errors


@pytest.mark.parametrize(
    ("cmd", "user", "password"),
    [
        ("GetJobList", None, PASSWORD),
        ("GetJobList", USER, "wrong-secret"),
        ("PrintJob", USER, "wrong-secret"),
        ("GetCapabilities", USER, "wrong-secret"),
        ("NoSuchCommand", USER, "wrong-secret"),
        ("GetJobList", "new-card", "wrong-secret"),
    ],
)
async def test_unauthorized_reply_is_exact(
    sim: Simulator, cmd: str, user: str | None, password: str
) -> None:
    reply = await raw_get(
        sim,
        {"Cmd": cmd, "Job": "job-1.tpf"},
        headers=tpfm_headers(user, password),
        close=False,
    )
    assert reply.status_line == "HTTP/1.1 401 Unauthorized"
    headers = reply.header_map()
    assert {
        k: v for k, v in headers.items() if k not in ("Date", "Content-Length")
    } == {
        "Connection": "close",
        "Content-Type": "text/plain; charset=utf-8",
        "WWW-Authenticate": 'Basic realm="iisprint"',
        "Server": "ThinPrint Personal Printing Server",
    }
    assert reply.body == UNAUTHORIZED_BODY
    assert sim.registration_printouts == {}
    assert sim.prints == []
    assert sim.requests[-1].authorized is False
    assert sim.requests[-1].fmp_return is None


@pytest.mark.parametrize(
    "authorization",
    ["Bearer abc", "Basic %%%", "Basic " + base64.b64encode(b"nocolon").decode()],
)
async def test_malformed_authorization_is_unauthorized(
    sim: Simulator, session: aiohttp.ClientSession, authorization: str
) -> None:
    async with session.get(
        sim.url + "TPFM/?Cmd=GetCapabilities", headers={"Authorization": authorization}
    ) as resp:
        assert resp.status == 401
        assert "X-FMP-Return" not in resp.headers


async def test_unknown_user_prints_registration_code(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    for _ in range(2):
        reply = await call(session, sim, "GetJobList", user="new-card-9")
        assert reply.status == 200
        assert reply.fmp == 3
        assert reply.err_text() == SPEC_ERROR_TEXTS[3]
    assert sim.registration_printouts == {"new-card-9": 2}
    # a known user or a wrong password prints nothing
    await call(session, sim, "GetJobList")
    await call(session, sim, "GetJobList", user="other-card", password="wrong-secret")
    assert sim.registration_printouts == {"new-card-9": 2}


@pytest.mark.parametrize(
    ("cmd", "params", "code"),
    [
        ("NoSuchCommand", {}, 2),
        ("", {}, 2),
        ("GetJobList", {"Printer": "printer-9"}, 4),
        ("GetJobList", {"MaxEntries": "many"}, 1),
        ("GetJobList", {"MaxEntries": "-1"}, 1),
        ("PrintJob", {}, 5),
        ("PrintJob", {"Job": "missing.tpf"}, 5),
        ("PrintJob", {"Job": "job-1.tpf", "Printer": "printer-9"}, 4),
        ("PrintJob", {"Job": "picky.tpf", "Printer": "printer-1"}, 4),
        ("PrintJob", {"Job": "job-1.tpf", "Copies": "0"}, 6),
        ("PrintJob", {"Job": "job-1.tpf", "Copies": "1000"}, 6),
        ("PrintJob", {"Job": "job-1.tpf", "Copies": "two"}, 6),
        ("PrintJob", {"Job": "job-1.tpf", "Copies": "-1"}, 6),
        ("PrintJob", {"Job": "job-1.tpf", "Copies": ""}, 6),
        ("PrintJob", {"Job": "job-1.tpf", "Delete": "2"}, 7),
        ("PrintJob", {"Job": "job-1.tpf", "Delete": "yes"}, 7),
        ("PrintJob", {"Job": "job-1.tpf", "Progress": "2"}, 8),
        ("PrintJob", {"Job": "job-1.tpf", "Progress": ""}, 8),
        ("CancelPrintJob", {"ProcId": "738886"}, 9),
        ("CancelPrintJob", {"ProcId": "abc"}, 9),
        ("CancelPrintJob", {}, 9),
        ("DeleteJob", {"Job": "missing.tpf"}, 5),
        ("SetJobProperties", {"Job": "missing.tpf", "PutOnHold": "1"}, 5),
        ("SetJobProperties", {"Job": "job-1.tpf", "PutOnHold": "x"}, 1),
        ("SetJobProperties", {"Job": "job-1.tpf", "ModifiedDate": "soon"}, 1),
    ],
)
async def test_error_codes_and_texts(
    sim: Simulator,
    session: aiohttp.ClientSession,
    cmd: str,
    params: dict[str, str],
    code: int,
) -> None:
    sim.add_job(USER, SimJob("picky.tpf", printers=frozenset({"printer-2"})))
    reply = await call(session, sim, cmd, **params)
    assert reply.status == 200
    assert reply.fmp == code
    assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert reply.headers["Server"] == "ThinPrint Personal Printing Server"
    assert reply.err_text() == SPEC_ERROR_TEXTS[code]
    if code == 1:
        assert reply.headers["X-FMP-OSError"] == "87"
        os_text = base64.b64decode(reply.headers["X-FMP-OSErrText"], validate=True)
        assert os_text == b"The parameter is incorrect."
    else:
        assert "X-FMP-OSError" not in reply.headers
    assert reply.body == b""
    assert sim.prints == []
    assert sim.running == {}
    assert [job.file_name for job in sim.jobs_of(USER)] == ["job-1.tpf", "picky.tpf"]
    assert sim.jobs_of(USER)[0] == SimJob("job-1.tpf", "Erste Seite.pdf")


async def test_invalid_printer_header_matches_spec_example(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    reply = await call(session, sim, "GetJobList", Printer="printer-9")
    assert reply.headers["X-FMP-ErrText"] == "SW52YWxpZCBwcmludGVyIHdhcyBzcGVjaWZpZWQ="


async def test_broken_base64_is_really_invalid(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.broken_base64 = True
    reply = await call(session, sim, "GetJobList", MaxEntries="x")
    assert reply.fmp == 1
    for name in ("X-FMP-ErrText", "X-FMP-OSErrText"):
        value = reply.headers[name]
        with pytest.raises(binascii.Error):
            base64.b64decode(value, validate=True)
        with pytest.raises(binascii.Error):
            base64.b64decode(value)
    sim.add_job(USER, SimJob("bad.tpf", fail_code=1, os_error_text="Access denied"))
    stream = await call(session, sim, "PrintJob", Job="bad.tpf")
    assert b"X-FMP-ErrText: %%%not base64\r\n" in stream.body
    assert b"X-FMP-OSErrText: %%%not base64\r\n" in stream.body
    sim.clear_faults()
    reply = await call(session, sim, "GetJobList", MaxEntries="x")
    assert reply.err_text() == SPEC_ERROR_TEXTS[1]


# ------------------------------------------------------------------ other commands


async def test_get_version_needs_no_auth(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    reply = await call(session, sim, "GetVersion", user=None)
    assert reply.status == 200
    assert reply.fmp == 0
    assert reply.body.startswith(b"[FileVersions]\r\n")
    entries = reply.body.decode().split("\r\n")[1:-1]
    assert entries
    assert all("=" in entry for entry in entries)
    # even a wrong password is ignored
    assert (await call(session, sim, "GetVersion", password="wrong-secret")).fmp == 0


async def test_get_capabilities_guest_and_user(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    guest = await call(session, sim, "GetCapabilities", user=None)
    assert guest.fmp == 0
    assert guest.body == (
        b"[Commands]\r\n1=GetVersion\r\n2=GetCapabilities\r\n[SYSTEM]\r\nType=essentials\r\n"
    )
    full = await call(session, sim, "GetCapabilities")
    assert full.body == (
        b"[Commands]\r\n1=GetVersion\r\n2=GetCapabilities\r\n3=GetJobList\r\n"
        b"4=DeleteJob\r\n5=PrintJob\r\n6=CancelPrintJob\r\n7=SetJobProperties\r\n"
        b"[SYSTEM]\r\nType=essentials\r\n"
    )


async def test_job_list_body_is_byte_exact(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.add_job(
        USER,
        SimJob(
            "2022-10-12_07.48.19_demo",
            'Bericht: "Größe" 2.pdf',
            driver_name="Treiber: ä",
            size=4632133,
            created=1665560899,
            modified=1665560900,
            attributes=32,
            job_id="00000000-0000-4000-8000-000000000002",
        ),
    )
    reply = await call(session, sim, "GetJobList", path="TPFM")  # without the slash
    assert reply.fmp == 0
    assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert reply.body == (
        b"[Jobs]\r\n"
        b'job-1.tpf:1000:1665560851:1665560851:0:0:"Erste Seite.pdf":" "\r\n'
        b"2022-10-12_07.48.19_demo:4632133:1665560899:1665560900:32:"
        b"00000000-0000-4000-8000-000000000002:"
        + '"Bericht: "Größe" 2.pdf":"Treiber: ä"\r\n'.encode()
    )


async def test_job_file_name_cannot_contain_colon() -> None:
    with pytest.raises(ValueError, match="file name"):
        SimJob("a:b")


@pytest.mark.parametrize("visible", ["0", "1", None])
async def test_visible_header(
    sim: Simulator, session: aiohttp.ClientSession, visible: str | None
) -> None:
    sim.visible = visible
    reply = await call(session, sim, "GetJobList")
    assert reply.headers.get("X-FMP-Visible") == visible


async def test_held_jobs_hidden_unless_asked(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.add_job(USER, SimJob("held.tpf", on_hold=True))
    sim.add_job(USER, SimJob("later.tpf"))
    names = [
        line.split(":")[0]
        for line in jobs_in((await call(session, sim, "GetJobList")).body)
    ]
    assert names == ["job-1.tpf", "later.tpf"]
    for flag, expected in (
        ("0", ["job-1.tpf", "later.tpf"]),
        ("1", ["job-1.tpf", "held.tpf", "later.tpf"]),
    ):
        reply = await call(session, sim, "GetJobList", ShowPutOnHoldJobs=flag)
        assert [line.split(":")[0] for line in jobs_in(reply.body)] == expected
    # SetJobProperties holds and releases, and sets the modified date
    reply = await call(
        session,
        sim,
        "SetJobProperties",
        Job="later.tpf",
        PutOnHold="1",
        ModifiedDate="1700000000",
    )
    assert reply.fmp == 0
    assert [
        line.split(":")[0]
        for line in jobs_in((await call(session, sim, "GetJobList")).body)
    ] == ["job-1.tpf"]
    await call(session, sim, "SetJobProperties", Job="held.tpf", PutOnHold="0")
    lines = jobs_in(
        (await call(session, sim, "GetJobList", ShowPutOnHoldJobs="1")).body
    )
    assert [line.split(":")[0] for line in lines] == [
        "job-1.tpf",
        "held.tpf",
        "later.tpf",
    ]
    assert lines[2].split(":")[3] == "1700000000"
    assert sim.jobs_of(USER)[1].on_hold is False


async def test_printer_filter(sim: Simulator, session: aiohttp.ClientSession) -> None:
    sim.add_job(USER, SimJob("p2-only.tpf", printers=frozenset({"printer-2"})))

    async def names(**params: str) -> list[str]:
        reply = await call(session, sim, "GetJobList", **params)
        assert reply.fmp == 0
        return [line.split(":")[0] for line in jobs_in(reply.body)]

    assert await names() == ["job-1.tpf", "p2-only.tpf"]
    assert await names(Printer="printer-1") == ["job-1.tpf"]
    assert await names(Printer="printer-2") == ["job-1.tpf", "p2-only.tpf"]
    # with no known printers, any printer id is accepted
    sim.printers.clear()
    assert await names(Printer="printer-77") == ["job-1.tpf"]
    ok = await call(session, sim, "PrintJob", Job="p2-only.tpf", Printer="printer-2")
    assert ok.body == b"1/3\r\n2/3\r\n3/3\r\n" + DECODED_SUCCESS


async def test_max_entries(sim: Simulator, session: aiohttp.ClientSession) -> None:
    for n in range(2, 5):
        sim.add_job(USER, SimJob(f"job-{n}.tpf"))

    async def count(value: str) -> int:
        return len(
            jobs_in((await call(session, sim, "GetJobList", MaxEntries=value)).body)
        )

    assert await count("2") == 2
    assert await count("10") == 4
    assert await count("0") == 0


async def test_delete_job(sim: Simulator, session: aiohttp.ClientSession) -> None:
    sim.add_job(USER, SimJob("Ümlaut job ä.tpf"))
    reply = await call(session, sim, "DeleteJob", Job="Ümlaut job ä.tpf")
    assert reply.fmp == 0
    assert [job.file_name for job in sim.jobs_of(USER)] == ["job-1.tpf"]
    assert sim.requests[-1].params == {"Cmd": "DeleteJob", "Job": "Ümlaut job ä.tpf"}


async def test_malformed_job_line_is_in_the_middle(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    for n in range(2, 5):
        sim.add_job(USER, SimJob(f"job-{n}.tpf"))
    sim.malformed_job_line()
    lines = jobs_in((await call(session, sim, "GetJobList")).body)
    assert len(lines) == 5
    assert lines[2] == "this:is:not:a:job"
    sim.clear_faults()
    assert "this:is:not:a:job" not in jobs_in(
        (await call(session, sim, "GetJobList")).body
    )


# ------------------------------------------------------------------- fault knobs


async def test_cut_stream_aborts_mid_stream(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.add_job(USER, SimJob("cut.tpf", steps=5))
    sim.cut_stream(after_steps=2)
    lines: list[bytes] = []
    with pytest.raises(aiohttp.ClientPayloadError):  # noqa: PT012
        async with session.get(
            sim.url + "TPFM/",
            params={"Cmd": "PrintJob", "Job": "cut.tpf"},
            headers=tpfm_headers(),
        ) as resp:
            assert resp.headers["X-FMP-Return"] == "0"
            while line := await resp.content.readline():
                lines.append(line)
    assert lines == [b"1/5\r\n", b"2/5\r\n"]
    record = sim.prints[-1]
    assert record.result is None
    assert record.pages_done == 2
    assert "cut.tpf" in [job.file_name for job in sim.jobs_of(USER)]
    assert sim.running == {}
    # Raw bytes: two chunks and then nothing (no last-chunk, no trailer).
    reply = await raw_get(
        sim, {"Cmd": "PrintJob", "Job": "cut.tpf"}, headers=tpfm_headers()
    )
    assert reply.body == b"5\r\n1/5\r\n\r\n5\r\n2/5\r\n\r\n"
    sim.clear_faults()
    again = await call(session, sim, "PrintJob", Job="cut.tpf")
    assert again.body.endswith(b"5/5\r\n" + DECODED_SUCCESS)


async def test_stall_delays_only_that_command(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    # A stall long enough that a busy machine's own delays cannot be mistaken for it.
    sim.stall("GetJobList", 2.0)
    start = time.monotonic()
    assert (await call(session, sim, "GetVersion")).fmp == 0
    assert time.monotonic() - start < 1.5
    start = time.monotonic()
    assert (await call(session, sim, "GetJobList")).fmp == 0
    assert time.monotonic() - start >= 2.0
    sim.clear_faults()
    start = time.monotonic()
    await call(session, sim, "GetJobList")
    assert time.monotonic() - start < 1.5


async def test_stall_times_out_a_client(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.stall("*", 30)
    with pytest.raises(TimeoutError):
        async with session.get(
            sim.url + "TPFM/?Cmd=GetVersion", timeout=aiohttp.ClientTimeout(total=0.2)
        ):
            pass
    assert sim.counts["GetVersion"] == 1


async def test_http_error_times(sim: Simulator, session: aiohttp.ClientSession) -> None:
    sim.http_error("GetJobList", 503, times=2)
    for _ in range(2):
        reply = await call(session, sim, "GetJobList")
        assert reply.status == 503
        assert reply.fmp is None
        assert not [name for name in reply.headers if name.startswith("X-FMP")]
        assert reply.body
    assert (await call(session, sim, "GetJobList")).status == 200
    assert sim.counts["GetJobList"] == 3
    assert [r.status for r in sim.requests] == [503, 503, 200]
    # without times: until cleared
    sim.http_error("GetJobList")
    for _ in range(3):
        assert (await call(session, sim, "GetJobList")).status == 500
    assert (await call(session, sim, "GetVersion")).status == 200
    sim.clear_faults()
    assert (await call(session, sim, "GetJobList")).status == 200


async def test_garbage(sim: Simulator, session: aiohttp.ClientSession) -> None:
    sim.garbage("GetJobList")
    reply = await call(session, sim, "GetJobList")
    assert reply.status == 200
    assert "X-FMP-Return" not in reply.headers
    assert reply.body == b"<html>not tpfm</html>"
    sim.garbage("*", b"\x00\xff junk")
    assert (await call(session, sim, "GetVersion")).body == b"\x00\xff junk"


async def test_latency(sim: Simulator, session: aiohttp.ClientSession) -> None:
    sim.latency = 0.2
    start = time.monotonic()
    assert (await call(session, sim, "GetVersion")).fmp == 0
    assert time.monotonic() - start >= 0.2
    sim.clear_faults()
    assert sim.latency == 0


async def test_connection_counting(sim: Simulator) -> None:
    async with aiohttp.ClientSession() as keep_alive:
        for _ in range(3):
            assert (await call(keep_alive, sim, "GetVersion")).fmp == 0
    assert sim.connections_opened == 1
    sim.reset_log()
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as closing:
        for _ in range(3):
            assert (await call(closing, sim, "GetVersion")).fmp == 0
    assert sim.connections_opened == 3


# ------------------------------------------------------------------ observation


async def test_request_log_and_no_password_anywhere(
    sim: Simulator, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await call(session, sim, "GetJobList")
    await call(session, sim, "GetJobList", password="wrong-secret")
    await call(session, sim, "PrintJob", Job="job-1.tpf", Copies="2")
    await call(session, sim, "GetJobList", user="unknown-card")
    await call(session, sim, "GetVersion", user=None)
    first = sim.requests[0]
    assert first.cmd == "GetJobList"
    assert first.params == {"Cmd": "GetJobList"}
    assert first.user == USER
    assert first.authorized is True
    assert (first.status, first.fmp_return) == (200, 0)
    assert first.headers == {"X-Lang-ID": LANG, "X-FMP-User-Agent": AGENT}
    assert [(r.cmd, r.status, r.fmp_return) for r in sim.requests] == [
        ("GetJobList", 200, 0),
        ("GetJobList", 401, None),
        ("PrintJob", 200, 0),
        ("GetJobList", 200, 3),
        ("GetVersion", 200, 0),
    ]
    assert sim.requests[-1].user is None
    assert sim.counts == {"GetJobList": 3, "PrintJob": 1, "GetVersion": 1}
    assert all(
        a.at <= b.at for a, b in zip(sim.requests, sim.requests[1:], strict=False)
    )
    everything = repr((sim.requests, sim.prints, sim.counts, sim.users)) + caplog.text
    for secret in ("sim-password", "wrong-secret"):
        assert secret not in everything
        assert base64.b64encode(f"{USER}:{secret}".encode()).decode() not in everything
    assert "Authorization" not in everything
    sim.reset_log()
    assert (sim.requests, sim.prints, sim.counts, sim.connections_opened) == (
        [],
        [],
        {},
        0,
    )


async def test_stop_is_fast_with_open_stream_and_stall() -> None:
    sim = Simulator()
    await sim.start()
    sim.add_job(USER, SimJob("forever.tpf", steps=100, step_delay=10))
    sim.stall("GetJobList", 30)
    async with aiohttp.ClientSession() as client:
        stream = await client.get(
            sim.url + "TPFM/",
            params={"Cmd": "PrintJob", "Job": "forever.tpf"},
            headers=tpfm_headers(),
        )
        stalled = asyncio.create_task(call(client, sim, "GetJobList"))
        async with asyncio.timeout(2):
            await sim.wait_requests("GetJobList")
        assert sim.running
        start = time.monotonic()
        await sim.stop()
        assert time.monotonic() - start < 0.5
        with pytest.raises(aiohttp.ClientError):
            await stalled
        with pytest.raises(aiohttp.ClientPayloadError):
            await stream.read()
        stream.release()
    assert sim.prints[-1].result is None
    assert sim.running == {}
    await sim.stop()  # idempotent


async def test_restart_on_same_port() -> None:
    sim = Simulator()
    url = await sim.start()
    await sim.stop()
    port = URL(url).port
    assert port is not None
    assert await sim.start(port=port) == url
    async with aiohttp.ClientSession() as client:
        assert (await call(client, sim, "GetVersion")).fmp == 0
    await sim.stop()


# ------------------------------------------------------------------------- demo / CLI


async def test_demo_scenario(session: aiohttp.ClientSession) -> None:
    async with demo_simulator() as sim:
        assert set(sim.users) == set(DEMO_USER_IDS)
        assert sim.printers == set(DEMO_PRINTERS)
        # One person may choose single jobs (the release panel's demo), on a keypad.
        assert sim.visible_for == {DEMO_PANEL_USER: "1"}
        assert DEMO_PANEL_USER.isdigit()
        assert sim.users[DEMO_PANEL_USER].jobs
        jobs = [job for user in sim.users.values() for job in user.jobs]
        assert any(job.on_hold for job in jobs)
        assert any(job.progress_type == "Percentage" for job in jobs)
        assert any(":" in job.display_name for job in jobs)
        assert any(set(job.display_name) & set("äöüÄÖÜß") for job in jobs)
        assert all(job.step_delay >= 0.5 for job in jobs if job.steps)
        for user_id in DEMO_USER_IDS:
            reply = await call(
                session, sim, "GetJobList", user=user_id, Printer="printer-1"
            )
            assert reply.fmp == 0
            for line in jobs_in(reply.body):
                assert line.split(":")[0] in {job.file_name for job in jobs}
        # each call builds fresh objects
        assert (
            demo_simulator().users["demo-user-1"].jobs[0]
            is not sim.users["demo-user-1"].jobs[0]
        )


def test_cli_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.simulator", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for option in ("--host", "--port", "--password", "--latency", "--no-demo"):
        assert option in result.stdout


async def test_cli_serves_demo_until_interrupted(
    session: aiohttp.ClientSession,
) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.simulator",
        "--port",
        "0",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(20):
            first = (await proc.stdout.readline()).decode()
        assert first.startswith("TPFM simulator listening on http://127.0.0.1:")
        url = first.rsplit(" ", 1)[1].strip()
        async with session.get(
            url + "TPFM/?Cmd=GetJobList", headers=tpfm_headers("demo-user-1")
        ) as resp:
            assert resp.headers["X-FMP-Return"] == "0"
            body = await resp.read()
        assert "Präsentation".encode() in body
        proc.send_signal(signal.SIGINT)
        async with asyncio.timeout(10):
            out, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        assert b"demo-user-1" in out
        assert b"Traceback" not in err
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
