"""The people of a station: one sub-entry flow step that adds a person or changes one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import (
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryState,
    ConfigSubentry,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
import probatio as vol

from .const import CONF_LIST_USER, CONF_NAME, CONF_USER_ID, SUBENTRY_TYPE_USER
from .helpers import async_list_users, make_client, user_selector, validate_input
from .store import async_get_store
from .validation import InvalidUserIdError, clean_user_id

#: A person's form (add and change), without the to-do list's user.
PERSON_SCHEMA = vol.Schema(
    {vol.Required(CONF_USER_ID): str, vol.Optional(CONF_NAME): str}
)


def person_schema(users: dict[str, str]) -> vol.Schema:
    """A person's form: ID, name, and optionally the user their to-do list is for."""
    return PERSON_SCHEMA.extend({vol.Optional(CONF_LIST_USER): user_selector(users)})


def check_user_id(value: object) -> tuple[str, str | None]:
    """Return (user ID, None), or (the input, error key): the user-ID rule for a form.

    The forms have one text for an empty ID and a bad character (``invalid_user_id``).
    """
    try:
        return clean_user_id(value), None
    except InvalidUserIdError:
        return str(value), "invalid_user_id"


def person_data(user_id: str, user_input: Mapping[str, Any]) -> dict[str, str]:
    """Return a person's sub-entry data: the checked ID, the name without spaces.

    And the to-do list's Home Assistant user when one was chosen (checked by the caller).
    """
    data = {CONF_USER_ID: user_id, CONF_NAME: (user_input.get(CONF_NAME) or "").strip()}
    if list_user := user_input.get(CONF_LIST_USER):
        data[CONF_LIST_USER] = str(list_user)
    return data


def user_title(entry: ConfigEntry | None, name: str, keep: str | None = None) -> str:
    """Return the title of a person's sub-entry: the name, else a free "User N".

    Never the ID itself: device names appear in logs. ``entry`` None: the station's
    first person. ``keep`` is the sub-entry being changed, whose own title does not
    count as taken.
    """
    if name:
        return name
    taken = (
        set()
        if entry is None
        else {
            sub.title
            for sub in entry.get_subentries_of_type(SUBENTRY_TYPE_USER)
            if sub.subentry_id != keep
        }
    )
    number = len(taken) + 1
    while f"User {number}" in taken:
        number += 1
    return f"User {number}"


class EzeepUserSubentryFlow(ConfigSubentryFlow):
    """Add a person (an ID from a card or typed in) to a station, or change one.

    One step serves both: opened with ``user`` it adds a person, with ``reconfigure``
    it changes the person the flow was opened for.
    """

    async def async_step_person(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Ask for the person's ID and name; check the ID with the server once."""
        entry = self._get_entry()
        subentry = (
            None if self.source == SOURCE_USER else self._get_reconfigure_subentry()
        )
        errors: dict[str, str] = {}
        users = await async_list_users(self.hass)
        if user_input is not None:
            user_id, error = check_user_id(user_input[CONF_USER_ID])
            if error:
                errors[CONF_USER_ID] = error
            elif user_input.get(CONF_LIST_USER, "") not in ("", *users):
                errors[CONF_LIST_USER] = "unknown_ha_user"
            elif self._taken(entry, user_id, subentry):
                return self.async_abort(reason="already_configured")
            elif error := await self._async_check(entry, user_id):
                errors["base"] = error
            elif subentry is None:
                data = person_data(user_id, user_input)
                return self.async_create_entry(
                    title=user_title(entry, data[CONF_NAME]), data=data
                )
            else:
                return self._async_update_person(
                    entry, subentry, person_data(user_id, user_input)
                )
        return self.async_show_form(
            step_id="user" if subentry is None else "reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                person_schema(users),
                user_input or (None if subentry is None else dict(subentry.data)),
            ),
            errors=errors,
        )

    async_step_user = async_step_person
    async_step_reconfigure = async_step_person

    async def _async_check(self, entry: ConfigEntry, user_id: str) -> str | None:
        """Check the ID with the station's client (a new one while it is not loaded).

        Submitting the form asks the server once, also for an ID held off after an
        "unknown" answer: the person registered meanwhile, or wants the answer.
        """
        if entry.state is ConfigEntryState.LOADED:
            async_get_store(self.hass).end_hold_off(entry.entry_id, user_id)
            client = entry.runtime_data.client
        else:
            client = make_client(self.hass, entry.data, retry=False)
        return await validate_input(client, user_id)

    @staticmethod
    def _taken(
        entry: ConfigEntry, user_id: str, changed: ConfigSubentry | None
    ) -> bool:
        """Return whether another person of the station has this ID."""
        keep = None if changed is None else changed.subentry_id
        return any(
            sub.data.get(CONF_USER_ID) == user_id and sub.subentry_id != keep
            for sub in entry.get_subentries_of_type(SUBENTRY_TYPE_USER)
        )

    def _async_update_person(
        self, entry: ConfigEntry, subentry: ConfigSubentry, data: dict[str, str]
    ) -> SubentryFlowResult:
        """Store a person's new data (a change reloads the station).

        Also how a repaired unknown ID is retried: the mark is cleared, and unchanged
        data, which reloads nothing, polls the person again at once.
        """
        if entry.state is ConfigEntryState.LOADED:
            coordinator = entry.runtime_data.coordinator
            was_unregistered = coordinator.is_unregistered(subentry.subentry_id)
            coordinator.async_clear_unregistered(subentry.subentry_id)
            if was_unregistered and data == dict(subentry.data):
                self.hass.async_create_task(coordinator.async_request_refresh())
        title = (
            subentry.title
            if not data[CONF_NAME] and not subentry.data.get(CONF_NAME)
            else user_title(entry, data[CONF_NAME], keep=subentry.subentry_id)
        )
        return self.async_update_and_abort(entry, subentry, title=title, data=data)
