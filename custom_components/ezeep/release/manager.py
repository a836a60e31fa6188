"""The orchestrator of one station's releases: admission, job list, runner, events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback

from ..const import DOMAIN, RESULT_CANCELED
from ..errors import ReleaseRefusedError
from ..job_lists import LatestLists
from ..store import ReleaseLimits
from ..tpfm import Job, TpfmAuthError, TpfmClient, TpfmError, TpfmUserNotAllowedError
from ..unknown_ids import is_registered_id
from .admission import ReleaseAdmission
from .publisher import ReleasePublisher
from .runner import JobRunner, Release
from .state import JobOutcome, ReleaseState, ReleaseStates
from .tally import PrintTally

#: Awaited before a release (unless forced); raises a ReleaseRefusedError to refuse it.
type ReadinessCheck = Callable[[], Awaitable[None]]


class ReleaseManager:
    """Releases and cancels jobs for the people of one station.

    Collaborators: ``refresh_user`` reads a person's job list again after their
    release, ``on_unknown_user`` is told of an ID the server does not know, and
    ``readiness_check`` (None: no printer readiness source) may refuse a release.
    """

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
        lists: LatestLists,
    ) -> None:
        """Create the manager; ``refresh_user`` reads a person's jobs after a release.

        Each job list a release reads is remembered in ``lists`` (shared with the
        station's polling and its single-job actions).
        """
        self._hass = hass
        self._entry = entry
        self._client = client
        self._refresh_user = refresh_user
        self._on_unknown_user = on_unknown_user
        self.readiness_check = readiness_check
        self.admission = ReleaseAdmission(limits, cooldown, rate_limit)
        self.states = ReleaseStates(hass)
        self._publisher = ReleasePublisher(hass, entry.entry_id, self.states)
        #: What each ended job printed, for the print statistics sensors.
        self.tally = PrintTally()
        self._runner = JobRunner(
            client,
            self.states,
            self._publisher,
            self.on_server_error,
            self._finish,
            lists=lists,
            tally=self.tally,
        )
        #: The latest job list of each person (see :mod:`..job_lists`).
        self.lists = self._runner.lists
        #: Set by async_shutdown: the station is unloading, no release starts any more.
        self._closed = False

    def state(self, user_id: str) -> ReleaseState:
        """Return the release state of a person."""
        return self.states.state(user_id)

    async def async_release(
        self,
        user_id: str,
        jobs: Sequence[str] | None = None,
        *,
        printer_id: str | None,
        copies: int = 1,
        delete: bool = True,
        wait: bool = False,
        force: bool = False,
    ) -> list[JobOutcome]:
        """Release a person's jobs; return them (``queued`` unless ``wait``).

        ``jobs`` None: every pending job, oldest first (``ezeep.print_all``; the cooldown
        is the person's). A list of file names: those jobs in the order given
        (``ezeep.print_job``; the cooldown is per job); the person's list is read first
        and unless the server allows single jobs (``X-FMP-Visible: 1``) and lists every
        chosen job, nothing is printed.

        Raises ReleaseRefusedError (busy, cooldown, rate limit, printer not ready unless
        ``force``), SelectionNotAllowedError, JobNotListedError, or the TpfmError of
        reading the job list.
        """
        selection = None if jobs is None else tuple(dict.fromkeys(jobs))
        await self._admit(user_id, force=force, jobs=selection)
        release = Release(user_id, printer_id, copies, delete, selection=selection)
        return await self._start(release, wait=wait)

    async def _start(self, release: Release, *, wait: bool) -> list[JobOutcome]:
        """Read the admitted release's jobs and start printing them."""
        jobs = await self._read_jobs(release)
        if release.cancel_requested or self._closed or not jobs:
            # Closed: the station unloaded while GetJobList was asked. A task started
            # now would outlive the shutdown and print beside a reloaded station.
            for outcome in release.outcomes:
                outcome.result = RESULT_CANCELED
            self._finish(release, not self._closed)
            return list(release.outcomes)
        release.task = self._entry.async_create_background_task(
            self._hass, self._runner.run(release, jobs), f"{DOMAIN} release"
        )
        if wait:
            await self._runner.wait(release)
        return [replace(outcome) for outcome in release.outcomes]

    async def _admit(
        self, user_id: str, *, force: bool, jobs: tuple[str, ...] | None = None
    ) -> None:
        """Ask the unknown-ID guard, the printer (unless ``force``), then admission.

        A refusal is reported and raised before anything is claimed: an ID the guard
        holds off takes no place in the rate window and starts no cooldown.
        """
        try:
            if (guard := self._client.guard) is not None:
                guard.before(user_id)
            if not force and self.readiness_check is not None:
                await self.readiness_check()
            self.admission.admit(user_id, jobs)
        except ReleaseRefusedError as err:
            self._publisher.refused(user_id, err)
            raise
        except TpfmError as err:  # the guard's refusal of an unknown ID
            self.on_server_error(user_id, err, listing=True)
            self._publisher.failed(user_id, None, err)
            raise

    async def _read_jobs(self, release: Release) -> list[Job]:
        """Claim the person and read their jobs; on an error free them again."""
        self.states.state(release.user_id).begin()
        self.states.async_changed(release.user_id)
        try:
            return await self._runner.read_jobs(release)
        except BaseException as err:  # also the call itself being cancelled
            self._finish(release)
            if isinstance(err, TpfmError):
                self.on_server_error(release.user_id, err, listing=True)
                self._publisher.failed(release.user_id, None, err)
            raise

    @callback
    def _finish(self, release: Release, refresh: bool = True) -> None:
        """Free the person; with ``refresh``, have their job list read again."""
        user_id = release.user_id
        self._runner.remove(release)
        self.admission.done(user_id, release.started_jobs())
        self.states.state(user_id).end(release.last)
        self.states.async_changed(user_id)
        self.states.async_forget_unwatched(user_id)
        if release.outcomes and refresh:
            self._refresh_user(user_id)

    @callback
    def on_server_error(
        self, user_id: str, err: TpfmError, *, listing: bool = False
    ) -> None:
        """Act on a server error: an unknown ID, a refused password.

        Also the single-job actions (jobs.py) report their server errors here.

        X-FMP-Return 3 marks the person unknown when it answered a job-list read
        (``listing``), or any command for an ID the guard does not know as registered;
        for a registered ID another command was refused, nothing more.
        """
        if isinstance(err, TpfmUserNotAllowedError):
            if listing or not is_registered_id(self._client.guard, user_id):
                self._on_unknown_user(user_id)
        elif isinstance(err, TpfmAuthError):
            self._entry.async_start_reauth(self._hass)

    def in_release(self, user_id: str, file_name: str) -> bool:
        """Return whether a job is printing or waiting in the person's release."""
        return self._runner.in_release(user_id, file_name)

    def releasing(self, user_id: str) -> frozenset[str]:
        """Return the jobs of the person's running release that printed or wait to."""
        return self._runner.releasing(user_id)

    @callback
    def job_deleted(self, user_id: str, file_name: str, name: str) -> None:
        """A job was deleted: publish it, show it, have the list read again."""
        self.lists.forget_job(user_id, file_name)
        self._publisher.deleted(user_id, file_name, name)
        state = self.states.state(user_id)
        state.deleted(name)
        self.states.async_changed(user_id)
        self.states.async_forget_unwatched(user_id)
        self._refresh_user(user_id)

    @callback
    def job_held(self, user_id: str, file_name: str, hold: bool) -> None:
        """A job was put on hold or back: note it, have the list read again."""
        self.lists.set_held(user_id, file_name, hold)
        self._refresh_user(user_id)

    async def async_cancel_user(self, user_id: str) -> bool:
        """Cancel a person's running job and drop the queued rest; False if none runs."""
        return await self._runner.cancel_user(user_id)

    async def async_cancel_proc(self, proc_id: int) -> bool:
        """Cancel the release whose running job has this ProcId; False if none has."""
        return await self._runner.cancel_proc(proc_id)

    async def async_shutdown(self) -> None:
        """Stop every release task (entry unload or Home Assistant stop)."""
        self._closed = True
        await self._runner.async_stop()
