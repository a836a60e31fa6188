"""Prints a person's jobs: one PrintJob stream at a time, never resent, cancellable.

A job whose outcome is unknown (a cut stream, a lost connection) is reported failed, not
sent again. A cancel reaches the server also when it arrives before the ProcId is known:
it is sent as soon as the stream's head tells the ProcId.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from ..const import (
    LOGGER,
    RESULT_CANCELED,
    RESULT_COMPLETED,
    RESULT_FAILED,
    RESULT_QUEUED,
    STATUS_PRINTING,
    STATUS_STARTED,
)
from ..errors import JobNotListedError, SelectionNotAllowedError, is_per_job
from ..job_lists import LatestLists
from ..tpfm import (
    Job,
    JobList,
    PrintJobStream,
    PrintResult,
    ProgressEvent,
    ProgressUnit,
    TpfmClient,
    TpfmError,
    TpfmInvalidProcIdError,
    error_for_code,
)
from .publisher import ReleasePublisher
from .state import JobOutcome, ReleaseStates
from .tally import PrintTally


@dataclass(slots=True)
class Release:
    """A release in flight for one person."""

    user_id: str
    printer_id: str | None = None
    copies: int = 1
    delete: bool = True
    #: The file names of a release of chosen jobs, in the order to print them (None:
    #: every releasable job, oldest first).
    selection: tuple[str, ...] | None = None
    outcomes: list[JobOutcome] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    #: The job being printed, and the last one tried.
    current: JobOutcome | None = None
    last: JobOutcome | None = None
    proc_id: int | None = None
    cancel_requested: bool = False
    canceled_procs: set[int] = field(default_factory=set)

    def started_jobs(self) -> list[str]:
        """Return the jobs that started printing (their PrintJob was sent)."""
        return [
            outcome.job
            for outcome in self.outcomes
            if outcome.proc_id is not None
            or outcome.result in (RESULT_COMPLETED, RESULT_FAILED)
        ]


def chosen_jobs(job_list: JobList, selection: tuple[str, ...]) -> list[Job]:
    """Return the chosen jobs of a fresh list in the order given, or refuse."""
    if not job_list.visible:
        raise SelectionNotAllowedError
    listed = {job.file_name: job for job in job_list.jobs}
    if any(name not in listed for name in selection):
        raise JobNotListedError
    return [listed[name] for name in selection]


class JobRunner:
    """Runs and cancels the releases of a station."""

    def __init__(
        self,
        client: TpfmClient,
        states: ReleaseStates,
        publisher: ReleasePublisher,
        on_error: Callable[[str, TpfmError], None],
        on_done: Callable[[Release, bool], None],
        *,
        lists: LatestLists,
        tally: PrintTally,
    ) -> None:
        """Print with ``client``; tell ``on_error`` of a person's server errors.

        ``on_done`` is told of each ended release and whether the person's job list
        should be read again (not when the release was stopped by an unload).
        Each job list read is remembered in ``lists``; each ended job is told to
        ``tally`` (the print statistics).
        """
        self._client = client
        self._states = states
        self._publisher = publisher
        self._on_error = on_error
        self._on_done = on_done
        self._releases: dict[str, Release] = {}
        self.lists = lists
        self._tally = tally

    async def read_jobs(self, release: Release) -> list[Job]:
        """Take an admitted release in and read its jobs, oldest first (or as chosen).

        Raises SelectionNotAllowedError or JobNotListedError (nothing was sent but the
        read) when the chosen jobs may not or cannot be released.
        """
        self._releases[release.user_id] = release
        if release.selection is None:
            job_list = await self._client.get_job_list(
                release.user_id, printer=release.printer_id
            )
            self.lists.remember(release.user_id, job_list, with_held=False)
            jobs = sorted(job_list.jobs, key=lambda job: job.created)
        else:
            job_list = await self._client.get_jobs_with_held(
                release.user_id, printer=release.printer_id
            )
            self.lists.remember(release.user_id, job_list, with_held=True)
            jobs = chosen_jobs(job_list, release.selection)
        release.outcomes = [JobOutcome(job.file_name, job.name) for job in jobs]
        return jobs

    def in_release(self, user_id: str, file_name: str) -> bool:
        """Return whether a job is printing or waiting in a person's release.

        While the release's list is being read, any of the person's jobs may be.
        """
        release = self._releases.get(user_id)
        return release is not None and (
            not release.outcomes
            or any(
                outcome.job == file_name and outcome.result == RESULT_QUEUED
                for outcome in release.outcomes
            )
        )

    def releasing(self, user_id: str) -> frozenset[str]:
        """Return the jobs of a person's running release that printed or wait to."""
        release = self._releases.get(user_id)
        if release is None:
            return frozenset()
        return frozenset(
            outcome.job
            for outcome in release.outcomes
            if outcome.result in (RESULT_QUEUED, RESULT_COMPLETED)
        )

    def remove(self, release: Release) -> None:
        """The release ended."""
        if self._releases.get(release.user_id) is release:
            del self._releases[release.user_id]

    async def async_stop(self) -> None:
        """Stop every release task (entry unload or Home Assistant stop)."""
        tasks = [r.task for r in self._releases.values() if r.task is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def run(self, release: Release, jobs: list[Job]) -> None:
        """Print the jobs in turn; stop at a failure that is not that job's alone."""
        stopping = False
        try:
            stop = False
            for job, outcome in zip(jobs, release.outcomes, strict=True):
                if stop or release.cancel_requested:
                    outcome.result = RESULT_CANCELED
                    continue
                release.current = release.last = outcome
                stop = await self._print_one(release, job, outcome)
                self._count(release, outcome)
        except asyncio.CancelledError:
            # Unloaded or stopping: the server finishes a job it started; nothing is
            # resent, and nothing more is asked of the server (its session may close).
            stopping = True
            for outcome in release.outcomes:
                if outcome.result == RESULT_QUEUED:
                    outcome.result = (
                        RESULT_FAILED if outcome is release.current else RESULT_CANCELED
                    )
            raise
        finally:
            release.current = None
            self._on_done(release, not stopping)

    def _count(self, release: Release, outcome: JobOutcome) -> None:
        """Tell the tally what the ended job printed (its last progress, the copies)."""
        state = self._states.state(release.user_id)
        self._tally.job_ended(
            release.user_id, outcome.result, state.done, state.unit, release.copies
        )

    async def wait(self, release: Release) -> None:
        """Wait for a started release to end (its outcomes are then set)."""
        assert release.task is not None
        try:
            await asyncio.shield(release.task)
        except asyncio.CancelledError:
            # Only this call's own cancellation goes on; a release task stopped by an
            # unload has set the outcomes (failed, canceled): they are reported.
            current = asyncio.current_task()
            if current is None or current.cancelling():
                raise

    async def _print_one(self, release: Release, job: Job, outcome: JobOutcome) -> bool:
        """Print one job; return True when the rest of the release must stop."""
        user_id = release.user_id
        state = self._states.state(user_id)
        state.start_job(job.name)
        self._states.async_changed(user_id)
        try:
            async with self._client.print_job(
                user_id,
                job.file_name,
                printer=release.printer_id,
                copies=release.copies,
                delete=release.delete,
            ) as stream:
                # Set the ProcId and look at the cancel flag with no await in between:
                # exactly one of this code and cancel_user sends CancelPrintJob.
                outcome.proc_id = release.proc_id = stream.proc_id
                unit = stream.progress_unit
                state.start_job(job.name, unit)
                self._states.async_changed(user_id)  # the progress sensor's unit
                # The head names the unit (X-FMP-ProgressType): the started event has it.
                started = None if unit is None else ProgressEvent(0, None, unit)
                self._publisher.progress(user_id, outcome, STATUS_STARTED, started)
                if release.cancel_requested:
                    await self._send_cancel(release)
                await self._follow(user_id, outcome, stream)
        except TpfmError as err:
            outcome.result = RESULT_FAILED
            state.last_error = str(err.error_text or type(err).__name__)
            self._on_error(user_id, err)
            self._publisher.failed(user_id, outcome, err)
            return not is_per_job(err)
        finally:
            release.proc_id = None
        assert stream.result is not None
        last = stream.last_progress or ProgressEvent(
            0, None, stream.progress_unit or ProgressUnit.PAGES
        )
        return self._ended(user_id, outcome, stream.result, last)

    async def _follow(
        self, user_id: str, outcome: JobOutcome, stream: PrintJobStream
    ) -> None:
        """Tell the stream's progress until it ends."""
        state = self._states.state(user_id)
        async for event in stream:
            state.progress(event)
            self._states.async_changed(user_id)
            self._publisher.progress(user_id, outcome, STATUS_PRINTING, event)

    def _ended(
        self,
        user_id: str,
        outcome: JobOutcome,
        result: PrintResult,
        last: ProgressEvent,
    ) -> bool:
        """Report a job's result; return True when the rest of the release must stop."""
        state = self._states.state(user_id)
        if result.ok or result.canceled:
            outcome.result = RESULT_COMPLETED if result.ok else RESULT_CANCELED
            state.last_error = None
            self._publisher.progress(user_id, outcome, outcome.result, last)
            return result.canceled
        outcome.result = RESULT_FAILED
        state.last_error = result.error_text or f"X-FMP-Return {result.code}"
        self._publisher.job_failed(user_id, outcome, result)
        return not is_per_job(error_for_code(result.code))

    async def cancel_user(self, user_id: str) -> bool:
        """Cancel a person's running job and drop the queued rest; False if none runs."""
        release = self._releases.get(user_id)
        if release is None:
            return False
        release.cancel_requested = True
        if release.proc_id is not None:
            await self._send_cancel(release)
        return True

    async def cancel_proc(self, proc_id: int) -> bool:
        """Cancel the release whose running job has this ProcId; False if none has."""
        for release in list(self._releases.values()):
            if release.proc_id == proc_id:
                return await self.cancel_user(release.user_id)
        return False

    async def _send_cancel(self, release: Release) -> None:
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
