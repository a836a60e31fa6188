"""Async client for the ezeep Blue / ThinPrint TPFM pull-printing release protocol.

The client takes an injected :class:`aiohttp.ClientSession` and imports nothing from
Home Assistant. Every request carries ``X-Lang-ID`` and ``X-FMP-User-Agent``; the person's
user ID is the Basic-auth user name and the station's pull-printing password its password.
Neither is ever logged.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
import contextlib
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
import logging
from types import TracebackType
from typing import Protocol, Self
from urllib.parse import quote

import aiohttp
from aiohttp.http_exceptions import HttpProcessingError
from multidict import CIMultiDictProxy
from yarl import URL

from .errors import (
    TpfmAuthError,
    TpfmCommandError,
    TpfmConnectionError,
    TpfmError,
    TpfmHttpError,
    TpfmParseError,
    TpfmStreamError,
    TpfmTimeoutError,
    error_for_code,
)
from .models import (
    Capabilities,
    JobList,
    PrintResult,
    ProgressEvent,
    ProgressUnit,
    VersionInfo,
)
from .parsing import (
    decode_text,
    parse_capabilities,
    parse_job_list,
    parse_os_error,
    parse_progress_token,
    parse_progress_type,
    parse_return_code,
    parse_version,
    parse_visible,
)

_LOGGER = logging.getLogger(__name__)

DEFAULT_URL = "https://pp2.ezeep.com/"
DEFAULT_USER_AGENT = "ezeep-home-assistant/0.1"

#: Seconds to open a connection.
CONNECT_TIMEOUT = 10.0
#: Seconds for the whole answer of an ordinary command.
REQUEST_TIMEOUT = 10.0
#: Seconds for the head of a PrintJob answer: the server answers once printing has started.
PRINT_START_TIMEOUT = 30.0
#: Seconds a PrintJob stream may stay quiet between two chunks (printers warm up).
STREAM_READ_TIMEOUT = 300.0
#: Pauses before the retries of read-only commands (GetVersion, GetCapabilities, GetJobList).
RETRY_DELAYS: tuple[float, ...] = (0.5, 2.0)
#: Largest answer body read for an ordinary command.
MAX_BODY_BYTES = 8 * 1024 * 1024

HEADER_RETURN = "X-FMP-Return"
HEADER_ERR_TEXT = "X-FMP-ErrText"
HEADER_OS_ERROR = "X-FMP-OSError"
HEADER_OS_ERR_TEXT = "X-FMP-OSErrText"
HEADER_VISIBLE = "X-FMP-Visible"
HEADER_PROC_ID = "X-FMP-ProcId"
HEADER_PROGRESS_TYPE = "X-FMP-ProgressType"


def normalize_url(url: str) -> URL:
    """Return the server's base URL with a trailing slash (requests go to ``{url}TPFM/``).

    Raises:
        ValueError: not an absolute http(s) URL.

    """
    parsed = URL(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError("the URL must start with http:// or https:// and name a host")
    # Set the path even when it ends with "/": "http://host" has the path "/" but
    # prints without the slash.
    path = parsed.raw_path if parsed.raw_path.endswith("/") else parsed.raw_path + "/"
    parsed = parsed.with_path(path, encoded=True)
    return parsed.with_query(None).with_fragment(None)


@dataclass(frozen=True, slots=True)
class _Reply:
    headers: CIMultiDictProxy[str]
    text: str


class _NotResentError(aiohttp.ClientConnectionError):
    """The connection of a PrintJob broke; unlike its base class, aiohttp does not resend."""


async def _send_once(
    request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
) -> aiohttp.ClientResponse:
    """Keep aiohttp from sending a PrintJob twice.

    aiohttp resends a request of an idempotent method (GET is one) once when the
    connection fails with ClientOSError or ServerDisconnectedError, also after the
    server received it. PrintJob is not idempotent: the first one may be printing.
    """
    try:
        return await handler(request)
    except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as err:
        raise _NotResentError(type(err).__name__) from err


def _command_error(headers: Mapping[str, str], code: int) -> TpfmError:
    return error_for_code(
        code,
        error_text=decode_text(headers.get(HEADER_ERR_TEXT)),
        os_error=parse_os_error(headers.get(HEADER_OS_ERROR)),
        os_error_text=decode_text(headers.get(HEADER_OS_ERR_TEXT)),
    )


async def _read_body(resp: aiohttp.ClientResponse) -> bytes:
    """Read a whole answer body of at most ``MAX_BODY_BYTES``.

    Raises:
        TpfmParseError: the body is larger.

    """
    body = bytearray()
    # StreamReader.read(n) returns whatever has arrived, not n bytes: read to the end.
    async for chunk in resp.content.iter_any():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise TpfmParseError("the answer is too large")
    return bytes(body)


def _check_head(status: int, headers: Mapping[str, str]) -> None:
    """Raise for HTTP errors and nonzero ``X-FMP-Return`` codes in a response head."""
    if status == 401:
        raise TpfmAuthError
    if status != 200:
        raise TpfmHttpError(status)
    code = parse_return_code(headers.get(HEADER_RETURN))
    if code is None:
        raise TpfmParseError("the answer has no X-FMP-Return header: not a TPFM server")
    if code != 0:
        raise _command_error(headers, code)


def merge_held(releasable: JobList, everything: JobList) -> JobList:
    """Combine the two job lists of a person: releasable jobs, then the held ones.

    The server does not mark held jobs: those in ``everything`` (asked with
    ``ShowPutOnHoldJobs=1``) but not in ``releasable`` are the held ones.
    """
    known = {job.file_name for job in releasable.jobs}
    held = tuple(
        replace(job, on_hold=True)
        for job in everything.jobs
        if job.file_name not in known
    )
    return JobList(
        jobs=releasable.jobs + held,
        visible=releasable.visible,
        skipped=max(releasable.skipped, everything.skipped),
    )


async def _both[A, B](first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Await two requests at the same time; raise the first one's error (both end)."""
    one, two = await asyncio.gather(first, second, return_exceptions=True)
    if isinstance(one, BaseException):
        raise one
    if isinstance(two, BaseException):
        raise two
    return one, two


