"""The station's client (for setup and for the flows) and the flows' one server check."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ezeep.const import CONF_PASSWORD, DOMAIN
from custom_components.ezeep.helpers import (
    async_create_client,
    known_user_id,
    make_client,
    validate_input,
)
from tests.conftest import PASSWORD, UNKNOWN_USER, USER_1, station_data, user_subentry
from tests.simulator import Simulator


def station(sim: Simulator, *people: str, password: str = PASSWORD) -> MockConfigEntry:
    """A station entry on the simulator (not set up) with these people."""
    return MockConfigEntry(
        domain=DOMAIN,
        data={**station_data(sim.url), CONF_PASSWORD: password},
        subentries_data=[user_subentry(user_id) for user_id in people],
    )


async def test_client_speaks_home_assistants_language(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The client sends the server Home Assistant's language."""
    hass.config.language = "de"
    client = make_client(hass, station_data(simulator.url))
    await client.get_version()
    assert client._language == "de"


@pytest.mark.parametrize(("retry", "asked"), [(True, 2), (False, 1)])
async def test_flow_client_does_not_retry(
    hass: HomeAssistant, simulator: Simulator, retry: bool, asked: int
) -> None:
    """Polling retries a failed request; a form's client answers at once."""
    simulator.http_error("GetVersion", 500)
    assert (
        await validate_input(
            make_client(hass, station_data(simulator.url), retry=retry), None
        )
        == "cannot_connect"
    )
    assert simulator.counts["GetVersion"] == asked


@pytest.mark.parametrize(
    ("user_id", "password", "expected", "job_lists"),
    [
        (None, PASSWORD, None, 0),
        (None, "wrong-password", None, 0),
        (USER_1, PASSWORD, None, 1),
        (USER_1, "wrong-password", "invalid_auth", 1),
        (UNKNOWN_USER, PASSWORD, "unknown_user", 1),
    ],
)
async def test_validate_input(
    hass: HomeAssistant,
    *,
    simulator: Simulator,
    user_id: str | None,
    password: str,
    expected: str | None,
    job_lists: int,
) -> None:
    """Without a person only GetVersion is asked (it checks no password)."""
    data = {**station_data(simulator.url), CONF_PASSWORD: password}
    error = await validate_input(make_client(hass, data, retry=False), user_id)
    assert error == expected
    assert simulator.counts["GetVersion"] == 1
    assert simulator.counts.get("GetJobList", 0) == job_lists


async def test_create_client_when_the_server_answers(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Setup gets a client once the server answered GetVersion."""
    client = await async_create_client(hass, station(simulator, USER_1))
    assert simulator.counts["GetVersion"] == 1
    assert await client.get_job_list(USER_1)


async def test_create_client_refused_or_unreachable(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A server that refuses (HTTP 401) starts reauth; no answer retries setup later."""
    simulator.http_error("GetVersion", 401)
    with pytest.raises(ConfigEntryAuthFailed) as auth:
        await async_create_client(hass, station(simulator, USER_1))
    assert auth.value.translation_key == "auth_failed"
    simulator.clear_faults()
    simulator.http_error("GetVersion", 503)
    with pytest.raises(ConfigEntryNotReady) as not_ready:
        await async_create_client(hass, station(simulator, USER_1))
    assert not_ready.value.translation_key == "cannot_connect"


async def test_known_user_id(hass: HomeAssistant, simulator: Simulator) -> None:
    """The first person of the station; nobody for a station without people."""
    assert known_user_id(hass, station(simulator, USER_1, UNKNOWN_USER)) == USER_1
    assert known_user_id(hass, station(simulator)) is None
