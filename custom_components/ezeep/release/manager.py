"""Releasing a person's jobs: the orchestrator of one station's releases.

It guarantees, with its parts, that

* PrintJob is never retried (runner.py);
* one person is never released twice at once, a second release within the cooldown is
  refused, not queued, and a station starts at most ``rate_limit`` releases a minute
  (admission.py);
* a cancel reaches the server also when it arrives before the ProcId is known (runner.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from ..const import DOMAIN, RESULT_CANCELED
from ..errors import ReleaseRefusedError
from ..store import ReleaseLimits
from ..tpfm import Job, TpfmAuthError, TpfmClient, TpfmError, TpfmUserNotAllowedError
from .admission import ReleaseAdmission
from .publisher import ReleasePublisher
from .runner import JobRunner, Release
from .state import JobOutcome, ReleaseListener, ReleaseState, ReleaseStates

#: Awaited before a release (unless forced); raises a ReleaseRefusedError to refuse it.
type ReadinessCheck = Callable[[], Awaitable[None]]


class ReleaseManager:
    """Releases and cancels jobs for the people of one station."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: TpfmClient,
        *,
        limits: ReleaseLimits,
        cooldown: float,
        rate_limit: int,
        refresh_user: Callable[[str], None],
        on_unknown_user: Callable[[str], None],
        readiness_check: ReadinessCheck | None,
    ) -> None:
        """Create the manager of a station with its collaborators.

        ``refresh_user`` has a person's job list read again after their release;
        ``on_unknown_user`` is told of an ID the server does not know; ``readiness_check``
        (None: no printer readiness source) may refuse a release.
        """
        self._hass = hass
        self._entry = entry
        self._client = client
        self._refresh_user = refresh_user
        self._on_unknown_user = on_unknown_user
        self.readiness_check = readiness_check
        self.admission = ReleaseAdmission(
            limits, cooldown=cooldown, rate_limit=rate_limit
        )
        self.states = ReleaseStates(hass)
        self._publisher = ReleasePublisher(hass, entry.entry_id, self.states)
        self._runner = JobRunner(client, self.states, self._publisher, self._on_error)
        #: Set by async_shutdown: the station is unloading, no release starts any more.
        self._closed = False

    def state(self, user_id: str) -> ReleaseState:
        """Return the release state of a person."""
        return self.states.state(user_id)

    @callback
    def async_add_listener(
        self, user_id: str, listener: ReleaseListener
    ) -> CALLBACK_TYPE:
        """Tell ``listener`` of this person's state changes (None) and job events."""
        return self.states.async_add_listener(user_id, listener)

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
            TpfmError: the job list could not be read.

        """
        try:
            if not force and self.readiness_check is not None:
                await self.readiness_check()
            self.admission.admit(user_id)
        except ReleaseRefusedError as err:
            self._publisher.refused(user_id, err)
            raise
        release = Release(user_id, printer_id, copies, delete)
        self._runner.add(release)
        self.states.state(user_id).begin()
        self.states.async_changed(user_id)
        try:
            job_list = await self._client.get_job_list(user_id, printer=printer_id)
        except TpfmError as err:
            self._finish(release)
            self._on_error(user_id, err)
            self._publisher.failed(user_id, None, err)
            raise
        except BaseException:
            self._finish(release)  # the call itself was cancelled: free the person
            raise
        jobs = sorted(job_list.jobs, key=lambda job: job.created)
        release.outcomes = [JobOutcome(job.file_name, job.name) for job in jobs]
        if release.cancel_requested or self._closed or not jobs:
            # Closed: the station unloaded while GetJobList was asked. A task started
            # now would outlive the shutdown and print beside a reloaded station.
            for outcome in release.outcomes:
                outcome.result = RESULT_CANCELED
            self._finish(release, refresh=not self._closed)
            return list(release.outcomes)
        release.task = self._entry.async_create_background_task(
            self._hass, self._run(release, jobs), f"{DOMAIN} release"
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

    async def _run(self, release: Release, jobs: list[Job]) -> None:
        stopping = False
        try:
            await self._runner.run(release, jobs)
        except asyncio.CancelledError:
            stopping = True
            raise
        finally:
            self._finish(release, refresh=not stopping)

    @callback
    def _finish(self, release: Release, *, refresh: bool = True) -> None:
        """Free the person; with ``refresh``, have their job list read again."""
        user_id, last = release.user_id, release.last
        self._runner.remove(release)
        self.admission.done(user_id)
        self.states.state(user_id).end(
            last.result if last else None, last.name if last else None
        )
        self.states.async_changed(user_id)
        self.states.async_forget_unwatched(user_id)
        if release.outcomes and refresh:
            self._refresh_user(user_id)

    @callback
    def _on_error(self, user_id: str, err: TpfmError) -> None:
        """Act on a server error: an unknown ID, a refused password."""
        if isinstance(err, TpfmUserNotAllowedError):
            self._on_unknown_user(user_id)
        elif isinstance(err, TpfmAuthError):
            self._entry.async_start_reauth(self._hass)

    async def async_cancel_user(self, user_id: str) -> bool:
        """Cancel a person's running job and drop the queued rest; False if none runs."""
        return await self._runner.cancel_user(user_id)

    async def async_cancel_proc(self, proc_id: int) -> bool:
        """Cancel the release whose running job has this ProcId; False if none has."""
        return await self._runner.cancel_proc(proc_id)

    async def async_shutdown(self) -> None:
        """Stop every release task (entry unload or Home Assistant stop)."""
        self._closed = True
        tasks = self._runner.tasks()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