class UserIdGuard(Protocol):
    """Asked before a request carries a user ID; told what the server answered about it.

    The client's one seam for every command sent as a person (GetJobList, DeleteJob,
    SetJobProperties, CancelPrintJob, GetCapabilities, PrintJob): :meth:`before` raises
    (a :class:`TpfmError`) to keep the ID from being sent at all; :meth:`answered` is told
    the command error of the answer's head (``X-FMP-Return``), or None when the server
    accepted the ID. Connection faults and HTTP errors say nothing about the ID and are
    not told.
    """

    def before(self, user_id: str) -> None:
        """Raise to refuse sending ``user_id``."""

    async def turn(self, user_id: str) -> None:
        """Wait while an earlier request as ``user_id`` awaits its answer, then decide.

        Asked right before sending: raise to refuse (like :meth:`before`) or return to
        let this one go. Every request that got its turn is followed by :meth:`done` in the same task.
        """

    def done(self, user_id: str) -> None:
        """A request sent as ``user_id`` ended (answered, failed or cancelled)."""

    def answered(self, user_id: str, error: TpfmCommandError | None) -> None:
        """The server answered a request sent as ``user_id``."""

    def may_retry(self, user_id: str) -> bool:
        """Return whether a request sent as ``user_id`` may be resent after a fault.

        True only for an ID known to be registered: the first request may have reached
        the server, and for an ID it does not know each one prints a registration sheet.
        """


