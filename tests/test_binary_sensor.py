"""The binary sensor platform: each person's releasing sensor and the printer's problem."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.ezeep.coordinator.printer import PrinterCoordinator
from tests.conftest import (
    USER_1,
    assert_no_user_ids,
    print_all,
    settle,
    setup_snapshot_station,
    state,
)
from tests.simulator import Simulator
from tests.simulator.printer import PrinterSimulator

PROBLEM = "binary_sensor.printer_problem"


async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    simulator: Simulator,
    printer_sim: PrinterSimulator,
) -> None:
    """IDs, names, device classes and states of the people's and the printer's entities."""
    entry = await setup_snapshot_station(
        hass, simulator, printer_sim, Platform.BINARY_SENSOR
    )
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)
    assert_no_user_ids(hass, entry)


async def test_problem_follows_the_printer(
    hass: HomeAssistant,
    ledm_station: PrinterCoordinator,
    printer_sim: PrinterSimulator,
) -> None:
    """On while the printer is blocked, with its reasons; off once it is ready again."""
    assert state(hass, PROBLEM) == "off"
    printer_sim.set_scenario("door_open")
    await ledm_station.async_refresh()
    await hass.async_block_till_done()
    assert state(hass, PROBLEM) == "on"
    problem = hass.states.get(PROBLEM)
    assert problem is not None
    assert problem.attributes["source"] == "ledm"
    assert problem.attributes["reasons"]
    printer_sim.set_scenario("ready")
    await ledm_station.async_refresh()
    await hass.async_block_till_done()
    assert state(hass, PROBLEM) == "off"


async def test_releasing_while_a_release_runs(
    hass: HomeAssistant,
    ledm_station: PrinterCoordinator,
    simulator: Simulator,
) -> None:
    """A person's releasing sensor is on while their jobs print, off afterwards."""
    seen: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: (
            seen.append(event.data["new_state"].state)
            if event.data["entity_id"] == "binary_sensor.alice_releasing"
            else None
        ),
    )
    await print_all(hass, user_id=USER_1, wait=True)
    await settle(hass)
    assert "on" in seen
    assert state(hass, "binary_sensor.alice_releasing") == "off"
