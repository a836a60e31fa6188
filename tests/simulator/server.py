"""A faithful ezeep Blue pull-printing (TPFM) server on aiohttp.web.

It speaks the protocol of ``/work/shared/spec/ezeep-pull-printing-release-api.txt``:
``GET /TPFM/?Cmd=...`` with HTTP Basic auth (user name = user id, password = the
station's pull-printing password), results in ``X-FMP-Return`` and base64 error
texts, and the chunked ``PrintJob`` progress stream with the result repeated inside
the data and again as a non-standard trailer, written byte for byte like the spec.

Used by the client's tests, Home Assistant integration tests (127.0.0.1 only),
benchmarks and ``scripts/develop``. Passwords are never logged or recorded.
"""

import asyncio
import base64
import binascii
import collections
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
import hmac
import logging
import re
import time
from typing import Any, Literal

from aiohttp import web
from aiohttp.http_writer import StreamWriter

from .local_server import LocalServer

_LOGGER = logging.getLogger(__name__)

DEFAULT_PASSWORD = "sim-password"
SERVER_HEADER = "ThinPrint Personal Printing Server"
CONTENT_TYPE = "text/plain; charset=utf-8"
FIRST_PROC_ID = 738886
AUTH_REALM = "iisprint"
UNAUTHORIZED_BODY = b"Personal Printing Server has rejected your unauthorized request."
BROKEN_BASE64 = "%%%not base64"