class TpfmClient:
    """Talks the TPFM commands to one server with one station password."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str = DEFAULT_URL,
        password: str = "",
        *,
        language: str = "en",
        user_agent: str = DEFAULT_USER_AGENT,
        verify_ssl: bool = True,
        connect_timeout: float = CONNECT_TIMEOUT,
        request_timeout: float = REQUEST_TIMEOUT,
        print_start_timeout: float = PRINT_START_TIMEOUT,
        stream_read_timeout: float = STREAM_READ_TIMEOUT,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
    ) -> None:
        """Create a client; ``session`` is owned by the caller."""
        self._session = session
        self.base_url = normalize_url(url)
        self._endpoint = str(self.base_url / "TPFM/")
        self._password = password
        self.language = language
        self.user_agent = user_agent
        self._ssl: bool = verify_ssl
        self._connect_timeout = connect_timeout
        self._request_timeout = request_timeout
        self._print_start_timeout = print_start_timeout
        self._stream_read_timeout = stream_read_timeout
        self._retry_delays = retry_delays
        #: Asked before every request that carries a user ID (None: no guard).
        self.guard: UserIdGuard | None = None

    @property
    def language(self) -> str:
        """The 2-letter ISO 639 code sent as ``X-Lang-ID``."""
        return self._language

    @language.setter
    def language(self, value: str) -> None:
        code = value.strip()[:2].lower()
        self._language = code if len(code) == 2 and code.isalpha() else "en"

    # -- request plumbing -------------------------------------------------------------

    def _url(self, cmd: str, params: Mapping[str, str | int | None]) -> URL:
        query = [f"Cmd={quote(cmd, safe='')}"]
        query.extend(
            f"{quote(key, safe='')}={quote(str(value), safe='')}"
            for key, value in params.items()
            if value is not None
        )
        return URL(f"{self._endpoint}?{'&'.join(query)}", encoded=True)

    def _headers(self, user_id: str | None) -> dict[str, str]:
        """Return the request headers; ``user_id`` None sends no Authorization.

        Raises:
            ValueError: the user ID is empty or contains a colon.

        """
        headers = {"X-Lang-ID": self._language, "X-FMP-User-Agent": self.user_agent}
        if user_id is not None:
            if not user_id or ":" in user_id:
                raise ValueError("a user ID must be non-empty and contain no colon")
            # Built here rather than with aiohttp's deprecated ``auth=`` argument.
            credentials = f"{user_id}:{self._password}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode(
                "ascii"
            )
        return headers

    def _ask_guard(self, user_id: str | None) -> None:
        """Let the guard refuse a request sent as ``user_id`` before it is sent."""
        if user_id is not None and self.guard is not None:
            self.guard.before(user_id)

    async def _take_turn(self, user_id: str | None) -> None:
        """Wait for an earlier request sent as ``user_id`` (see :meth:`UserIdGuard.turn`)."""
        if user_id is not None and self.guard is not None:
            await self.guard.turn(user_id)

    def _done(self, user_id: str | None) -> None:
        """Tell the guard a request sent as ``user_id`` ended."""
        if user_id is not None and self.guard is not None:
            self.guard.done(user_id)

    def _may_retry(self, user_id: str | None) -> bool:
        """Return whether the guard lets a request sent as ``user_id`` be resent."""
        return user_id is None or self.guard is None or self.guard.may_retry(user_id)

    def _check_answer(
        self, user_id: str | None, status: int, headers: Mapping[str, str]
    ) -> None:
        """Check an answer's head and tell the guard what it says about ``user_id``."""
        try:
            _check_head(status, headers)
        except TpfmCommandError as err:
            if user_id is not None and self.guard is not None:
                self.guard.answered(user_id, err)
            raise
        if user_id is not None and self.guard is not None:
            self.guard.answered(user_id, None)

    async def _get(
        self, cmd: str, params: Mapping[str, str | int | None], user_id: str | None
    ) -> _Reply:
        """Send one ordinary command and return its checked answer."""
        self._ask_guard(user_id)
        url = self._url(cmd, params)
        headers = self._headers(user_id)
        await self._take_turn(user_id)
        try:
            return await self._send(cmd, url, headers, user_id)
        finally:
            self._done(user_id)

    async def _send(
        self, cmd: str, url: URL, headers: dict[str, str], user_id: str | None
    ) -> _Reply:
        """Send an ordinary command the guard let through; return its checked answer."""
        # sock_read bounds the wait for the head (and each read) once connected; the
        # overall limit also covers a connection set-up and a body that trickles in.
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=self._connect_timeout,
            sock_connect=self._connect_timeout,
            sock_read=self._request_timeout,
        )
        try:
            async with asyncio.timeout(self._request_timeout + self._connect_timeout):
                async with self._session.get(
                    url,
                    headers=headers,
                    ssl=self._ssl,
                    timeout=timeout,
                    allow_redirects=False,
                ) as resp:
                    self._check_answer(user_id, resp.status, resp.headers)
                    body = await _read_body(resp)
                    return _Reply(resp.headers, body.decode("utf-8", errors="replace"))
        except TimeoutError as err:
            raise TpfmTimeoutError(f"{cmd}: no answer in time") from err
        except aiohttp.ClientError as err:
            raise TpfmConnectionError(f"{cmd}: {type(err).__name__}") from err

    async def _retrying[T](
        self, cmd: str, call: Callable[[], Awaitable[T]], user_id: str | None = None
    ) -> T:
        """Run a read-only command, retrying transient faults with back-off.

        A request sent as ``user_id`` is not retried when the guard says no (an ID not
        known to be registered): the first request may have printed a registration sheet.
        """
        delays = iter(self._retry_delays)
        while True:
            try:
                return await call()
            except (TpfmConnectionError, TpfmHttpError) as err:
                if isinstance(err, TpfmHttpError) and not err.transient:
                    raise
                if not self._may_retry(user_id):
                    raise
                delay = next(delays, None)
                if delay is None:
                    raise
                _LOGGER.debug(
                    "%s failed (%s), retrying in %.1f s", cmd, type(err).__name__, delay
                )
                await asyncio.sleep(delay)

    # -- commands -----------------------------------------------------------------------

    async def get_version(self) -> VersionInfo:
        """GetVersion: the server's component versions. Needs no authentication."""
        reply = await self._retrying(
            "GetVersion", lambda: self._get("GetVersion", {}, None)
        )
        return parse_version(reply.text)

    async def get_capabilities(self, user_id: str | None = None) -> Capabilities:
        """GetCapabilities: the commands offered to ``user_id`` (or to a guest)."""
        reply = await self._retrying(
            "GetCapabilities",
            lambda: self._get("GetCapabilities", {}, user_id),
            user_id,
        )
        return parse_capabilities(reply.text)

    async def get_job_list(
        self,
        user_id: str,
        *,
        printer: str | None = None,
        max_entries: int | None = None,
        show_held: bool = False,
    ) -> JobList:
        """GetJobList: the person's jobs, oldest first as the server sends them.

        With ``show_held`` the server includes jobs put on hold; it does not mark which
        those are, so :meth:`get_jobs_with_held` asks twice to tell them apart.
        """
        params: dict[str, str | int | None] = {
            "Printer": printer or None,
            "MaxEntries": max_entries,
            "ShowPutOnHoldJobs": 1 if show_held else None,
        }
        reply = await self._retrying(
            "GetJobList", lambda: self._get("GetJobList", params, user_id), user_id
        )
        return parse_job_list(
            reply.text, visible=parse_visible(reply.headers.get(HEADER_VISIBLE))
        )

    def lists_at_once(self, user_id: str) -> bool:
        """Return whether :meth:`get_jobs_with_held` asks both lists of an ID at once.

        Only for an ID the guard knows as registered (no guard: always): a second
        request for an ID the server may not know could print a second sheet.
        """
        return self._may_retry(user_id)

    async def get_jobs_with_held(
        self, user_id: str, *, printer: str | None = None, at_once: bool = True
    ) -> JobList:
        """Return the releasable jobs followed by the held ones, held jobs marked ``on_hold``.

        The server does not mark held jobs, so both lists are read. For an ID known to
        be registered (the guard's rule for resending, :meth:`UserIdGuard.may_retry`)
        both go out at once: one round trip. Any other ID asks for the whole list
        (``ShowPutOnHoldJobs=1``) alone first, so an ID the server does not know prints
        one registration sheet, not two; when that list is empty the second ask is
        skipped. ``at_once=False`` always asks that way (a background poll, where a
        round trip costs nothing but an ID the server forgot since would print twice).
        """
        if at_once and self.lists_at_once(user_id):
            everything, releasable = await _both(
                self.get_job_list(user_id, printer=printer, show_held=True),
                self.get_job_list(user_id, printer=printer),
            )
            return merge_held(releasable, everything)
        everything = await self.get_job_list(user_id, printer=printer, show_held=True)
        if not everything.jobs:
            return everything
        releasable = await self.get_job_list(user_id, printer=printer)
        return merge_held(releasable, everything)

    async def delete_job(self, user_id: str, job: str) -> None:
        """DeleteJob: delete one job by its file name. Never retried."""
        await self._get("DeleteJob", {"Job": job}, user_id)

    async def set_job_properties(
        self,
        user_id: str,
        job: str,
        *,
        on_hold: bool | None = None,
        modified: datetime | int | None = None,
    ) -> None:
        """SetJobProperties: put a job on hold (or back), or change its modified date."""
        if isinstance(modified, datetime):
            modified = int(modified.timestamp())
        params: dict[str, str | int | None] = {
            "Job": job,
            "PutOnHold": None if on_hold is None else int(on_hold),
            "ModifiedDate": modified,
        }
        await self._get("SetJobProperties", params, user_id)

    async def cancel_print_job(self, user_id: str, proc_id: int) -> None:
        """CancelPrintJob: stop a running PrintJob; works while its stream is open."""
        await self._get("CancelPrintJob", {"ProcId": proc_id}, user_id)

    def print_job(
        self,
        user_id: str,
        job: str,
        *,
        printer: str | None = None,
        copies: int = 1,
        delete: bool = True,
        progress: bool = True,
    ) -> PrintJobStream:
        """PrintJob: start printing one job; use the result as an async context manager.

        ``async with client.print_job(uid, job) as stream:`` returns once the response head
        arrived (``stream.proc_id`` and ``stream.progress_unit`` are set); ``async for event
        in stream`` yields progress as chunks arrive, and ``stream.result`` holds the result
        taken from the ``X-FMP-Return`` lines inside the data. PrintJob is never retried.
        """
        params: dict[str, str | int | None] = {
            "Job": job,
            "Printer": printer or None,
            "Copies": copies,
            "Delete": int(delete),
            "Progress": int(progress),
        }
        self._ask_guard(user_id)
        url = self._url("PrintJob", params)
        headers = self._headers(user_id)
        # No read timeout on the socket: the stream's own per-line timeout applies.
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=self._connect_timeout,
            sock_connect=self._connect_timeout,
        )

        # Per-request middlewares replace the session's: keep those, add _send_once.
        middlewares = (*getattr(self._session, "_middlewares", ()), _send_once)

        async def open_response() -> aiohttp.ClientResponse:
            await self._take_turn(user_id)
            return await self._session.get(
                url,
                headers=headers,
                ssl=self._ssl,
                timeout=timeout,
                allow_redirects=False,
                middlewares=middlewares,
            )

        return PrintJobStream(
            open_response,
            check_head=partial(self._check_answer, user_id),
            head_done=partial(self._done, user_id),
            start_timeout=self._print_start_timeout,
            read_timeout=self._stream_read_timeout,
        )


