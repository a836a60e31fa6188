"""Defects found in an independent review, each pinned by a test against the simulator."""

from __future__ import annotations

import asyncio
from typing import Any
from unittest.mock import patch

from aiohttp import web
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ezeep.const import (
    CONF_PASSWORD,
    CONF_URL,
    CONF_VERIFY_SSL,
    EVENT_PRINT_ERROR,
)
from tests.conftest import (
    PASSWORD,
    USER_1,
    USER_2,
    ledm_options,
    print_all,
    setup_station,
    wait_for,
)
from tests.simulator import Simulator
from tests.simulator.printer import PrinterSimulator

STATUS_PATH = "/DevMgmt/ProductStatusDyn.xml"
EVENTS_PATH = "/EventMgmt/EventTable"


async def test_print_job_not_resent_when_connection_breaks_before_head(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The server took a PrintJob, then the connection broke before the answer's head.

    The outcome is unknown (the server may be printing): the request must not be sent
    again, by the integration or by aiohttp (which resends an idempotent method, and GET
    is one, once after a disconnect).
    """
    original = simulator._print_job

    async def drop_first(
        request: web.Request, cmd: str, auth: Any, at: float, user: Any
    ) -> web.StreamResponse:
        if simulator.counts["PrintJob"] == 1:
            assert request.transport is not None
            request.transport.abort()
            await asyncio.sleep(0)
            return web.Response()
        return await original(request, cmd, auth, at, user)

    simulator._print_job = drop_first  # type: ignore[method-assign]
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    response = await print_all(hass, user_id=USER_1, wait=True)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert simulator.counts["PrintJob"] == 1
    assert simulator.prints == []
    assert [job["result"] for job in response["jobs"]] == ["failed", "canceled"]
    assert errors[0].data["code"] == "connection_error"
    assert errors[0].data["error"] == "PrintJob: ServerDisconnectedError"


async def test_unload_during_job_list_starts_no_print(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The station unloads while a release waits for GetJobList: nothing is printed.

    The release task would otherwise start after the unload, outside the manager that
    was shut down: an orphan that prints beside whatever the reloaded station does.
    """
    simulator.stall("GetJobList", 0.5)
    call = hass.async_create_task(print_all(hass, user_id=USER_1))
    await asyncio.wait_for(simulator.wait_requests("GetJobList"), 5)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    simulator.clear_faults()
    response = await asyncio.wait_for(call, 5)
    await hass.async_block_till_done(wait_background_tasks=True)
    await asyncio.sleep(0.2)
    assert [job["result"] for job in response["jobs"]] == ["canceled", "canceled"]
    assert simulator.counts["PrintJob"] == 0
    assert simulator.prints == []


async def test_waiting_call_ends_normally_when_station_unloads(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """``wait: true`` and the station unloads mid-release: the call reports, not cancels.

    The release task is cancelled, but the caller (an automation) was not: it must not
    see a CancelledError of another task (its run would end as if it were stopped).
    """
    for job in simulator.users[USER_1].jobs:
        job.step_delay = 0.2
    call = hass.async_create_task(print_all(hass, user_id=USER_1, wait=True))
    await asyncio.wait_for(simulator.wait_running(), 5)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    response = await asyncio.wait_for(call, 5)
    assert [job["result"] for job in response["jobs"]] == ["failed", "canceled"]
    await hass.async_block_till_done(wait_background_tasks=True)
    await simulator.wait_idle()
    assert [p.file_name for p in simulator.prints] == ["report-1.tpf"]


@pytest.mark.parametrize("flow", ["reauth", "reconfigure"])
async def test_station_flows_never_ask_with_an_unregistered_id(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    flow: str,
) -> None:
    """Everybody's ID is unknown to the server: reauth/reconfigure print no more sheets.

    The person has not acted (no repair confirmed, no ID changed): asking with their ID
    again would print another registration sheet.
    """
    entry = init_integration
    del simulator.users[USER_1], simulator.users[USER_2]
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert simulator.registration_printouts == {USER_1: 1, USER_2: 1}
    if flow == "reauth":
        result = await entry.start_reauth_flow(hass)
        user_input: dict[str, Any] = {CONF_PASSWORD: PASSWORD}
    else:
        result = await entry.start_reconfigure_flow(hass)
        user_input = {CONF_URL: simulator.url, CONF_VERIFY_SSL: True}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == f"{flow}_successful"
    assert simulator.registration_printouts == {USER_1: 1, USER_2: 1}


async def test_printer_read_in_flight_at_unload_starts_no_event_follower(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    printer_sim: PrinterSimulator,
    simulator: Simulator,
) -> None:
    """A release's printer read outlives the unload: it starts no event-table long poll.

    The entry's background tasks were cancelled at the unload; one started after it
    would long-poll the printer until Home Assistant stops (beside a reloaded station's).
    """
    printer = await setup_station(hass, mock_config_entry, ledm_options(printer_sim))
    await wait_for(lambda: printer.events_supported is True)
    printer_sim.fall_asleep(0.5)
    status_reads = printer_sim.requests[STATUS_PATH]
    with patch("custom_components.ezeep.coordinator.printer.MAX_STATUS_AGE", 0):
        call = hass.async_create_task(print_all(hass, user_id=USER_1))
        await wait_for(lambda: printer_sim.requests[STATUS_PATH] > status_reads)
        assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
        events_asked = printer_sim.requests[EVENTS_PATH]
        await asyncio.wait_for(call, 5)
    await asyncio.sleep(0.3)
    assert printer_sim.requests[EVENTS_PATH] == events_asked
    assert simulator.counts["PrintJob"] == 0


async def test_cancelled_waiting_caller_is_cancelled_and_release_goes_on(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The caller of a ``wait: true`` release is cancelled: it is, the release is not."""
    simulator.users[USER_1].jobs[0].step_delay = 0.1
    call = hass.async_create_task(print_all(hass, user_id=USER_1, wait=True))
    await asyncio.wait_for(simulator.wait_running(), 5)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [(p.file_name, p.result) for p in simulator.prints] == [
        ("report-1.tpf", 0),
        ("report-2.tpf", 0),
    ]