#: English error texts the server sends (base64) in ``X-FMP-ErrText``. Codes 1 and 4
#: are the exact texts of the spec's example responses; the others are the spec's
#: error table without the trailing period.
ERROR_TEXTS: dict[int, str] = {
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

#: Operating system error sent with code 1 for malformed parameters (Windows'
#: ERROR_INVALID_PARAMETER, the server runs on Windows).
OS_ERROR_INVALID_PARAMETER = 87
OS_ERROR_INVALID_PARAMETER_TEXT = "The parameter is incorrect."

ALL_COMMANDS: tuple[str, ...] = (
    "GetVersion",
    "GetCapabilities",
    "GetJobList",
    "DeleteJob",
    "PrintJob",
    "CancelPrintJob",
    "SetJobProperties",
)
GUEST_COMMANDS: tuple[str, ...] = ALL_COMMANDS[:2]

FILE_VERSIONS: tuple[tuple[str, str], ...] = (
    ("TPPPSrv.exe", "7.6.112.1"),
    ("TPFMCmd.dll", "7.6.112.1"),
    ("TPPrnLib.dll", "7.6.112.1"),
)

_UINT_RE = re.compile(r"[0-9]+")
_ALL = "*"


@dataclass
class SimJob:
    """A job in a user's queue."""

    file_name: str
    display_name: str = ""
    driver_name: str = " "
    size: int = 1000
    created: int = 1665560851
    modified: int | None = None
    attributes: int = 0
    job_id: str = "0"
    on_hold: bool = False
    printers: frozenset[str] | None = None
    progress_type: Literal["Pages", "Percentage"] = "Pages"
    steps: int = 3
    step_delay: float = 0.0
    fail_code: int = 0
    fail_after: int = 0
    error_text: str = ""
    os_error: int = 0
    os_error_text: str = ""
    keep_on_fail: bool = True

    def __post_init__(self) -> None:
        """Reject file names the protocol cannot carry."""
        if not self.file_name or any(c in self.file_name for c in ":\r\n"):
            raise ValueError(f"invalid job file name {self.file_name!r}")
        if any(c in self.display_name + self.driver_name for c in "\r\n"):
            raise ValueError("display and driver names cannot contain line breaks")
        if self.steps < 0 or self.fail_after < 0:
            raise ValueError("steps and fail_after must not be negative")

    @property
    def modified_time(self) -> int:
        """The modified date as sent (``modified`` or, when None, ``created``)."""
        return self.created if self.modified is None else self.modified

    def line(self) -> str:
        """The job's line in a GetJobList body, without the CRLF."""
        return (
            f"{self.file_name}:{self.size}:{self.created}:{self.modified_time}:"
            f'{self.attributes}:{self.job_id}:"{self.display_name}":"{self.driver_name}"'
        )

    def fits(self, printer: str | None) -> bool:
        """Whether the job can be printed on the printer (None: any printer)."""
        return printer is None or self.printers is None or printer in self.printers


def make_jobs(
    prefix: str, count: int, *, start: int = 1_700_000_000, held: int = 0, **kwargs: Any
) -> list[SimJob]:
    """Jobs ``{prefix}-1.pdf`` ... created one minute apart, oldest first.

    The first ``held`` are on hold; other keyword arguments go to every job.
    """
    on_hold = bool(kwargs.pop("on_hold", False))
    return [
        SimJob(
            file_name=f"{prefix}-{n}.tpf",
            display_name=f"{prefix} {n}.pdf",
            created=start + 60 * n,
            on_hold=on_hold or n <= held,
            **kwargs,
        )
        for n in range(1, count + 1)
    ]


@dataclass
class SimUser:
    """A user id the server knows, with its queue."""

    user_id: str
    jobs: list[SimJob] = field(default_factory=list)

    def find(self, file_name: str | None) -> SimJob | None:
        """Return the queued job with that file name."""
        for job in self.jobs:
            if job.file_name == file_name:
                return job
        return None


@dataclass(frozen=True)
class LoggedRequest:
    """One answered TPFM request (never the Authorization header)."""

    cmd: str
    params: dict[str, str]
    user: str | None
    authorized: bool
    status: int
    fmp_return: int | None
    at: float
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PrintRecord:
    """A started PrintJob and how it ended."""

    user_id: str
    file_name: str
    printer: str | None
    copies: int
    delete: bool
    progress: bool
    proc_id: int
    result: int | None
    pages_done: int


@dataclass
class RunningPrint:
    """A PrintJob whose stream is open."""

    proc_id: int
    user_id: str
    file_name: str
    printer: str | None
    pages_done: int = 0
    cancel: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(frozen=True)
class _Auth:
    present: bool
    user: str | None
    ok: bool


@dataclass
class _HttpError:
    status: int
    times: int | None


@dataclass
class _Garbage:
    body: bytes
    times: int | None


class _TpfmError(Exception):
    """A TPFM error answer (X-FMP-Return != 0)."""

    def __init__(self, code: int, os_error: int = 0, os_error_text: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.os_error = os_error
        self.os_error_text = os_error_text


def _bad_parameter() -> _TpfmError:
    return _TpfmError(1, OS_ERROR_INVALID_PARAMETER, OS_ERROR_INVALID_PARAMETER_TEXT)


def _uint(value: str | None) -> int | None:
    if value is None or not _UINT_RE.fullmatch(value):
        return None
    return int(value)


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode("ascii") + data + b"\r\n"


class Simulator(LocalServer):
    """A TPFM server with a scriptable state, fault knobs and a request log."""

    def __init__(
        self,
        password: str = DEFAULT_PASSWORD,
        *,
        printers: Iterable[str] = (),
        visible: str | None = "0",
        latency: float = 0.0,
    ) -> None:
        """Create a stopped simulator (see ``start``)."""
        self._password = password
        self.printers: set[str] = set(printers)
        self.visible = visible
        #: X-FMP-Visible per user ID (a missing key: ``visible``; None: no header).
        self.visible_for: dict[str, str | None] = {}
        self.latency = latency
        self._initial_latency = latency
        self.users: dict[str, SimUser] = {}
        # fault knobs
        self.broken_base64 = False
        self._stalls: dict[str, float] = {}
        self._user_stalls: dict[str, float] = {}
        self._http_errors: dict[str, _HttpError] = {}
        self._garbage: dict[str, _Garbage] = {}
        self._cut_after: int | None = None
        self._malformed_lines: list[str] = []
        # observation
        self.requests: list[LoggedRequest] = []
        self.counts: collections.Counter[str] = collections.Counter()
        self.registration_printouts: collections.Counter[str] = collections.Counter()
        self.prints: list[PrintRecord] = []
        self.connections_opened = 0
        self.in_flight = 0  # requests being answered now
        self.max_in_flight = 0  # the most answered at once since reset_log()
        self.running: dict[int, RunningPrint] = {}
        # lifecycle
        self._next_proc_id = FIRST_PROC_ID
        self._runner: web.AppRunner | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[object]] = set()
        self._stopping = False
        self._changed = asyncio.Event()  # set on arrivals and print starts and ends
        self.url = ""

    # ------------------------------------------------------------------ state

    @property
    def password(self) -> str:
        """The station password the simulator accepts."""
        return self._password

    def add_user(self, user_id: str, jobs: Iterable[SimJob] = ()) -> SimUser:
        """Register a user id (replacing an existing one) with its queue."""
        user = SimUser(user_id, list(jobs))
        self.users[user_id] = user
        return user

    def add_job(self, user_id: str, job: SimJob) -> None:
        """Queue a job for a user, registering the user when new."""
        user = self.users.get(user_id)
        if user is None:
            user = self.add_user(user_id)
        user.jobs.append(job)

    def jobs_of(self, user_id: str) -> list[SimJob]:
        """A copy of the user's queue (empty for an unknown user)."""
        user = self.users.get(user_id)
        return list(user.jobs) if user is not None else []

    # ------------------------------------------------------------- fault knobs

    def stall(self, cmd: str, seconds: float) -> None:
        """Delay answers to cmd ("*" = every command) before anything is sent."""
        self._stalls[cmd] = seconds

    def stall_user(self, user_id: str, seconds: float) -> None:
        """Delay every answer to requests authenticated as user_id."""
        self._user_stalls[user_id] = seconds

    def http_error(self, cmd: str, status: int = 500, times: int | None = None) -> None:
        """Answer cmd ("*" = every command) with a bare HTTP status, times times."""
        self._http_errors[cmd] = _HttpError(status, times)

    def garbage(
        self,
        cmd: str,
        body: bytes = b"<html>not tpfm</html>",
        times: int | None = None,
    ) -> None:
        """Answer cmd ("*" = every command) with HTTP 200, junk and no X-FMP-Return."""
        self._garbage[cmd] = _Garbage(body, times)

    def cut_stream(self, after_steps: int) -> None:
        """Abort PrintJob connections after that many progress chunks (until cleared)."""
        self._cut_after = after_steps

    def malformed_job_line(self, line: str = "this:is:not:a:job") -> None:
        """Inject a line into the middle of every GetJobList body (until cleared)."""
        self._malformed_lines.append(line)

    def clear_faults(self) -> None:
        """Reset every fault knob (latency back to the constructor's value)."""
        self._stalls.clear()
        self._user_stalls.clear()
        self._http_errors.clear()
        self._garbage.clear()
        self._cut_after = None
        self._malformed_lines.clear()
        self.broken_base64 = False
        self.latency = self._initial_latency

    # ------------------------------------------------------------- observation

    def reset_log(self) -> None:
        """Forget requests, counters, print records and the connection count."""
        self.requests.clear()
        self.counts.clear()
        self.registration_printouts.clear()
        self.prints.clear()
        self.connections_opened = 0
        self.max_in_flight = self.in_flight

    async def wait_requests(self, cmd: str, count: int = 1) -> None:
        """Wait until ``counts[cmd] >= count`` (counted on arrival, before stalls).

        Like the other waits, it waits forever: wrap it in ``asyncio.timeout()``.
        """
        await self._wait_until(lambda: self.counts[cmd] >= count)

    async def wait_running(self) -> RunningPrint:
        """Wait until a PrintJob stream is running and return it (the oldest)."""
        await self._wait_until(lambda: bool(self.running))
        return next(iter(self.running.values()))

    async def wait_idle(self) -> None:
        """Wait until no PrintJob stream is running (its PrintRecord is written)."""
        await self._wait_until(lambda: not self.running)

    async def _wait_until(self, predicate: Callable[[], bool]) -> None:
        while not predicate():
            self._changed.clear()
            await self._changed.wait()

    # --------------------------------------------------------------- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on host:port (0 = a free port) and return the base URL."""
        if self._server is not None:
            raise RuntimeError("simulator already started")
        self._stopping = False
        app = web.Application()
        app.router.add_get("/TPFM/", self._handle)
        app.router.add_get("/TPFM", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await runner.setup()
        web_server = runner.server
        assert web_server is not None

        def protocol_factory() -> asyncio.Protocol:
            self.connections_opened += 1
            return web_server()

        loop = asyncio.get_running_loop()
        try:
            server = await loop.create_server(protocol_factory, host, port)
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._server = server
        bound = server.sockets[0].getsockname()
        if host in ("", "0.0.0.0"):  # noqa: S104 - only naming the wildcard address
            url_host = "127.0.0.1"
        elif host == "::":
            url_host = "[::1]"
        else:
            url_host = f"[{host}]" if ":" in host else host
        self.url = f"http://{url_host}:{bound[1]}/"
        return self.url

    async def stop(self) -> None:
        """Stop listening, cancel running streams and stalls, close connections."""
        self._stopping = True
        server, self._server = self._server, None
        runner, self._runner = self._runner, None
        if server is not None:
            server.close()
        tasks = [task for task in self._tasks if not task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=1.0)
        if runner is not None:
            await runner.cleanup()
        if server is not None:
            try:
                async with asyncio.timeout(1.0):
                    await server.wait_closed()
            except TimeoutError:
                _LOGGER.warning("simulator connections did not close in time")

    # ---------------------------------------------------------------- plumbing

    def _b64(self, text: str) -> str:
        if self.broken_base64:
            return BROKEN_BASE64
        return base64.b64encode(text.encode("utf-8")).decode("ascii")

    def _error_fields(
        self, code: int, text: str | None, os_error: int, os_error_text: str
    ) -> list[tuple[str, str]]:
        """The X-FMP fields describing a result, in the order the server sends them."""
        if not code:
            return [("X-FMP-Return", "0")]
        return [
            ("X-FMP-Return", str(code)),
            ("X-FMP-ErrText", self._b64(text or ERROR_TEXTS.get(code, ""))),
            ("X-FMP-OSError", str(os_error)),
            ("X-FMP-OSErrText", self._b64(os_error_text)),
        ]

    def _reply(
        self,
        code: int,
        body: bytes = b"",
        extra: Iterable[tuple[str, str]] = (),
        *,
        os_error: int = 0,
        os_error_text: str = "",
    ) -> web.Response:
        fields = self._error_fields(code, None, os_error, os_error_text)
        if code != 1:
            fields = fields[:2]  # the OS error fields only come with code 1
        headers = [("Content-Type", CONTENT_TYPE), *fields, *extra]
        headers.append(("Server", SERVER_HEADER))
        return web.Response(body=body, headers=dict(headers))

    @staticmethod
    def _unauthorized() -> web.Response:
        resp = web.Response(
            status=401,
            body=UNAUTHORIZED_BODY,
            headers={
                "Connection": "close",
                "Content-Type": CONTENT_TYPE,
                "WWW-Authenticate": f'Basic realm="{AUTH_REALM}"',
                "Server": SERVER_HEADER,
            },
        )
        resp.force_close()
        return resp

    def _auth(self, request: web.Request) -> _Auth:
        header = request.headers.get("Authorization")
        if header is None:
            return _Auth(present=False, user=None, ok=False)
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() != "basic":
            return _Auth(present=True, user=None, ok=False)
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except binascii.Error, UnicodeDecodeError:
            return _Auth(present=True, user=None, ok=False)
        user, sep, password = decoded.partition(":")
        if not sep:
            return _Auth(present=True, user=user, ok=False)
        ok = hmac.compare_digest(
            password.encode("utf-8"), self._password.encode("utf-8")
        )
        return _Auth(present=True, user=user, ok=ok)

    def _take_fault[T: (_HttpError, _Garbage)](
        self, faults: dict[str, T], cmd: str
    ) -> T | None:
        key = cmd if cmd in faults else _ALL if _ALL in faults else None
        if key is None:
            return None
        fault = faults[key]
        if fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                del faults[key]
        return fault

    def _log(
        self,
        request: web.Request,
        *,
        cmd: str,
        auth: _Auth,
        at: float,
        status: int,
        fmp_return: int | None,
    ) -> None:
        headers = {
            name: value
            for name in ("X-Lang-ID", "X-FMP-User-Agent")
            if (value := request.headers.get(name)) is not None
        }
        self.requests.append(
            LoggedRequest(
                cmd=cmd,
                params=dict(request.query),
                user=auth.user,
                authorized=auth.ok,
                status=status,
                fmp_return=fmp_return,
                at=at,
                headers=headers,
            )
        )
        _LOGGER.debug(
            "%s user=%s status=%s X-FMP-Return=%s", cmd, auth.user, status, fmp_return
        )

    # ---------------------------------------------------------------- handlers

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._dispatch(request)
        except asyncio.CancelledError:
            if self._stopping and request.transport is not None:
                request.transport.abort()
            raise
        finally:
            self.in_flight -= 1
            self._tasks.discard(task)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        at = time.monotonic()
        cmd = request.query.get("Cmd", "")
        self.counts[cmd] += 1
        self._changed.set()
        auth = self._auth(request)

        if self.latency > 0:
            await asyncio.sleep(self.latency)
        stall = self._stalls.get(cmd, self._stalls.get(_ALL, 0.0))
        if auth.user is not None:
            stall = max(stall, self._user_stalls.get(auth.user, 0.0))
        if stall > 0:
            await asyncio.sleep(stall)
        if (http_error := self._take_fault(self._http_errors, cmd)) is not None:
            self._log(
                request,
                cmd=cmd,
                auth=auth,
                at=at,
                status=http_error.status,
                fmp_return=None,
            )
            return web.Response(
                status=http_error.status, text=f"{http_error.status}: simulated error"
            )
        if (junk := self._take_fault(self._garbage, cmd)) is not None:
            self._log(request, cmd=cmd, auth=auth, at=at, status=200, fmp_return=None)
            return web.Response(body=junk.body, content_type="text/html")

        if cmd == "GetVersion":  # needs no authentication, ignores it
            return self._answer(request, cmd, auth, at, self._get_version())
        if auth.present and not auth.ok:  # wrong credentials: refused, whatever cmd
            return self._answer(request, cmd, auth, at, self._unauthorized())
        if cmd not in ALL_COMMANDS:
            return self._answer(request, cmd, auth, at, self._reply(2))
        if cmd == "GetCapabilities" and not auth.present:
            return self._answer(
                request, cmd, auth, at, self._capabilities(GUEST_COMMANDS)
            )
        if not auth.ok:
            return self._answer(request, cmd, auth, at, self._unauthorized())
        assert auth.user is not None
        user = self.users.get(auth.user)
        if user is None:
            # The real server prints a registration code sheet for a new user id.
            self.registration_printouts[auth.user] += 1
            return self._answer(request, cmd, auth, at, self._reply(3))
        try:
            if cmd == "PrintJob":
                return await self._print_job(request, cmd, auth, at, user)
            resp = self._command(request, cmd, user)
        except _TpfmError as fail:
            resp = self._reply(
                fail.code, os_error=fail.os_error, os_error_text=fail.os_error_text
            )
        return self._answer(request, cmd, auth, at, resp)

    def _answer(
        self, request: web.Request, cmd: str, auth: _Auth, at: float, resp: web.Response
    ) -> web.Response:
        fmp = resp.headers.get("X-FMP-Return")
        self._log(
            request,
            cmd=cmd,
            auth=auth,
            at=at,
            status=resp.status,
            fmp_return=int(fmp) if fmp else None,
        )
        return resp

    def _command(self, request: web.Request, cmd: str, user: SimUser) -> web.Response:
        query = request.query
        if cmd == "GetCapabilities":
            return self._capabilities(ALL_COMMANDS)
        if cmd == "GetJobList":
            return self._get_job_list(query, user)
        if cmd == "DeleteJob":
            job = user.find(query.get("Job"))
            if job is None:
                raise _TpfmError(5)
            user.jobs.remove(job)
            return self._reply(0)
        if cmd == "SetJobProperties":
            return self._set_job_properties(query, user)
        assert cmd == "CancelPrintJob"
        proc_id = _uint(query.get("ProcId"))
        run = self.running.get(proc_id) if proc_id is not None else None
        if run is None or run.user_id != user.user_id:
            raise _TpfmError(9)
        run.cancel.set()
        return self._reply(0)

    def _get_version(self) -> web.Response:
        lines = ["[FileVersions]", *(f"{name}={ver}" for name, ver in FILE_VERSIONS)]
        return self._reply(0, "".join(f"{line}\r\n" for line in lines).encode())

    def _capabilities(self, commands: Iterable[str]) -> web.Response:
        lines = ["[Commands]", *(f"{i}={c}" for i, c in enumerate(commands, 1))]
        lines += ["[SYSTEM]", "Type=essentials"]
        return self._reply(0, "".join(f"{line}\r\n" for line in lines).encode())

    def _check_printer(self, printer: str | None) -> None:
        if printer is not None and self.printers and printer not in self.printers:
            raise _TpfmError(4)

    def _get_job_list(self, query: Mapping[str, str], user: SimUser) -> web.Response:
        printer = query.get("Printer") or None
        self._check_printer(printer)
        max_entries: int | None = None
        if "MaxEntries" in query:
            max_entries = _uint(query["MaxEntries"])
            if max_entries is None:
                raise _bad_parameter()
        show_held = query.get("ShowPutOnHoldJobs") == "1"
        jobs = [
            job
            for job in user.jobs
            if job.fits(printer) and (show_held or not job.on_hold)
        ]
        if max_entries is not None:
            jobs = jobs[:max_entries]
        lines = [job.line() for job in jobs]
        if self._malformed_lines:
            middle = len(lines) // 2
            lines[middle:middle] = self._malformed_lines
        body = "".join(f"{line}\r\n" for line in ["[Jobs]", *lines]).encode("utf-8")
        visible = self.visible_for.get(user.user_id, self.visible)
        extra = [] if visible is None else [("X-FMP-Visible", visible)]
        return self._reply(0, body, extra)

    def _set_job_properties(
        self, query: Mapping[str, str], user: SimUser
    ) -> web.Response:
        job = user.find(query.get("Job"))
        if job is None:
            raise _TpfmError(5)
        hold = query.get("PutOnHold")
        if hold is not None and hold not in ("0", "1"):
            raise _bad_parameter()
        modified: int | None = None
        if "ModifiedDate" in query:
            modified = _uint(query["ModifiedDate"])
            if modified is None:
                raise _bad_parameter()
        if hold is not None:
            job.on_hold = hold == "1"
        if modified is not None:
            job.modified = modified
        return self._reply(0)

    async def _print_job(
        self, request: web.Request, cmd: str, auth: _Auth, at: float, user: SimUser
    ) -> web.StreamResponse:
        query = request.query
        job = user.find(query.get("Job"))
        if job is None:
            raise _TpfmError(5)
        printer = query.get("Printer") or None
        self._check_printer(printer)
        if not job.fits(printer):
            raise _TpfmError(4)
        copies = _uint(query.get("Copies", "1"))
        if copies is None or not 1 <= copies <= 999:
            raise _TpfmError(6)
        delete = query.get("Delete", "1")
        if delete not in ("0", "1"):
            raise _TpfmError(7)
        progress = query.get("Progress", "1")
        if progress not in ("0", "1"):
            raise _TpfmError(8)

        proc_id = self._next_proc_id
        self._next_proc_id += 1
        headers = {"Content-Type": CONTENT_TYPE, "Transfer-Encoding": "chunked"}
        headers["X-FMP-Return"] = "0"
        if progress == "1":
            headers["X-FMP-ProgressType"] = job.progress_type
        headers["X-FMP-ProcId"] = str(proc_id)
        headers["Server"] = SERVER_HEADER
        resp = web.StreamResponse(headers=headers)
        self._log(request, cmd=cmd, auth=auth, at=at, status=200, fmp_return=0)

        run = RunningPrint(proc_id, user.user_id, job.file_name, printer)
        self.running[proc_id] = run
        self._changed.set()
        result: int | None = None
        try:
            writer = await resp.prepare(request)
            # aiohttp's chunked writer cannot send the trailer the protocol needs:
            # switch it to raw writes and frame the chunks here, byte for byte.
            assert isinstance(writer, StreamWriter)
            writer.chunked = False
            result = await self._stream(
                request, resp, job, run, with_progress=progress == "1"
            )
            # Canceled prints keep the job (spec); failed ones unless keep_on_fail=False.
            if result == 0:
                remove = delete == "1"
            else:
                remove = result not in (None, 10) and not job.keep_on_fail
            if remove and job in user.jobs:
                user.jobs.remove(job)
        except ConnectionError:
            _LOGGER.debug("PrintJob %s: client went away", proc_id)
            result = None
        finally:
            del self.running[proc_id]
            self._changed.set()
            self.prints.append(
                PrintRecord(
                    user_id=user.user_id,
                    file_name=job.file_name,
                    printer=printer,
                    copies=copies,
                    delete=delete == "1",
                    progress=progress == "1",
                    proc_id=proc_id,
                    result=result,
                    pages_done=run.pages_done,
                )
            )
        return resp

    async def _stream(
        self,
        request: web.Request,
        resp: web.StreamResponse,
        job: SimJob,
        run: RunningPrint,
        *,
        with_progress: bool,
    ) -> int | None:
        """Print the job, streaming progress; return the result (None when cut)."""
        limit = min(job.fail_after, job.steps) if job.fail_code else job.steps
        cut_after = self._cut_after
        code = job.fail_code
        while True:
            if cut_after is not None and run.pages_done >= cut_after:
                if request.transport is not None:
                    request.transport.abort()
                return None
            if run.cancel.is_set():
                code = 10
                break
            if run.pages_done >= limit:
                break
            await self._step_wait(run, job.step_delay)
            if run.cancel.is_set():
                code = 10
                break
            run.pages_done += 1
            if with_progress:
                token = self._token(job, run.pages_done)
                await resp.write(_chunk(f"{token}\r\n".encode()))

        if code == 10:
            fields = self._error_fields(10, None, 0, "")
        elif code:
            fields = self._error_fields(
                code, job.error_text or None, job.os_error, job.os_error_text
            )
        else:
            fields = [("X-FMP-Return", "0")]
        result_lines = "".join(
            f"{name}: {value}\r\n" for name, value in fields
        ).encode()
        await resp.write(_chunk(result_lines) + b"0\r\n" + result_lines + b"\r\n")
        await resp.write_eof()
        return code

    @staticmethod
    def _token(job: SimJob, done: int) -> str:
        if job.progress_type == "Percentage":
            return str(100 * done // job.steps)
        return f"{done}/{job.steps}"

    @staticmethod
    async def _step_wait(run: RunningPrint, delay: float) -> None:
        if delay <= 0:
            await asyncio.sleep(0)
            return
        try:
            async with asyncio.timeout(delay):
                await run.cancel.wait()
        except TimeoutError:
            pass
