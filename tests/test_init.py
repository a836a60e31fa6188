"""Setting up, polling, unloading a station."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ezeep.const import CONF_NAME, CONF_USER_ID, DOMAIN
from custom_components.ezeep.coordinator.printer import (
    PrinterCoordinator,
    printer_device_identifier,
)
from tests.conftest import (
    USER_1,
    USER_2,
    device_of,
    station_data,
    subentry_id_of,
    user_entity_ids,
    user_subentry,
)
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


async def test_server_unreachable_at_startup(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """No server: setup is retried later; the entities appear when it is back."""
    simulator.http_error("GetVersion", 503)
    mock_config_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    simulator.clear_faults()
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert hass.states.get("sensor.alice_pending_jobs").state == "2"


async def test_wrong_password_at_startup_starts_reauth(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A refused password at setup: setup fails and a reauth flow starts."""
    simulator._password = "another-password"
    mock_config_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_unavailable_and_recovered_logged_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Server errors make the sensors unavailable; loss and recovery are logged once each."""
    coordinator = init_integration.runtime_data.coordinator
    simulator.http_error("GetJobList", 500)
    for _ in range(3):
        await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.alice_pending_jobs").state == "unavailable"
    assert hass.states.get("button.alice_release_all").state == "unavailable"
    simulator.clear_faults()
    await coordinator.async_refresh()
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.alice_pending_jobs").state == "2"
    lost = [r for r in caplog.records if "Error fetching ezeep data" in r.getMessage()]
    back = [
        r for r in caplog.records if "Fetching ezeep data recovered" in r.getMessage()
    ]
    assert (len(lost), len(back)) == (1, 1)


@pytest.mark.parametrize("fault", ["stall", "garbage", "malformed"])
async def test_poll_faults(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    fault: str,
) -> None:
    """A stall past the timeout or garbage: unavailable, then recovered; a bad line is skipped."""
    coordinator = init_integration.runtime_data.coordinator
    client = init_integration.runtime_data.client
    if fault == "stall":
        client._request_timeout = 0.2
        simulator.stall("GetJobList", 1.0)
    elif fault == "garbage":
        simulator.garbage("GetJobList")
    else:
        simulator.malformed_job_line()
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    expected = "2" if fault == "malformed" else "unavailable"
    assert hass.states.get("sensor.alice_pending_jobs").state == expected
    simulator.clear_faults()
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.alice_pending_jobs").state == "2"


async def test_unload_while_printing(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Unloading during a print stops following it cleanly; nothing is released again."""
    simulator.users[USER_1].jobs[0].step_delay = 0.3
    await hass.services.async_call(
        DOMAIN, "print_all", {"user_id": USER_1}, blocking=True
    )
    await asyncio.wait_for(simulator.wait_running(), 5)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert simulator.counts["PrintJob"] == 1


