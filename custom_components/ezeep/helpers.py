"""A station's TPFM client, the flows' server check, and the flows' choice of an HA user."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from .const import CONF_PASSWORD, CONF_URL, CONF_VERIFY_SSL
from .coordinator.jobs import polled_users
from .errors import update_errors
from .tpfm import (
    TpfmAuthError,
    TpfmClient,
    TpfmError,
    TpfmParseError,
    TpfmUserNotAllowedError,
)

#: Pauses before retrying a failed poll (GetJobList / GetVersion; PrintJob never retries).
RETRY_DELAYS: tuple[float, ...] = (1.0,)


def make_client(
    hass: HomeAssistant, data: Mapping[str, Any], *, retry: bool = True
) -> TpfmClient:
    """Create a TPFM client for station data (url, password, verify_ssl).

    ``retry=False`` for a form a person waits on: no retries, answer at once.
    """
    return TpfmClient(
        async_get_clientsession(hass, verify_ssl=data.get(CONF_VERIFY_SSL, True)),
        data[CONF_URL],
        data[CONF_PASSWORD],
        language=hass.config.language,
        retry_delays=RETRY_DELAYS if retry else (),
    )


async def async_create_client(hass: HomeAssistant, entry: ConfigEntry) -> TpfmClient:
    """Return the client of a station being set up, once its server answered.

    Raises:
        ConfigEntryAuthFailed: the server refused the password (starts reauth).
        ConfigEntryNotReady: no answer, or not a TPFM server (setup is retried).

    """
    client = make_client(hass, entry.data)
    with update_errors(ConfigEntryNotReady):
        await client.get_version()
    return client


def known_user_id(hass: HomeAssistant, entry: ConfigEntry) -> str | None:
    """Return a person's ID to check the password with (None: nobody to ask with).

    Never one the server did not know: asking with it again would print another
    registration sheet (and answer "unknown user" rather than check the password).
    """
    return next(iter(polled_users(hass, entry).values()), None)


async def validate_input(client: TpfmClient, user_id: str | None) -> str | None:
    """Ask GetVersion, then GetJobList as ``user_id``; return a flow error key or None.

    The one server check of the config flows: a new station, a new password, a new
    URL, a person. ``user_id`` None (nobody the server knows) checks the server only.
    """
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


async def async_list_users(hass: HomeAssistant) -> dict[str, str]:
    """The Home Assistant users a form may name (active, not system users): id -> name."""
    return {
        user.id: user.name or user.id
        for user in await hass.auth.async_get_users()
        if user.is_active and not user.system_generated
    }


def user_selector(users: dict[str, str]) -> SelectSelector:
    """A drop-down of those users by name (the value is the user's id)."""
    options = [
        SelectOptionDict(value=uid, label=name)
        for uid, name in sorted(users.items(), key=lambda item: item[1].casefold())
    ]
    return SelectSelector(
        SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
    )
