"""Release admission: one person at a time, cooldown, rate window, kept across reloads."""

from __future__ import annotations

import asyncio

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ezeep.const import EVENT_PRINT_ERROR
from tests.conftest import USER_1, make_jobs, print_all, settle
from tests.simulator import Simulator


async def test_cooldown_and_busy(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A second release while one runs, or within the cooldown, is refused and reported."""
    simulator.users[USER_1].jobs[0].step_delay = 0.05
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    await print_all(hass, user_id=USER_1)
    with pytest.raises(HomeAssistantError) as busy:
        await print_all(hass, user_id=USER_1)
    assert busy.value.translation_key == "release_already_releasing"
    await settle(hass)
    with pytest.raises(HomeAssistantError) as cooldown:
        await print_all(hass, user_id=USER_1)
    assert cooldown.value.translation_key == "release_cooldown"
    assert [e.data["code"] for e in errors] == ["already_releasing", "cooldown"]
    assert len(simulator.prints) == 2
    assert simulator.counts["GetJobList"] > 0


async def test_rate_limit(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The station refuses more releases a minute than its rate limit, across people."""
    releases = init_integration.runtime_data.releases
    releases.admission.rate_limit = 2
    for n in range(3):
        simulator.add_user(f"test-card-{n}", make_jobs("x", 1))
    await print_all(hass, user_id="test-card-0", wait=True)
    await print_all(hass, user_id="test-card-1", wait=True)
    with pytest.raises(HomeAssistantError) as err:
        await print_all(hass, user_id="test-card-2", wait=True)
    assert err.value.translation_key == "release_rate_limited"
    assert len(simulator.prints) == 2


async def test_cooldown_survives_a_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A reload (new options, a reauth) does not reset the cooldown: no second release."""
    simulator.users[USER_1].jobs[0].step_delay = 0.2
    await print_all(hass, user_id=USER_1)
    await asyncio.wait_for(simulator.wait_running(), 5)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(HomeAssistantError) as err:
        await print_all(hass, user_id=USER_1)
    assert err.value.translation_key == "release_cooldown"
    assert simulator.counts["PrintJob"] == 1
