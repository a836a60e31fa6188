"""Setting up, polling, unloading a station."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.simulator import Simulator


async def test_setup_and_unload(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The station loads, shows each person's pending jobs, and unloads."""
    assert init_integration.state is ConfigEntryState.LOADED
    state = hass.states.get("sensor.alice_pending_jobs")
    assert state is not None
    assert state.state == "2"
    assert [job["name"] for job in state.attributes["jobs"]] == [
        "report 1.pdf",
        "report 2.pdf",
    ]
    assert hass.states.get("sensor.bob_pending_jobs").state == "1"
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert init_integration.state is ConfigEntryState.NOT_LOADED