class PrintJobStream:
    """One running PrintJob: its process id, its progress events and its result."""

    def __init__(
        self,
        open_response: Callable[[], Awaitable[aiohttp.ClientResponse]],
        *,
        start_timeout: float,
        read_timeout: float,
        check_head: Callable[[int, Mapping[str, str]], None] = _check_head,
        head_done: Callable[[], None] = lambda: None,
    ) -> None:
        """Prepare the request; ``__aenter__`` sends it through ``open_response``.

        ``head_done`` is called once the head was checked or the request failed.
        """
        self._open = open_response
        self._check_head = check_head
        self._head_done = head_done
        self._start_timeout = start_timeout
        self._read_timeout = read_timeout
        self._resp: aiohttp.ClientResponse | None = None
        self._events_iter: AsyncGenerator[ProgressEvent] | None = None
        self.proc_id: int | None = None
        self.progress_unit: ProgressUnit | None = None
        self.last_progress: ProgressEvent | None = None
        self.result: PrintResult | None = None

    async def __aenter__(self) -> Self:
        """Send the request and wait for the response head."""
        try:
            return await self._enter()
        finally:
            self._head_done()

    async def _enter(self) -> Self:
        try:
            async with asyncio.timeout(self._start_timeout):
                resp = await self._open()
        except TimeoutError as err:
            raise TpfmTimeoutError("PrintJob: no answer in time") from err
        except aiohttp.ClientError as err:
            cause = err.__cause__ if isinstance(err, _NotResentError) else err
            raise TpfmConnectionError(f"PrintJob: {type(cause).__name__}") from err
        try:
            self._check_head(resp.status, resp.headers)
        except BaseException:
            resp.close()
            raise
        self._resp = resp
        proc_id = resp.headers.get(HEADER_PROC_ID, "").strip()
        self.proc_id = int(proc_id) if proc_id.isdigit() else None
        self.progress_unit = parse_progress_type(resp.headers.get(HEADER_PROGRESS_TYPE))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the response; an unfinished stream closes its connection."""
        self.close()
        if self._events_iter is not None:
            # A generator still running in another task cannot be closed from here.
            with contextlib.suppress(RuntimeError):
                await self._events_iter.aclose()

    def close(self) -> None:
        """Drop the stream (the connection is closed unless the answer was read to the end)."""
        if self._resp is not None:
            self._resp.close()

    def __aiter__(self) -> AsyncIterator[ProgressEvent]:
        """Yield progress events as chunks arrive; sets :attr:`result` at the end."""
        if self._resp is None:
            raise RuntimeError("use 'async with' before iterating a PrintJob stream")
        if self._events_iter is not None:
            raise RuntimeError("a PrintJob stream can be read once")
        self._events_iter = self._events(self._resp)
        return self._events_iter

    async def wait_result(self) -> PrintResult:
        """Read the rest of the stream, ignoring progress, and return the result.

        Also after an ``async for`` over the stream that stopped early: the events it
        did not read are skipped.
        """
        events = self._events_iter if self._events_iter is not None else aiter(self)
        async for _ in events:
            pass
        if self.result is None:
            raise TpfmStreamError("PrintJob: the stream ended without a result")
        return self.result

    async def _events(
        self, resp: aiohttp.ClientResponse
    ) -> AsyncGenerator[ProgressEvent]:
        fields: dict[str, str] = {}
        read_timeout = self._read_timeout
        while True:
            try:
                async with asyncio.timeout(read_timeout):
                    line = await resp.content.readline()
            except TimeoutError as err:
                resp.close()
                raise TpfmTimeoutError(
                    f"PrintJob: no progress for {read_timeout:.0f} s"
                ) from err
            except (aiohttp.ClientError, HttpProcessingError, ValueError) as err:
                # HttpProcessingError: aiohttp's LineTooLong is no ClientError.
                resp.close()
                if HEADER_RETURN.casefold() in fields:
                    # The result arrived; only the (non-standard) trailer broke.
                    break
                raise TpfmStreamError(
                    f"PrintJob: the stream broke off ({type(err).__name__})"
                ) from err
            if not line:
                break
            text = line.decode("utf-8", errors="replace").strip()
            if not text:
                continue
            if text[:6].upper() == "X-FMP-":
                key, _, value = text.partition(":")
                fields.setdefault(key.strip().casefold(), value.strip())
                continue
            event = parse_progress_token(text, self.progress_unit)
            if event is None:
                _LOGGER.debug("PrintJob: ignoring a token that is no progress")
                continue
            self.last_progress = event
            yield event
        try:
            code = parse_return_code(fields.get(HEADER_RETURN.casefold()))
        except TpfmParseError:
            code = None
        if code is None:
            raise TpfmStreamError("PrintJob: the stream ended without a result")
        self.result = PrintResult(
            code=code,
            proc_id=self.proc_id,
            error_text=decode_text(fields.get(HEADER_ERR_TEXT.casefold())),
            os_error=parse_os_error(fields.get(HEADER_OS_ERROR.casefold())),
            os_error_text=decode_text(fields.get(HEADER_OS_ERR_TEXT.casefold())),
        )
