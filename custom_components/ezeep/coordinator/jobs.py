"""Polls the job lists of a station's people (the releasable list; see held.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from ..const import (
    CONF_SCAN_INTERVAL,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    LOGGER,
    POLL_CONCURRENCY,
)
from ..errors import update_errors
from ..job_lists import LatestLists
from ..people import People
from ..store import async_get_store
from ..tpfm import (
    Job,
    JobList,
    TpfmAuthError,
    TpfmClient,
    TpfmError,
    TpfmUserNotAllowedError,
    merge_held,
)
from .held import carry_held, whole_list_due


@dataclass(frozen=True, slots=True)
class UserJobs:
    """A person's jobs: releasable ones oldest first, then held ones."""

    jobs: tuple[Job, ...]
    visible: bool

    @property
    def pending(self) -> int:
        """How many jobs ``ezeep.print_all`` would release (held jobs excluded)."""
        return sum(1 for job in self.jobs if not job.on_hold)


def polled_users(
    hass: HomeAssistant, entry: ConfigEntry, people: People | None = None
) -> dict[str, str]:
    """Return ``{sub-entry id: user id}`` of a station's people the server knows.

    People the server did not know are left out until they are cleared: asking with
    their ID again would print another registration sheet. ``people``: the loaded
    station's (None: read from the entry).
    """
    store = async_get_store(hass)
    return {
        person.subentry_id: person.user_id
        for person in (people if people is not None else People(entry))
        if not store.is_marked(entry.entry_id, person.subentry_id)
    }


