"""Config flow: a station (URL and pull-printing password) with one sub-entry per person."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import ipaddress
import socket
from typing import Any, override

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
    SubentryFlowResult,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from . import make_client
from .const import (
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PRINTER_ID,
    CONF_URL,
    CONF_USER_ID,
    CONF_VERIFY_SSL,
    DOMAIN,
    SUBENTRY_TYPE_USER,
)
from .coordinator.jobs import polled_users
from .options_flow import EzeepOptionsFlow
from .tpfm import (
    DEFAULT_URL,
    TpfmAuthError,
    TpfmClient,
    TpfmError,
    TpfmParseError,
    TpfmUserNotAllowedError,
    normalize_url,
)

_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
#: A person's sub-entry form (add and change).
_PERSON_SCHEMA = vol.Schema(
    {vol.Required(CONF_USER_ID): str, vol.Optional(CONF_NAME): str}
)


async def _host_is_private(host: str) -> bool:
    """Return whether a host is on loopback or a private network (so http is acceptable)."""
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            return True
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, None, type=socket.SOCK_STREAM
            )
        except OSError:
            return False
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    return bool(addresses) and all(
        not addr.is_global or addr.is_loopback or addr.is_private for addr in addresses
    )


async def _check_url(raw: str) -> tuple[str | None, str | None]:
    """Return (normalized URL, None) or (None, error key)."""
    try:
        url = normalize_url(raw)
    except ValueError:
        return None, "invalid_url"
    if url.user is not None or url.password is not None:
        # Credentials go in the password field: in the URL they would be stored and
        # shown in clear, and the client sends its own Authorization header.
        return None, "invalid_url"
    if url.scheme == "http" and not await _host_is_private(url.host or ""):
        return None, "insecure_url"
    return str(url), None


async def _check_server(client: TpfmClient, user_id: str | None) -> str | None:
    """Ask GetVersion, then GetJobList as ``user_id``; return an error key or None."""
    try:
        await client.get_version()
    except TpfmParseError:
        return "not_tpfm"
    except TpfmError:
        return "cannot_connect"
    if user_id is None:
        return None
    try:
        await client.get_job_list(user_id)
    except TpfmAuthError:
        return "invalid_auth"
    except TpfmUserNotAllowedError:
        return "unknown_user"
    except TpfmParseError:
        return "not_tpfm"
    except TpfmError:
        return "cannot_connect"
    return None


def _flow_client(hass: HomeAssistant, data: Mapping[str, Any]) -> TpfmClient:
    # A person waits on the form: no retries, answer at once.
    return make_client(hass, dict(data), retry_delays=())


def _first_user_id(hass: HomeAssistant, entry: ConfigEntry) -> str | None:
    """Return a person's ID to check the password with (None: nobody to ask with).

    Never one the server did not know: asking with it again would print another
    registration sheet (and answer "unknown user" rather than check the password).
    """
    return next(iter(polled_users(hass, entry).values()), None)


def _clean_user_id(value: Any) -> tuple[str, str | None]:
    user_id = str(value).strip()
    if not user_id or ":" in user_id or not user_id.isprintable():
        return user_id, "invalid_user_id"
    return user_id, None


def _user_title(entry: ConfigEntry | None, name: str, keep: str | None = None) -> str:
    """Return the title of a person's sub-entry: the name, else a free "User N".

    Never the ID itself: device names appear in logs. ``keep`` is the sub-entry being
    changed, whose own title does not count as taken.
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


class EzeepConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a release station."""

    VERSION = 1
    MINOR_VERSION = 1

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the options flow."""
        return EzeepOptionsFlow()

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """People are sub-entries."""
        return {SUBENTRY_TYPE_USER: EzeepUserSubentryFlow}

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the server, the password and the first person."""
        errors: dict[str, str] = {}
        if user_input is not None:
            url, url_error = await _check_url(user_input[CONF_URL])
            user_id, id_error = _clean_user_id(user_input[CONF_USER_ID])
            password = user_input[CONF_PASSWORD].strip()
            if url_error:
                errors[CONF_URL] = url_error
            elif id_error:
                errors[CONF_USER_ID] = id_error
            elif not password:
                errors[CONF_PASSWORD] = "invalid_auth"
            else:
                assert url is not None
                data = {
                    CONF_URL: url,
                    CONF_PASSWORD: password,
                    CONF_PRINTER_ID: (user_input.get(CONF_PRINTER_ID) or "").strip(),
                    CONF_VERIFY_SSL: user_input.get(CONF_VERIFY_SSL, True),
                }
                self._async_abort_entries_match(
                    {CONF_URL: url, CONF_PASSWORD: password}
                )
                error = await _check_server(_flow_client(self.hass, data), user_id)
                if error:
                    errors["base"] = error
                else:
                    name = (user_input.get(CONF_NAME) or "").strip()
                    return self.async_create_entry(
                        title=normalize_url(url).host or url,
                        data=data,
                        subentries=[
                            {
                                "subentry_type": SUBENTRY_TYPE_USER,
                                "data": {CONF_USER_ID: user_id, CONF_NAME: name},
                                "title": _user_title(None, name),
                                "unique_id": None,
                            }
                        ],
                    )
        schema = vol.Schema(
            {
                vol.Required(CONF_URL, default=DEFAULT_URL): _URL,
                vol.Required(CONF_PASSWORD): _PASSWORD,
                vol.Required(CONF_USER_ID): str,
                vol.Optional(CONF_NAME): str,
                vol.Optional(CONF_PRINTER_ID): str,
                vol.Required(CONF_VERIFY_SSL, default=True): bool,
            }
        )
        if user_input is not None:
            kept = {k: v for k, v in user_input.items() if k != CONF_PASSWORD}
            schema = self.add_suggested_values_to_schema(schema, kept)
        return self.async_show_form(step_id="user", data_schema=schema, errors=errors)

    def _async_update_station(
        self, entry: ConfigEntry, updates: dict[str, Any]
    ) -> ConfigFlowResult:
        """Store new station data and finish; the entry reloads with it.

        A loaded entry reloads through its update listener. An entry whose setup failed
        (refused password, unreachable URL) has no listener: reload it here, or it would
        stay failed (or wait for its next retry) with the corrected data.
        """
        result = self.async_update_and_abort(entry, data_updates=updates)
        if entry.state in (ConfigEntryState.SETUP_ERROR, ConfigEntryState.SETUP_RETRY):
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return result

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """The server refused the password."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new pull-printing password."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            password = user_input[CONF_PASSWORD].strip()
            data = {**entry.data, CONF_PASSWORD: password}
            error = (
                await _check_server(
                    _flow_client(self.hass, data), _first_user_id(self.hass, entry)
                )
                if password
                else "invalid_auth"
            )
            if error:
                errors["base"] = error
            else:
                return self._async_update_station(entry, {CONF_PASSWORD: password})
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_PASSWORD): _PASSWORD}),
            errors=errors,
            description_placeholders={"title": entry.title},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the server URL, the default printer or certificate checking."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            url, url_error = await _check_url(user_input[CONF_URL])
            if url_error:
                errors[CONF_URL] = url_error
            else:
                updates = {
                    CONF_URL: url,
                    CONF_PRINTER_ID: (user_input.get(CONF_PRINTER_ID) or "").strip(),
                    CONF_VERIFY_SSL: user_input[CONF_VERIFY_SSL],
                }
                data = {**entry.data, **updates}
                if url != entry.data[CONF_URL]:
                    self._async_abort_entries_match(
                        {CONF_URL: url, CONF_PASSWORD: entry.data[CONF_PASSWORD]}
                    )
                error = await _check_server(
                    _flow_client(self.hass, data), _first_user_id(self.hass, entry)
                )
                if error:
                    errors["base"] = error
                else:
                    return self._async_update_station(entry, updates)
        schema = self.add_suggested_values_to_schema(
            vol.Schema(
                {
                    vol.Required(CONF_URL): _URL,
                    vol.Optional(CONF_PRINTER_ID): str,
                    vol.Required(CONF_VERIFY_SSL): bool,
                }
            ),
            user_input or dict(entry.data),
        )
        return self.async_show_form(
            step_id="reconfigure", data_schema=schema, errors=errors
        )


class EzeepUserSubentryFlow(ConfigSubentryFlow):
    """Add a person (an ID from a card or typed in) to a station, or change one."""

    async def _async_check(self, user_id: str) -> str | None:
        entry = self._get_entry()
        client = (
            entry.runtime_data.client
            if entry.state is ConfigEntryState.LOADED
            else _flow_client(self.hass, entry.data)
        )
        return await _check_server(client, user_id)

    def _taken(self, user_id: str, except_subentry: str | None = None) -> bool:
        return any(
            sub.data.get(CONF_USER_ID) == user_id and sub.subentry_id != except_subentry
            for sub in self._get_entry().get_subentries_of_type(SUBENTRY_TYPE_USER)
        )

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Ask for the person's ID and name."""
        errors: dict[str, str] = {}
        if user_input is not None:
            user_id, error = _clean_user_id(user_input[CONF_USER_ID])
            if error:
                errors[CONF_USER_ID] = error
            elif self._taken(user_id):
                return self.async_abort(reason="already_configured")
            elif error := await self._async_check(user_id):
                errors["base"] = error
            else:
                name = (user_input.get(CONF_NAME) or "").strip()
                return self.async_create_entry(
                    title=_user_title(self._get_entry(), name),
                    data={CONF_USER_ID: user_id, CONF_NAME: name},
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _PERSON_SCHEMA,
                user_input,
            ),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a person's ID or name (also how a repaired unknown ID is retried)."""
        entry = self._get_entry()
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            user_id, error = _clean_user_id(user_input[CONF_USER_ID])
            if error:
                errors[CONF_USER_ID] = error
            elif self._taken(user_id, subentry.subentry_id):
                return self.async_abort(reason="already_configured")
            elif error := await self._async_check(user_id):
                errors["base"] = error
            else:
                name = (user_input.get(CONF_NAME) or "").strip()
                data = {CONF_USER_ID: user_id, CONF_NAME: name}
                if entry.state is ConfigEntryState.LOADED:
                    coordinator = entry.runtime_data.coordinator
                    was_unregistered = coordinator.is_unregistered(subentry.subentry_id)
                    coordinator.async_clear_unregistered(subentry.subentry_id)
                    if was_unregistered and data == dict(subentry.data):
                        # Unchanged data does not reload: poll the person again now.
                        self.hass.async_create_task(coordinator.async_request_refresh())
                title = (
                    subentry.title
                    if not name and not subentry.data.get(CONF_NAME)
                    else _user_title(entry, name, keep=subentry.subentry_id)
                )
                return self.async_update_and_abort(
                    entry, subentry, title=title, data=data
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _PERSON_SCHEMA,
                user_input or dict(subentry.data),
            ),
            errors=errors,
        )