async def test_sub_entry_removed_and_added_without_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Removing a person removes their device and entities; the station keeps running."""
    subentry_id = subentry_id_of(init_integration, USER_2)
    device_registry = dr.async_get(hass)
    assert device_registry.async_get_device_by_identifier(
        (DOMAIN, subentry_id), init_integration.entry_id
    )
    runtime = init_integration.runtime_data
    assert hass.config_entries.async_remove_subentry(init_integration, subentry_id)
    await hass.async_block_till_done()
    assert init_integration.runtime_data is runtime  # not reloaded
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, subentry_id), init_integration.entry_id
        )
        is None
    )
    assert hass.states.get("sensor.bob_pending_jobs") is None
    assert hass.states.get("sensor.alice_pending_jobs").state == "2"


async def test_unreachable_at_startup_logs_no_errors(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Setup retries with back-off: no warning, error or traceback in the log meanwhile."""
    simulator.http_error("GetVersion", 503)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    for _ in range(3):
        await hass.config_entries.async_reload(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    assert simulator.counts["GetVersion"] >= 3
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    loud = [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and "ezeep" in r.getMessage()
    ]
    assert not [r for r in loud if "custom integration" not in r.getMessage()]
    simulator.clear_faults()
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED


async def test_home_assistant_stops_while_printing(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Stopping Home Assistant mid-print: no exception, nothing released again."""
    simulator.users[USER_1].jobs[0].step_delay = 0.3
    await hass.services.async_call(
        DOMAIN, "print_all", {"user_id": USER_1}, blocking=True
    )
    await asyncio.wait_for(simulator.wait_running(), 5)
    await hass.async_stop()
    assert simulator.counts["PrintJob"] == 1
    assert init_integration.runtime_data.releases._runner._releases == {}


async def test_remove_subentry_removes_device_and_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Removing a person removes their device and entities; the others stay."""
    entry = init_integration
    subentry_id = subentry_id_of(entry, USER_2)
    assert device_of(hass, entry, subentry_id) is not None
    assert user_entity_ids(hass, entry, subentry_id)
    assert hass.states.get("sensor.bob_pending_jobs") is not None
    coordinator = entry.runtime_data.coordinator

    assert hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done()

    assert subentry_id not in entry.subentries
    assert device_of(hass, entry, subentry_id) is None
    assert not user_entity_ids(hass, entry, subentry_id)
    assert hass.states.get("sensor.bob_pending_jobs") is None
    assert entry.runtime_data.coordinator is coordinator
    assert hass.states.get("sensor.alice_pending_jobs").state == "2"
    # The removed person is no longer polled.
    simulator.reset_log()
    await coordinator.async_refresh()
    assert {r.user for r in simulator.requests if r.cmd == "GetJobList"} == {USER_1}


async def test_changed_person_reloads_unchanged_does_not(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A person's new name reloads the station (device names); saving it again does not."""
    entry = init_integration
    subentry = entry.subentries[subentry_id_of(entry, USER_2)]
    runtime = entry.runtime_data
    hass.config_entries.async_update_subentry(
        entry,
        subentry,
        title="Robert",
        data={CONF_USER_ID: USER_2, CONF_NAME: "Robert"},
    )
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data is not runtime
    device = device_of(hass, entry, subentry.subentry_id)
    assert device is not None
    assert device.name == "Robert"

    runtime = entry.runtime_data
    hass.config_entries.async_update_subentry(
        entry,
        subentry,
        title="Robert",
        data={CONF_USER_ID: USER_2, CONF_NAME: "Robert"},
    )
    hass.config_entries.async_update_entry(entry, title="Station")
    await hass.async_block_till_done()
    assert entry.runtime_data is runtime


async def test_removing_a_station_keeps_another_stations_repairs(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Removing a station forgets its unknown-ID marks and issues, not another's."""
    other = MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        data=station_data(simulator.url),
        subentries_data=[user_subentry(USER_2, "Bobby")],
    )
    other.add_to_hass(hass)
    assert await hass.config_entries.async_setup(other.entry_id)
    await hass.async_block_till_done()
    del simulator.users[USER_2]
    for entry in (init_integration, other):
        await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    issues = ir.async_get(hass)
    ours, theirs = (
        f"unknown_user_{subentry_id_of(entry, USER_2)}"
        for entry in (init_integration, other)
    )
    assert issues.async_get_issue(DOMAIN, ours) is not None
    assert issues.async_get_issue(DOMAIN, theirs) is not None

    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()

    assert issues.async_get_issue(DOMAIN, ours) is None
    assert issues.async_get_issue(DOMAIN, theirs) is not None
    assert other.runtime_data.coordinator.is_unregistered(subentry_id_of(other, USER_2))


# -- stale devices -------------------------------------------------------------------


def printer_device(
    hass: HomeAssistant, entry: MockConfigEntry
) -> dr.DeviceEntry | None:
    """The station's printer device, if it is registered."""
    return dr.async_get(hass).async_get_device_by_identifier(
        printer_device_identifier(entry.entry_id), entry.entry_id
    )


async def remove_device(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, device_id: str
) -> dict[str, Any]:
    """Delete a device as the UI does (the device page's "Delete" button)."""
    assert await async_setup_component(hass, "config", {})
    client = await hass_ws_client(hass)
    response: dict[str, Any] = await client.remove_device(device_id)
    await hass.async_block_till_done()
    return response


async def test_printer_device_removed_when_source_set_to_none(
    hass: HomeAssistant,
    ledm_station: PrinterCoordinator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Readiness source back to none: the printer device and its entities go."""
    entry = mock_config_entry
    device = printer_device(hass, entry)
    assert device is not None
    entity_registry = er.async_get(hass)
    printer_entities = er.async_entries_for_device(entity_registry, device.id)
    assert {e.entity_id for e in printer_entities} >= {
        "sensor.printer_status",
        "binary_sensor.printer_problem",
        "sensor.printer_black_level",
    }

    hass.config_entries.async_update_entry(entry, options={})  # the options flow's save
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.printer is None
    assert printer_device(hass, entry) is None
    for entity in printer_entities:
        assert entity_registry.async_get(entity.entity_id) is None
        assert hass.states.get(entity.entity_id) is None
    assert device_of(hass, entry, subentry_id_of(entry, USER_1)) is not None
    assert hass.states.get("sensor.alice_pending_jobs").state == "2"


async def test_delete_person_device_removes_sub_entry(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Deleting a person's device in the UI removes the person; the station keeps going."""
    entry = init_integration
    subentry_id = subentry_id_of(entry, USER_2)
    device = device_of(hass, entry, subentry_id)
    assert device is not None
    runtime = entry.runtime_data

    response = await remove_device(hass, hass_ws_client, device.id)

    assert response["success"], response
    assert subentry_id not in entry.subentries
    assert device_of(hass, entry, subentry_id) is None
    assert not user_entity_ids(hass, entry, subentry_id)
    assert hass.states.get("sensor.bob_pending_jobs") is None
    assert entry.runtime_data is runtime  # not reloaded
    assert hass.states.get("sensor.alice_pending_jobs").state == "2"


async def test_printer_device_kept_while_source_set(
    hass: HomeAssistant,
    ledm_station: PrinterCoordinator,
    mock_config_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The printer device cannot be deleted while a source is set; without one it can."""
    entry = mock_config_entry
    device = printer_device(hass, entry)
    assert device is not None

    response = await remove_device(hass, hass_ws_client, device.id)

    assert not response["success"]
    assert printer_device(hass, entry) is not None
    assert len(entry.subentries) == 2
    assert hass.states.get("sensor.printer_status").state == "ready"

    # Not loaded and no source any more (a hand-edited entry): the device may go.
    assert await hass.config_entries.async_unload(entry.entry_id)
    hass.config_entries.async_update_entry(entry, options={})
    response = await remove_device(hass, hass_ws_client, device.id)
    assert response["success"], response
    assert printer_device(hass, entry) is None
    assert len(entry.subentries) == 2
