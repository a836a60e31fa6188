"""The job runner: one PrintJob at a time, failures, cancel, nothing resent."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from aiohttp import web
from homeassistant.core import HomeAssistant, callback
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ezeep.const import (
    DOMAIN,
    EVENT_PRINT_ERROR,
    EVENT_PRINT_PROGRESS,
)
from tests.conftest import USER_1, USER_2, print_all, settle, wait_for
from tests.simulator import Simulator


async def test_job_failure_stops_the_release(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A job ending with X-FMP-Return 4 fires ezeep_print_error; the rest is not released."""
    simulator.users[USER_1].jobs[0].fail_code = 4
    simulator.users[USER_1].jobs[0].fail_after = 1
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    response = await print_all(hass, user_id=USER_1, wait=True)
    assert [job["result"] for job in response["jobs"]] == ["failed", "canceled"]
    assert len(simulator.prints) == 1
    assert len(errors) == 1
    assert errors[0].data == {
        "config_entry_id": init_integration.entry_id,
        "user_id": USER_1,
        "job": "report-1.tpf",
        "name": "report 1.pdf",
        "proc_id": 738886,
        "code": 4,
        "error": "Invalid printer was specified",
        "os_error": 0,
        "os_error_text": "",
    }
    await settle(hass)
    state = hass.states.get("sensor.alice_last_release")
    assert state.state == "failed"
    assert state.attributes["error"] == "Invalid printer was specified"
    assert hass.states.get("sensor.alice_pending_jobs").state == "2"