class EzeepCoordinator(DataUpdateCoordinator[dict[str, UserJobs]]):
    """Fetches every configured person's job list; data is keyed by sub-entry id."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: TpfmClient,
        lists: LatestLists,
        people: People,
    ) -> None:
        """Create the coordinator of one station; each list read goes to ``lists``."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=timedelta(
                seconds=entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
            ),
            # A poll that changed nothing writes no entity state (hundreds of people
            # would otherwise cost a state write per entity every poll).
            always_update=False,
        )
        self.client = client
        self.lists = lists
        self.people = people
        self._printer_id = people.printer
        self._limit = asyncio.Semaphore(POLL_CONCURRENCY)
        # One poll at a time: a refresh requested after a release must not be overtaken
        # by an older, slower poll that would write back the job list from before it.
        self._poll_lock = asyncio.Lock()
        #: Polls made: whose turn it is to have their whole list read (held.py).
        self._polls = 0
        #: What the listeners were last told: (data, success), None before the first.
        self._told: tuple[dict[str, UserJobs] | None, bool] | None = None
        self._store = async_get_store(hass)

    # -- people ----------------------------------------------------------------------

    def users(self) -> dict[str, str]:
        """Return ``{sub-entry id: user id}`` of the people to poll."""
        return polled_users(self.hass, self.config_entry, self.people)

    def is_polled(self, user_id: str) -> bool:
        """Return whether an ID is a configured person the server knows (polled)."""
        person = self.people.of(user_id)
        return person is not None and not self.is_unregistered(person.subentry_id)

    def subentry_of(self, user_id: str) -> str | None:
        """Return the sub-entry id configured for a user ID, if any."""
        person = self.people.of(user_id)
        return None if person is None else person.subentry_id

    def is_unregistered(self, subentry_id: str) -> bool:
        """Return whether the server did not know this person (polling stopped)."""
        return self._store.is_marked(self.config_entry.entry_id, subentry_id)

    @callback
    def async_mark_unregistered(self, user_id: str) -> None:
        """Stop polling a configured person the server does not know, and open a repair."""
        person = self.people.of(user_id)
        if person is None:
            return
        subentry_id, title = person.subentry_id, person.name
        if not self._store.async_mark_unknown(
            self.config_entry.entry_id, subentry_id, title
        ):
            return
        LOGGER.warning(
            "The ezeep server does not know the user ID of %s; polling it stopped",
            title,
        )
        if self.data is not None and subentry_id in self.data:
            self.async_set_updated_data(
                {sid: jobs for sid, jobs in self.data.items() if sid != subentry_id}
            )

    @callback
    def async_clear_unregistered(self, subentry_id: str) -> None:
        """Let a person be polled again (they registered, or their ID was changed)."""
        self._store.async_clear_unknown(self.config_entry.entry_id, subentry_id)

    # -- telling the entities ----------------------------------------------------------

    @callback
    @override
    def async_update_listeners(self) -> None:
        """Tell the entities of the people whose jobs changed, and the others (no context).

        Everyone when the server's reachability changed (availability). At 1,000 people
        a change of one person's list wrote 8,000 entities (about 140 ms of the event
        loop) before; now theirs.
        """
        told, self._told = self._told, (self.data, self.last_update_success)
        if (
            told is None
            or told[0] is None
            or self.data is None
            or (told[1] != self.last_update_success)
        ):
            super().async_update_listeners()
            return
        old, new = told[0], self.data
        changed = {
            sid for sid in old.keys() | new.keys() if old.get(sid) != new.get(sid)
        }
        for update_callback, context in list(self._listeners.values()):
            if context is None or context in changed:
                try:
                    update_callback()
                except Exception:  # noqa: BLE001 - as Home Assistant's own loop does
                    LOGGER.exception("Unexpected error updating an ezeep entity")

    # -- polling ---------------------------------------------------------------------

    async def _fetch(
        self, user_id: str, previous: UserJobs | None = None, *, at_once: bool = False
    ) -> UserJobs:
        """Read a person's jobs; with ``previous``, ask the releasable list first.

        Without ``previous`` both lists are read (at once only with ``at_once``: a poll
        is in the background, and a person the server forgot since their last poll gets
        one registration sheet, not two).
        """
        # One slot per person, whose asks follow each other on one connection: at most
        # POLL_CONCURRENCY requests (and connections) at once.
        async with self._limit:
            if previous is None:
                job_list = await self.client.get_jobs_with_held(
                    user_id, printer=self._printer_id, at_once=at_once
                )
            else:
                job_list = await self._read_releasable(user_id, previous)
        self.lists.remember(user_id, job_list, with_held=True)
        # Releasable jobs oldest first, then held ones oldest first.
        jobs = sorted(job_list.jobs, key=lambda j: (j.on_hold, j.created))
        return UserJobs(jobs=tuple(jobs), visible=job_list.visible)

    async def _read_releasable(self, user_id: str, previous: UserJobs) -> JobList:
        """Ask the releasable list; the whole list too only when a hold may have changed."""
        releasable = await self.client.get_job_list(user_id, printer=self._printer_id)
        carried = carry_held(previous.jobs, releasable)
        if carried is not None:
            return carried
        everything = await self.client.get_job_list(
            user_id, printer=self._printer_id, show_held=True
        )
        return merge_held(releasable, everything)

    @override
    async def _async_update_data(self) -> dict[str, UserJobs]:
        with update_errors():
            async with self._poll_lock:
                return await self._poll()

    @callback
    def async_schedule_refresh_user(self, user_id: str) -> None:
        """Read a person's jobs again soon, in the background (after a release)."""
        self.config_entry.async_create_background_task(
            self.hass,
            self.async_refresh_user(user_id),
            f"{DOMAIN} refresh after release",
        )

    async def async_refresh_user(self, user_id: str) -> None:
        """Read one configured person's jobs again at once (after a release of theirs)."""
        person = self.people.of(user_id)
        if person is None or not self.is_polled(user_id) or self.data is None:
            return
        subentry_id = person.subentry_id
        async with self._poll_lock:
            try:
                jobs = await self._fetch(user_id, at_once=True)
            except TpfmError:
                return  # the next regular poll tells
            # Not async_set_updated_data: that would postpone everybody's next poll.
            self.data = {**self.data, subentry_id: jobs}
            self.async_update_listeners()

    def _previous(self, subentry_id: str) -> UserJobs | None:
        """Return the person's last poll, unless this poll reads their whole list."""
        if self.data is None or whole_list_due(subentry_id, self._polls):
            return None
        return self.data.get(subentry_id)

    async def _poll(self) -> dict[str, UserJobs]:
        users = self.users()
        self._polls += 1
        results = await asyncio.gather(
            *(
                self._fetch(user_id, self._previous(subentry_id))
                for subentry_id, user_id in users.items()
            ),
            return_exceptions=True,
        )
        data: dict[str, UserJobs] = {}
        errors: list[TpfmError] = []
        for (subentry_id, user_id), result in zip(users.items(), results, strict=True):
            if isinstance(result, UserJobs):
                data[subentry_id] = result
            elif isinstance(result, TpfmUserNotAllowedError):
                self.async_mark_unregistered(user_id)
            elif isinstance(result, TpfmError):
                errors.append(result)
            else:
                raise result
        if data or not errors:
            return data
        # A refused password only when that is all that failed.
        raise next((e for e in errors if not isinstance(e, TpfmAuthError)), errors[0])
