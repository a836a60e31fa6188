"""A to-do list per person: their pending jobs; check one off to print it, remove to delete.

Items come from the coordinator's data (the polls; no request of their own), oldest
first, held jobs included and marked. Checking an item off releases exactly that job
through :func:`.jobs.async_print_job` (the path of ``ezeep.print_job``: the job's
cooldown, one release per person, the station's rate window, the printer's readiness);
removing an item deletes exactly that job through :func:`.jobs.async_delete_job`. Both
first ask :func:`.jobs.check_chosen`: unless the person's latest list said
``X-FMP-Visible: 1`` and names the job, they are refused and nothing is sent. The
station option ``release_from_todo`` (default on) turns checking off into a refusal.

Who: administrators, automations (no user), and the Home Assistant user chosen in the
person's sub-entry (``list_user_id``); any other user is refused (``todo_not_your_list``).
"""

from __future__ import annotations

from typing import Final, override

from homeassistant.components.todo.const import TodoItemStatus, TodoListEntityFeature
from homeassistant.components.todo.entity import TodoItem, TodoListEntity
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .const import (
    CONF_LIST_USER,
    CONF_RELEASE_FROM_TODO,
    DEFAULT_RELEASE_FROM_TODO,
    DOMAIN,
)
from .data import EzeepConfigEntry
from .entity import EzeepUserEntity, async_setup_user_entities
from .errors import JobNotListedError, translate_errors
from .jobs import async_delete_job, async_print_job, check_chosen
from .tpfm import Job

PARALLEL_UPDATES = 0

JOBS = EntityDescription(key="jobs", translation_key="jobs")
#: Words of an item's description (item texts have no translations in Home Assistant).
ON_HOLD: Final = "On hold"
_UNITS: Final = ("B", "kB", "MB", "GB")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EzeepConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each person's to-do list (people added later too)."""
    async_setup_user_entities(
        hass,
        entry,
        async_add_entities,
        lambda subentry: [EzeepJobsTodo(entry, subentry, JOBS)],
    )


def size_text(size: int) -> str:
    """A job's size for people: ``11.7 kB``, ``4.6 MB`` (decimal units)."""
    value = float(max(size, 0))
    for unit in _UNITS[:-1]:
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} {_UNITS[-1]}"


def job_description(job: Job) -> str:
    """``11.7 kB · 2026-12-06 09:12`` (local time it was sent), held ones marked first."""
    sent = dt_util.as_local(job.created).strftime("%Y-%m-%d %H:%M")
    text = f"{size_text(job.size)} · {sent}"
    return f"{ON_HOLD} · {text}" if job.on_hold else text


def _refused(key: str) -> ServiceValidationError:
    return ServiceValidationError(translation_domain=DOMAIN, translation_key=key)


class EzeepJobsTodo(EzeepUserEntity, TodoListEntity):
    """A person's pending jobs as a to-do list."""

    _attr_supported_features = (
        TodoListEntityFeature.UPDATE_TODO_ITEM | TodoListEntityFeature.DELETE_TODO_ITEM
    )

    def __init__(
        self,
        entry: EzeepConfigEntry,
        subentry: ConfigSubentry,
        description: EntityDescription,
    ) -> None:
        """Create the list of one person."""
        super().__init__(entry, subentry, description)
        self._entry = entry
        self._list_user: str | None = subentry.data.get(CONF_LIST_USER)

    @property
    @override
    def todo_items(self) -> list[TodoItem] | None:
        """One item per job of the last poll, oldest first (held ones in place).

        A job of the person's running release is checked.
        """
        user_jobs = self.user_jobs
        if user_jobs is None:
            return None
        releasing = self._releases.releasing(self._user_id)
        return [
            TodoItem(
                uid=job.file_name,
                summary=job.name,
                description=job_description(job),
                status=TodoItemStatus.COMPLETED
                if job.file_name in releasing
                else TodoItemStatus.NEEDS_ACTION,
            )
            for job in sorted(user_jobs.jobs, key=lambda job: job.created)
        ]

    def _item(self, uid: str | None) -> TodoItem:
        """The shown item with this uid, or refuse (the job is not listed)."""
        for item in self.todo_items or ():
            if item.uid == uid:
                return item
        raise JobNotListedError

    async def _check_user(self) -> None:
        """Refuse a user who is neither an administrator nor the person's list user.

        The context is the calling action's (Home Assistant sets it on the entity
        before calling); no user is an automation or Home Assistant itself.
        """
        user_id = self._context.user_id if self._context else None
        if user_id is None or user_id == self._list_user:
            return
        user = await self.hass.auth.async_get_user(user_id)
        if user is None or not user.is_admin:
            raise _refused("todo_not_your_list")

    @override
    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Checked off: print exactly that job now. Anything else is refused."""
        await self._check_user()
        with translate_errors():
            shown = self._item(item.uid)
            if item.status != TodoItemStatus.COMPLETED or (
                item.summary,
                item.description,
            ) != (shown.summary, shown.description):
                raise _refused("todo_only_check_off")
            if not self._entry.options.get(
                CONF_RELEASE_FROM_TODO, DEFAULT_RELEASE_FROM_TODO
            ):
                raise _refused("todo_release_off")
            assert shown.uid is not None
            check_chosen(self._entry, self._user_id, [shown.uid])
            await async_print_job(self._entry, self._user_id, [shown.uid])

    @override
    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Removed: delete exactly those jobs (each is checked before any is sent)."""
        await self._check_user()
        with translate_errors():
            names = [self._item(uid).uid or "" for uid in uids]
            check_chosen(self._entry, self._user_id, names)
            for name in names:
                await async_delete_job(self._entry, self._user_id, name)
