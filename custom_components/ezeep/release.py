"""Releasing a person's jobs: one PrintJob stream at a time, cancel, events, safety limits.

One :class:`ReleaseManager` per station. It guarantees that

* PrintJob is never retried: a job whose outcome is unknown is reported failed, not sent again;
* one person is never released twice at once, and a second release within the cooldown is
  refused (not queued);
* a station starts at most ``rate_limit`` releases a minute, across all IDs;
* a cancel reaches the server also when it arrives before the ProcId is known.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import (
    DOMAIN,
    ERROR_AUTH,
    ERROR_BUSY,
    ERROR_CONNECTION,
    ERROR_COOLDOWN,
    ERROR_PRINTER_NOT_READY,
    ERROR_PROTOCOL,
    ERROR_RATE_LIMITED,
    ERROR_STREAM,
    ERROR_TIMEOUT,
    EVENT_PRINT_ERROR,
    EVENT_PRINT_PROGRESS,
    LOGGER,
    RATE_WINDOW,
    RESULT_CANCELED,
    RESULT_COMPLETED,
    RESULT_FAILED,
    RESULT_QUEUED,
    STATUS_CANCELED,
    STATUS_COMPLETED,
    STATUS_PRINTING,
    STATUS_STARTED,
)
from .errors import ReleaseRefusedError as _GuardRefusedError
from .tpfm import (
    Job,
    PrintResult,
    ProgressEvent,
    ProgressUnit,
    TpfmAuthError,
    TpfmClient,
    TpfmCommandError,
    TpfmError,
    TpfmInvalidProcIdError,
    TpfmParseError,
    TpfmStreamError,
    TpfmTimeoutError,
    TpfmUserNotAllowedError,
)

#: Told of a person's release events: an event type (``started``, ``completed``, ``failed``,
#: ``canceled``) and the data of the bus event that went with it.
type ReleaseEventListener = Callable[[str, dict[str, Any]], None]
#: Awaited before a release (unless forced); raises PrinterNotReadyError to refuse it.
#: See printer_status.py.
type ReadinessCheck = Callable[[], Awaitable[None]]

#: X-FMP-Return codes after which the next job of the same person is still tried:
#: the failure belongs to that one job (an OS error on the server, a vanished job file).
_PER_JOB_CODES = frozenset({1, 5})


@dataclass(slots=True)
class JobOutcome:
    """One job of a release, as the service response reports it."""

    job: str
    name: str
    proc_id: int | None = None
    result: str = RESULT_QUEUED

    def as_dict(self) -> dict[str, Any]:
        """Return the service-response form."""
        return {
            "job": self.job,
            "name": self.name,
            "proc_id": self.proc_id,
            "result": self.result,
        }


@dataclass(slots=True)
class ReleaseState:
    """What a person's entities show about releasing."""

    running: bool = False
    job_name: str | None = None
    done: int | None = None
    total: int | None = None
    unit: ProgressUnit | None = None
    last_result: str | None = None
    last_job_name: str | None = None
    last_error: str | None = None
    last_finished: datetime | None = None

    @property
    def percent(self) -> int | None:
        """Progress of the running job in percent, when it can be told."""
        if not self.running or self.done is None:
            return None
        if self.unit is ProgressUnit.PERCENT:
            return max(0, min(100, self.done))
        if self.total:
            return max(0, min(100, self.done * 100 // self.total))
        return None


@dataclass(slots=True)
class _Release:
    """A release in flight for one person."""

    user_id: str
    printer_id: str | None = None
    copies: int = 1
    delete: bool = True
    outcomes: list[JobOutcome] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    current: JobOutcome | None = None
    proc_id: int | None = None
    cancel_requested: bool = False
    canceled_procs: set[int] = field(default_factory=set)


@dataclass(slots=True)
class _Limits:
    """A station's cooldown marks and rate window (monotonic times)."""

    last_activity: dict[str, float] = field(default_factory=dict)
    starts: deque[float] = field(default_factory=deque)


#: Entry id -> that station's limits, kept for the whole run (across reloads).
RELEASE_LIMITS: HassKey[dict[str, _Limits]] = HassKey(f"{DOMAIN}_release_limits")


class ReleaseRefusedError(HomeAssistantError):
    """A release was refused before anything was sent to the server."""


class PrinterNotReadyError(ReleaseRefusedError):
    """The printer cannot print now; the placeholder ``reason`` says why."""

    @property
    def reason(self) -> str:
        """Why the printer is not ready (its own words)."""
        return (self.translation_placeholders or {}).get("reason", "")


def _add_listener[T](
    listeners: dict[str, list[T]], user_id: str, listener: T
) -> CALLBACK_TYPE:
    """Add a listener of one person; return the callback that removes it."""
    of_user = listeners.setdefault(user_id, [])
    of_user.append(listener)

    @callback
    def remove() -> None:
        of_user.remove(listener)

    return remove


class ReleaseManager:
    """Releases and cancels jobs for the people of one station."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: TpfmClient,
        *,
        cooldown: float,
        rate_limit: int,
        on_finished: Callable[[str], None],
        on_unknown_user: Callable[[str], None],
    ) -> None:
        """Create the manager; callbacks are told of finished releases and unknown IDs."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self.cooldown = cooldown
        self.rate_limit = rate_limit
        self._on_finished = on_finished
        self._on_unknown_user = on_unknown_user
        self._releases: dict[str, _Release] = {}
        # Cooldowns and the rate window outlive a reload of the station (new settings,
        # a reauth): a tag scanned again right after it must not release a second time.
        limits = hass.data.setdefault(RELEASE_LIMITS, {}).setdefault(
            entry.entry_id, _Limits()
        )
        self._last_activity = limits.last_activity
        self._starts = limits.starts
        self._states: dict[str, ReleaseState] = {}
        self._listeners: dict[str, list[CALLBACK_TYPE]] = {}
        self._dirty: set[str] = set()
        self._flush: asyncio.Handle | None = None
        self._event_listeners: dict[str, list[ReleaseEventListener]] = {}
        #: The printer readiness guard (set when the station has a readiness source).
        self.readiness_check: ReadinessCheck | None = None
        #: Set by async_shutdown: the station is unloading, no release starts any more.
        self._closed = False

    # -- state for entities ----------------------------------------------------------

    def state(self, user_id: str) -> ReleaseState:
        """Return the release state of a person."""
        return self._states.setdefault(user_id, ReleaseState())

    @callback
    def async_add_listener(self, user_id: str, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``update`` whenever this person's release state changes."""
        return _add_listener(self._listeners, user_id, update)

    @callback
    def _notify(self, user_id: str) -> None:
        """Have this person's entities write their state, once, on the next loop turn.

        Deferred and coalesced: a request that changed the state (the claim before
        GetJobList, the start of a PrintJob) goes out before the entities are written,
        and a burst of progress lines read in one turn costs one write per entity.
        """
        self._dirty.add(user_id)
        if self._flush is None:
            self._flush = self._hass.loop.call_soon(self._write_states)

    @callback
    def _write_states(self) -> None:
        self._flush = None
        dirty, self._dirty = self._dirty, set()
        for user_id in dirty:
            for update in list(self._listeners.get(user_id, ())):
                update()

    @callback
    def async_add_event_listener(
        self, user_id: str, listener: ReleaseEventListener
    ) -> CALLBACK_TYPE:
        """Call ``listener`` when a job of this person starts, completes, fails or is canceled."""
        return _add_listener(self._event_listeners, user_id, listener)

    @callback
    def _notify_event(
        self, user_id: str, event_type: str, data: dict[str, Any]
    ) -> None:
        for listener in list(self._event_listeners.get(user_id, ())):
            listener(event_type, data)

    # -- releasing -------------------------------------------------------------------

    async def async_print_all(
        self,
        user_id: str,
        *,
        printer_id: str | None,
        copies: int = 1,
        delete: bool = True,
        wait: bool = False,
        force: bool = False,
    ) -> list[JobOutcome]:
        """Release all of a person's jobs, oldest first, one PrintJob at a time.

        Returns the jobs with their results (``queued`` unless ``wait``). Unless
        ``force``, the printer's readiness is checked first (when a source is set).

        Raises:
            ReleaseRefusedError: busy, within the cooldown, over the rate limit, or
                the printer is not ready.
            HomeAssistantError: the job list could not be read.

        """
        if not force and self.readiness_check is not None:
            try:
                await self.readiness_check()
            except PrinterNotReadyError as err:
                self._fire_refused(user_id, ERROR_PRINTER_NOT_READY, err.reason)
                raise
            except _GuardRefusedError as err:  # the guard's own (errors.py contract)
                self._fire_refused(user_id, err.code, err.error)
                raise
        release = self._reserve(user_id)
        release.printer_id, release.copies, release.delete = printer_id, copies, delete
        try:
            job_list = await self._client.get_job_list(user_id, printer=printer_id)
        except TpfmError as err:
            self._finish(release)
            self._fire_error(user_id, None, None, err)
            raise self._service_error(err) from err
        except BaseException:
            # The call itself was cancelled: free the person again.
            self._finish(release)
            raise
        jobs = sorted(job_list.jobs, key=lambda job: job.created)
        release.outcomes = [
            JobOutcome(job=job.file_name, name=job.name) for job in jobs
        ]
        if release.cancel_requested or self._closed or not jobs:
            # Closed: the station unloaded while GetJobList was asked. A task started
            # now would outlive the shutdown and print beside a reloaded station.
            for outcome in release.outcomes:
                outcome.result = RESULT_CANCELED
            self._finish(release, refresh=not self._closed)
            return list(release.outcomes)
        release.task = self._entry.async_create_background_task(
            self._hass,
            self._run(release, jobs),
            f"{DOMAIN} release",
        )
        if wait:
            try:
                await asyncio.shield(release.task)
            except asyncio.CancelledError:
                # Only this call's own cancellation goes on; a release task stopped by
                # an unload has set the outcomes (failed, canceled): report them.
                current = asyncio.current_task()
                if current is None or current.cancelling():
                    raise
        return [
            JobOutcome(o.job, o.name, o.proc_id, o.result) for o in release.outcomes
        ]

    def _reserve(self, user_id: str) -> _Release:
        """Check busy, cooldown and rate limit, and claim the person (no await in here)."""
        now = time.monotonic()
        # Forget cooldowns that ran out, so scanning many cards does not grow memory.
        for stale in [
            u for u, t in self._last_activity.items() if now - t >= self.cooldown
        ]:
            if stale not in self._releases:
                del self._last_activity[stale]
        if user_id in self._releases:
            self._refuse(user_id, ERROR_BUSY)
        last = self._last_activity.get(user_id)
        if last is not None and now - last < self.cooldown:
            self._refuse(
                user_id,
                ERROR_COOLDOWN,
                {"seconds": str(int(self.cooldown - (now - last)) + 1)},
            )
        window = RATE_WINDOW.total_seconds()
        while self._starts and now - self._starts[0] >= window:
            self._starts.popleft()
        if len(self._starts) >= self.rate_limit:
            self._refuse(user_id, ERROR_RATE_LIMITED, {"limit": str(self.rate_limit)})
        self._starts.append(now)
        self._last_activity[user_id] = now
        release = self._releases[user_id] = _Release(user_id)
        state = self.state(user_id)
        state.running, state.job_name, state.done, state.total = True, None, None, None
        self._notify(user_id)
        return release

    def _refuse(
        self, user_id: str, code: str, placeholders: dict[str, str] | None = None
    ) -> None:
        self._fire_refused(user_id, code, code.replace("_", " "))
        raise ReleaseRefusedError(
            translation_domain=DOMAIN,
            translation_key=f"release_{code}",
            translation_placeholders=placeholders,
        )

    @callback
    def _finish(
        self, release: _Release, last: JobOutcome | None = None, *, refresh: bool = True
    ) -> None:
        """Free the person; with ``refresh``, have their job list read again."""
        user_id = release.user_id
        if self._releases.get(user_id) is release:
            del self._releases[user_id]
        self._last_activity[user_id] = time.monotonic()
        state = self.state(user_id)
        state.running, state.done, state.total, state.unit, state.job_name = (
            False,
            None,
            None,
            None,
            None,
        )
        if last is not None:
            state.last_result = last.result
            state.last_job_name = last.name
            state.last_finished = dt_util.utcnow()
        self._notify(user_id)
        if not self._listeners.get(user_id):
            # No entity shows this person (an unconfigured card): keep no state.
            self._states.pop(user_id, None)
        if release.outcomes and refresh:
            self._on_finished(user_id)

    async def _run(self, release: _Release, jobs: list[Job]) -> None:
        last: JobOutcome | None = None
        stopping = False
        try:
            stop = False
            for job, outcome in zip(jobs, release.outcomes, strict=True):
                if stop or release.cancel_requested:
                    outcome.result = RESULT_CANCELED
                    continue
                release.current = last = outcome
                stop = await self._print_one(release, job, outcome)
        except asyncio.CancelledError:
            # Unloaded or stopping: the server finishes a job it started; nothing is resent,
            # and nothing more is asked of the server (its session may be closing).
            stopping = True
            for outcome in release.outcomes:
                if outcome.result == RESULT_QUEUED:
                    outcome.result = (
                        RESULT_CANCELED
                        if outcome is not release.current
                        else RESULT_FAILED
                    )
            raise
        finally:
            release.current = None
            self._finish(release, last, refresh=not stopping)

    async def _print_one(
        self, release: _Release, job: Job, outcome: JobOutcome
    ) -> bool:
        """Print one job; return True when the rest of the release must stop."""
        user_id = release.user_id
        state = self.state(user_id)
        state.job_name, state.done, state.total, state.unit = job.name, 0, None, None
        self._notify(user_id)
        result: PrintResult | None = None
        try:
            async with self._client.print_job(
                user_id,
                job.file_name,
                printer=release.printer_id,
                copies=release.copies,
                delete=release.delete,
            ) as stream:
                # Set the ProcId and look at the cancel flag with no await in between:
                # exactly one of this code and async_cancel sends CancelPrintJob.
                outcome.proc_id = release.proc_id = stream.proc_id
                state.unit = stream.progress_unit
                self._fire_progress(user_id, outcome, STATUS_STARTED, None)
                if release.cancel_requested:
                    await self._send_cancel(release)
                async for event in stream:
                    state.done, state.total, state.unit = (
                        event.done,
                        event.total,
                        event.unit,
                    )
                    self._notify(user_id)
                    self._fire_progress(user_id, outcome, STATUS_PRINTING, event)
                result = stream.result
        except TpfmError as err:
            outcome.result = RESULT_FAILED
            state.last_error = str(err.error_text or type(err).__name__)
            self._fire_error(user_id, job, outcome.proc_id, err)
            return not (
                isinstance(err, TpfmCommandError) and err.code in _PER_JOB_CODES
            )
        finally:
            release.proc_id = None
        assert result is not None
        last_event = ProgressEvent(
            state.done or 0, state.total, state.unit or ProgressUnit.PAGES
        )
        if result.ok:
            outcome.result = RESULT_COMPLETED
            state.last_error = None
            self._fire_progress(user_id, outcome, STATUS_COMPLETED, last_event)
            return False
        if result.canceled:
            outcome.result = RESULT_CANCELED
            state.last_error = None
            self._fire_progress(user_id, outcome, STATUS_CANCELED, last_event)
            return True
        outcome.result = RESULT_FAILED
        state.last_error = result.error_text or f"X-FMP-Return {result.code}"
        self._fire_print_error(
            user_id,
            job,
            outcome.proc_id,
            code=result.code,
            error=result.error_text,
            os_error=result.os_error,
            os_error_text=result.os_error_text,
        )
        return result.code not in _PER_JOB_CODES

    # -- cancelling ------------------------------------------------------------------

    async def async_cancel_user(self, user_id: str) -> bool:
        """Cancel a person's running job and drop the queued rest; False if none runs."""
        release = self._releases.get(user_id)
        if release is None:
            return False
        release.cancel_requested = True
        if release.proc_id is not None:
            await self._send_cancel(release)
        return True

    async def async_cancel_proc(self, proc_id: int) -> bool:
        """Cancel the release whose running job has this ProcId; False if none has."""
        for release in list(self._releases.values()):
            if release.proc_id == proc_id:
                return await self.async_cancel_user(release.user_id)
        return False

    async def _send_cancel(self, release: _Release) -> None:
        proc_id = release.proc_id
        if proc_id is None or proc_id in release.canceled_procs:
            return
        release.canceled_procs.add(proc_id)
        try:
            await self._client.cancel_print_job(release.user_id, proc_id)
        except TpfmInvalidProcIdError:
            LOGGER.debug("CancelPrintJob: the print had already ended")
        except TpfmError as err:
            LOGGER.warning("Could not cancel a running print: %s", type(err).__name__)

    async def async_shutdown(self) -> None:
        """Stop every release task (entry unload or Home Assistant stop)."""
        self._closed = True
        tasks = [r.task for r in self._releases.values() if r.task is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # -- events ----------------------------------------------------------------------

    def _fire_progress(
        self,
        user_id: str,
        outcome: JobOutcome,
        status: str,
        event: ProgressEvent | None,
    ) -> None:
        data = {
            "config_entry_id": self._entry.entry_id,
            "user_id": user_id,
            "job": outcome.job,
            "name": outcome.name,
            "proc_id": outcome.proc_id,
            "status": status,
            "done": event.done if event else 0,
            "total": event.total if event else None,
            "unit": str(event.unit) if event else None,
        }
        self._hass.bus.async_fire(EVENT_PRINT_PROGRESS, data)
        if status != STATUS_PRINTING:
            self._notify_event(user_id, status, data)

    def _fire_error(
        self, user_id: str, job: Job | None, proc_id: int | None, err: TpfmError
    ) -> None:
        code: int | str
        if isinstance(err, TpfmCommandError):
            code = err.code
            if isinstance(err, TpfmUserNotAllowedError):
                self._on_unknown_user(user_id)
        elif isinstance(err, TpfmAuthError):
            code = ERROR_AUTH
            self._entry.async_start_reauth(self._hass)
        elif isinstance(err, TpfmStreamError):
            code = ERROR_STREAM
        elif isinstance(err, TpfmTimeoutError):
            code = ERROR_TIMEOUT
        elif isinstance(err, TpfmParseError):
            code = ERROR_PROTOCOL
        else:
            code = ERROR_CONNECTION
        self._fire_print_error(
            user_id,
            job,
            proc_id,
            code=code,
            error=err.error_text or str(err),
            os_error=err.os_error,
            os_error_text=err.os_error_text,
        )

    def _fire_refused(self, user_id: str, code: str, error: str) -> None:
        """Report a release refused before anything was sent (no job, no server error)."""
        self._fire_print_error(
            user_id, None, None, code=code, error=error, os_error=None, os_error_text=""
        )

    def _fire_print_error(
        self,
        user_id: str,
        job: Job | None,
        proc_id: int | None,
        **data: Any,
    ) -> None:
        """Fire ``ezeep_print_error`` (a failed job or release) and tell the event entity."""
        data = {
            "config_entry_id": self._entry.entry_id,
            "user_id": user_id,
            "job": job.file_name if job else None,
            "name": job.name if job else None,
            "proc_id": proc_id,
            **data,
        }
        self._hass.bus.async_fire(EVENT_PRINT_ERROR, data)
        self._notify_event(user_id, RESULT_FAILED, data)

    @staticmethod
    def _service_error(err: TpfmError) -> HomeAssistantError:
        if isinstance(err, TpfmUserNotAllowedError):
            key = "unknown_user"
        elif isinstance(err, TpfmAuthError):
            key = "auth_failed"
        elif isinstance(err, TpfmCommandError):
            key = "server_error"
        else:
            key = "cannot_connect"
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders={"error": err.error_text or type(err).__name__},
        )
