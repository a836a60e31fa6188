"""Config flow: a station (URL and pull-printing password) with one sub-entry per person."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, override

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio as vol

from .config_subentry_flow import (
    EzeepUserSubentryFlow,
    check_user_id,
    person_data,
    user_title,
)
from .const import (
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PRINTER_ID,
    CONF_URL,
    CONF_USER_ID,
    CONF_VERIFY_SSL,
    DOMAIN,
    SUBENTRY_TYPE_PANEL,
    SUBENTRY_TYPE_USER,
)
from .helpers import known_user_id, make_client, validate_input
from .options_flow import EzeepOptionsFlow
from .panel_subentry_flow import EzeepPanelSubentryFlow
from .tpfm import DEFAULT_URL, normalize_url
from .validation import InsecureUrlError, InvalidUrlError, async_clean_station_url

_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
#: The station form: server, password and the first person.
_STATION_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_URL, default=DEFAULT_URL): _URL,
        vol.Required(CONF_PASSWORD): _PASSWORD,
        vol.Required(CONF_USER_ID): str,
        vol.Optional(CONF_NAME): str,
        vol.Optional(CONF_PRINTER_ID): str,
        vol.Required(CONF_VERIFY_SSL, default=True): bool,
    }
)
_REAUTH_SCHEMA = vol.Schema({vol.Required(CONF_PASSWORD): _PASSWORD})
_RECONFIGURE_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_URL): _URL,
        vol.Optional(CONF_PRINTER_ID): str,
        vol.Required(CONF_VERIFY_SSL): bool,
    }
)


async def _check_url(raw: str) -> tuple[str, str | None]:
    """Return (normalized URL, None), or (the input, error key): the URL policy."""
    try:
        return await async_clean_station_url(raw), None
    except InsecureUrlError:
        return raw, "insecure_url"
    except InvalidUrlError:
        return raw, "invalid_url"


def _settings(url: str, user_input: dict[str, Any]) -> dict[str, Any]:
    """The station data of the user and reconfigure forms, apart from the password."""
    return {
        CONF_URL: url,
        CONF_PRINTER_ID: (user_input.get(CONF_PRINTER_ID) or "").strip(),
        CONF_VERIFY_SSL: user_input.get(CONF_VERIFY_SSL, True),
    }


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
        """People and release panels are sub-entries."""
        return {
            SUBENTRY_TYPE_USER: EzeepUserSubentryFlow,
            SUBENTRY_TYPE_PANEL: EzeepPanelSubentryFlow,
        }

    async def _async_check(
        self, data: Mapping[str, Any], user_id: str | None
    ) -> str | None:
        # A person waits on the form: a client without retries answers at once.
        return await validate_input(make_client(self.hass, data, retry=False), user_id)

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the server, the password and the first person."""
        errors: dict[str, str] = {}
        if user_input is not None:
            url, url_error = await _check_url(user_input[CONF_URL])
            user_id, id_error = check_user_id(user_input[CONF_USER_ID])
            password = user_input[CONF_PASSWORD].strip()
            if url_error:
                errors[CONF_URL] = url_error
            elif id_error:
                errors[CONF_USER_ID] = id_error
            elif not password:
                errors[CONF_PASSWORD] = "invalid_auth"
            else:
                data = {CONF_PASSWORD: password} | _settings(url, user_input)
                self._async_abort_entries_match(
                    {CONF_URL: url, CONF_PASSWORD: password}
                )
                if error := await self._async_check(data, user_id):
                    errors["base"] = error
                else:
                    return self._async_create_station(
                        data, person_data(user_id, user_input)
                    )
        schema = _STATION_SCHEMA
        if user_input is not None:
            kept = {k: v for k, v in user_input.items() if k != CONF_PASSWORD}
            schema = self.add_suggested_values_to_schema(schema, kept)
        return self.async_show_form(step_id="user", data_schema=schema, errors=errors)

    def _async_create_station(
        self, data: dict[str, Any], person: dict[str, str]
    ) -> ConfigFlowResult:
        """Create the station's entry with its first person."""
        return self.async_create_entry(
            title=normalize_url(data[CONF_URL]).host or data[CONF_URL],
            data=data,
            subentries=[
                {
                    "subentry_type": SUBENTRY_TYPE_USER,
                    "data": person,
                    "title": user_title(None, person[CONF_NAME]),
                    "unique_id": None,
                }
            ],
        )

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
            error = (
                await self._async_check(
                    {**entry.data, CONF_PASSWORD: password},
                    known_user_id(self.hass, entry),
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
            data_schema=_REAUTH_SCHEMA,
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
                updates = _settings(url, user_input)
                if url != entry.data[CONF_URL]:
                    self._async_abort_entries_match(
                        {CONF_URL: url, CONF_PASSWORD: entry.data[CONF_PASSWORD]}
                    )
                if error := await self._async_check(
                    {**entry.data, **updates}, known_user_id(self.hass, entry)
                ):
                    errors["base"] = error
                else:
                    return self._async_update_station(entry, updates)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _RECONFIGURE_SCHEMA, user_input or dict(entry.data)
            ),
            errors=errors,
        )
