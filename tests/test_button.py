"""The buttons of a person: release all, cancel release."""

from __future__ import annotations

import asyncio

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ezeep.const import DOMAIN
from tests.conftest import USER_1, settle
from tests.simulator import Simulator


async def test_buttons(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Release all prints the person's jobs; Cancel release stops them."""
    simulator.users[USER_1].jobs[0].step_delay = 0.2
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.alice_release_all"}, blocking=True
    )
    await asyncio.wait_for(simulator.wait_running(), 5)
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.alice_cancel_release"}, blocking=True
    )
    await settle(hass)
    assert [p.result for p in simulator.prints] == [10]
    assert hass.states.get("sensor.alice_last_release").state == "canceled"


async def test_release_all_errors_are_translated(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A server error on pressing Release all is a translated error, as in the service."""
    simulator.http_error("GetJobList", 500)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "button", "press", {"entity_id": "button.alice_release_all"}, blocking=True
        )
    assert err.value.translation_key == "cannot_connect"
    assert err.value.translation_domain == DOMAIN