async def test_per_job_failure_continues(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """An OS error on one job (code 1) does not stop the person's other jobs."""
    simulator.users[USER_1].jobs[0].fail_code = 1
    simulator.users[USER_1].jobs[0].os_error = 5
    simulator.users[USER_1].jobs[0].os_error_text = "Access denied"
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    response = await print_all(hass, user_id=USER_1, wait=True)
    assert [job["result"] for job in response["jobs"]] == ["failed", "completed"]
    assert (
        errors[0].data["code"],
        errors[0].data["os_error"],
        errors[0].data["os_error_text"],
    ) == (
        1,
        5,
        "Access denied",
    )


async def test_job_gone_before_it_printed(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A job deleted elsewhere between list and print (code 5) fails; the next one prints."""
    simulator.stall("PrintJob", 0.2)
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    task = hass.async_create_task(print_all(hass, user_id=USER_1, wait=True))
    await asyncio.wait_for(simulator.wait_requests("PrintJob"), 5)
    simulator.users[USER_1].jobs.pop(0)
    response = await task
    assert [job["result"] for job in response["jobs"]] == ["failed", "completed"]
    assert errors[0].data["code"] == 5
    assert errors[0].data["job"] == "report-1.tpf"


async def test_cancel_running_release(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Cancel stops the running job (code 10) and drops the queued rest; jobs stay queued."""
    simulator.users[USER_1].jobs[0].step_delay = 0.2
    progress = async_capture_events(hass, EVENT_PRINT_PROGRESS)
    task = hass.async_create_task(print_all(hass, user_id=USER_1, wait=True))
    await asyncio.wait_for(simulator.wait_running(), 5)
    await hass.services.async_call(DOMAIN, "cancel", {"user_id": USER_1}, blocking=True)
    response = await task
    assert [job["result"] for job in response["jobs"]] == ["canceled", "canceled"]
    assert [p.result for p in simulator.prints] == [10]
    assert len(simulator.jobs_of(USER_1)) == 2
    assert progress[-1].data["status"] == "canceled"
    assert simulator.counts["CancelPrintJob"] == 1


async def test_cancel_before_the_proc_id_is_known(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A cancel that arrives while PrintJob's head is still awaited is sent once it is."""
    simulator.stall("PrintJob", 0.3)
    simulator.users[USER_2].jobs[0].step_delay = 0.2
    task = hass.async_create_task(print_all(hass, user_id=USER_2, wait=True))
    await asyncio.wait_for(simulator.wait_requests("PrintJob"), 5)
    await hass.services.async_call(DOMAIN, "cancel", {"user_id": USER_2}, blocking=True)
    await hass.services.async_call(DOMAIN, "cancel", {"user_id": USER_2}, blocking=True)
    response = await task
    assert [job["result"] for job in response["jobs"]] == ["canceled"]
    assert simulator.counts["CancelPrintJob"] == 1
    assert [p.result for p in simulator.prints] == [10]


async def test_cancel_by_proc_id_and_nothing_running(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Cancel by proc_id; cancelling when nothing runs is a no-op."""
    await hass.services.async_call(DOMAIN, "cancel", {"user_id": USER_1}, blocking=True)
    await hass.services.async_call(DOMAIN, "cancel", {"proc_id": 1}, blocking=True)
    assert simulator.counts["CancelPrintJob"] == 0
    simulator.users[USER_1].jobs[0].step_delay = 0.2
    started = asyncio.Event()
    hass.bus.async_listen(EVENT_PRINT_PROGRESS, callback(lambda _event: started.set()))
    task = hass.async_create_task(print_all(hass, user_id=USER_1, wait=True))
    await asyncio.wait_for(started.wait(), 5)
    running = next(iter(simulator.running.values()))
    await hass.services.async_call(
        DOMAIN, "cancel", {"proc_id": running.proc_id}, blocking=True
    )
    response = await task
    assert response["jobs"][0]["result"] == "canceled"


async def test_cut_stream_is_failed_not_retried(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A stream cut midway: failed with a reason, never sent again, job still pending."""
    simulator.cut_stream(1)
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    response = await print_all(hass, user_id=USER_1, wait=True)
    assert [job["result"] for job in response["jobs"]] == ["failed", "canceled"]
    assert errors[0].data["code"] == "stream_interrupted"
    assert simulator.counts["PrintJob"] == 1
    simulator.clear_faults()
    await settle(hass)
    assert hass.states.get("sensor.alice_pending_jobs").state == "2"


async def test_cancel_racing_with_the_end(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A cancel just as the job ends: no error, the job printed once, nothing resent."""
    simulator.users[USER_2].jobs[0].steps = 1
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    done = asyncio.Event()

    @callback
    def on_progress(event: Any) -> None:
        if event.data["status"] == "printing":
            hass.async_create_task(
                hass.services.async_call(
                    DOMAIN, "cancel", {"user_id": USER_2}, blocking=True
                )
            )
        if event.data["status"] in ("completed", "canceled"):
            done.set()

    hass.bus.async_listen(EVENT_PRINT_PROGRESS, on_progress)
    await print_all(hass, user_id=USER_2)
    await asyncio.wait_for(done.wait(), 5)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(simulator.prints) == 1
    assert simulator.prints[0].result in (0, 10)
    assert simulator.counts["CancelPrintJob"] <= 1
    assert not errors


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


@pytest.mark.parametrize(
    ("progress_type", "unit"), [("Pages", "pages"), ("Percentage", "percent")]
)
async def test_started_event_carries_the_unit(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    progress_type: Literal["Pages", "Percentage"],
    unit: str,
) -> None:
    """The PrintJob head names the unit: the started event, entity and sensor show it."""
    job = simulator.users[USER_2].jobs[0]
    job.progress_type = progress_type
    job.step_delay = 0.3
    progress = async_capture_events(hass, EVENT_PRINT_PROGRESS)
    await print_all(hass, user_id=USER_2)
    await wait_for(lambda: bool(progress))
    await hass.async_block_till_done()
    started = progress[0].data
    assert (started["status"], started["done"], started["total"], started["unit"]) == (
        "started",
        0,
        None,
        unit,
    )
    event = hass.states.get("event.bob_release")
    assert event.attributes["event_type"] == "started"
    assert event.attributes["unit"] == unit
    assert hass.states.get("sensor.bob_release_progress").attributes["unit"] == unit
    await settle(hass)
    assert {e.data["unit"] for e in progress} == {unit}
