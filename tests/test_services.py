"""ezeep.print_all and ezeep.cancel against the simulator, with their events."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
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
from tests.conftest import (
    UNKNOWN_USER,
    USER_1,
    USER_2,
    make_jobs,
    print_all,
    settle,
    subentry_id_of,
)
from tests.simulator import SimJob, Simulator


async def test_print_all_waits_and_releases_oldest_first(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """wait=True returns each job's result; jobs print oldest first and leave the queue."""
    simulator.users[USER_1].jobs.reverse()  # the server's order is not the age order
    progress = async_capture_events(hass, EVENT_PRINT_PROGRESS)
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)

    response = await print_all(hass, user_id=USER_1, wait=True)

    assert response == {
        "jobs": [
            {
                "job": "report-1.tpf",
                "name": "report 1.pdf",
                "proc_id": 738886,
                "result": "completed",
            },
            {
                "job": "report-2.tpf",
                "name": "report 2.pdf",
                "proc_id": 738887,
                "result": "completed",
            },
        ]
    }
    assert [(p.file_name, p.result, p.delete, p.copies) for p in simulator.prints] == [
        ("report-1.tpf", 0, True, 1),
        ("report-2.tpf", 0, True, 1),
    ]
    assert simulator.jobs_of(USER_1) == []
    assert not errors
    first = [e.data for e in progress if e.data["job"] == "report-1.tpf"]
    assert [e["status"] for e in first] == [
        "started",
        "printing",
        "printing",
        "printing",
        "completed",
    ]
    assert first[0] == {
        "config_entry_id": init_integration.entry_id,
        "user_id": USER_1,
        "job": "report-1.tpf",
        "name": "report 1.pdf",
        "proc_id": 738886,
        "status": "started",
        "done": 0,
        "total": None,
        "unit": None,
    }
    assert first[-1] | {"proc_id": None} == first[0] | {
        "status": "completed",
        "done": 3,
        "total": 3,
        "unit": "pages",
        "proc_id": None,
    }
    await settle(hass)
    assert hass.states.get("sensor.alice_pending_jobs").state == "0"
    assert hass.states.get("sensor.alice_last_release").state == "completed"
    assert hass.states.get("sensor.bob_pending_jobs").state == "1"


async def test_print_all_in_background(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Without wait, the call returns queued jobs at once; entities show the release."""
    for job in simulator.users[USER_1].jobs:
        job.step_delay = 0.05
    response = await print_all(hass, user_id=USER_1)
    assert [job["result"] for job in response["jobs"]] == ["queued", "queued"]
    running = await asyncio.wait_for(simulator.wait_running(), 5)
    assert running.file_name == "report-1.tpf"
    await asyncio.sleep(0.08)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.alice_releasing").state == "on"
    progress = hass.states.get("sensor.alice_release_progress")
    assert progress.attributes["job"] == "report 1.pdf"
    assert progress.attributes["unit"] == "pages"
    await settle(hass)
    assert hass.states.get("binary_sensor.alice_releasing").state == "off"
    assert len(simulator.prints) == 2


async def test_print_all_options_reach_the_server(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """printer_id, copies and delete are sent as given; string numbers are accepted."""
    await print_all(
        hass,
        user_id=USER_2,
        printer_id="printer-7",
        copies="3",
        delete=False,
        wait=True,
    )
    record = simulator.prints[0]
    assert (record.printer, record.copies, record.delete) == ("printer-7", 3, False)
    assert len(simulator.jobs_of(USER_2)) == 1  # kept: delete=False


async def test_print_all_by_device(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A person's device stands for their ID."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, subentry_id_of(init_integration, USER_2)), init_integration.entry_id
    )
    assert device is not None
    response = await print_all(hass, device_id=device.id, wait=True)
    assert [job["result"] for job in response["jobs"]] == ["completed"]
    assert [p.user_id for p in simulator.prints] == [USER_2]


async def test_print_all_unconfigured_id(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A card the station has no sub-entry for still releases that person's jobs."""
    simulator.add_user("test-card-0042", make_jobs("visitor", 1))
    response = await print_all(hass, user_id=" test-card-0042 ", wait=True)
    assert [job["result"] for job in response["jobs"]] == ["completed"]
    assert simulator.prints[0].user_id == "test-card-0042"


async def test_print_all_nothing_pending(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """No jobs: an empty list, nothing printed."""
    simulator.users[USER_2].jobs.clear()
    assert await print_all(hass, user_id=USER_2, wait=True) == {"jobs": []}
    assert simulator.counts["PrintJob"] == 0


async def test_held_jobs_are_listed_not_released(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A held job shows in the attribute with on_hold, is not counted, is not printed."""
    simulator.add_job(
        USER_2, SimJob("held.tpf", "held.pdf", on_hold=True, created=1_600_000_000)
    )
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    state = hass.states.get("sensor.bob_pending_jobs")
    assert state.state == "1"
    assert [(j["name"], j["on_hold"]) for j in state.attributes["jobs"]] == [
        ("slides 1.pdf", False),
        ("held.pdf", True),
    ]
    await print_all(hass, user_id=USER_2, wait=True)
    assert [p.file_name for p in simulator.prints] == ["slides-1.tpf"]


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


async def test_invalid_printer(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """An unknown printer: the job list is refused with the server's text, nothing prints."""
    simulator.printers.add("printer-1")
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    with pytest.raises(HomeAssistantError) as err:
        await print_all(hass, user_id=USER_2, printer_id="printer-unknown", wait=True)
    assert err.value.translation_key == "server_error"
    assert err.value.translation_placeholders == {
        "error": "Invalid printer was specified"
    }
    assert errors[0].data["code"] == 4
    assert simulator.counts["PrintJob"] == 0


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
    releases.rate_limit = 2
    for n in range(3):
        simulator.add_user(f"test-card-{n}", make_jobs("x", 1))
    await print_all(hass, user_id="test-card-0", wait=True)
    await print_all(hass, user_id="test-card-1", wait=True)
    with pytest.raises(HomeAssistantError) as err:
        await print_all(hass, user_id="test-card-2", wait=True)
    assert err.value.translation_key == "release_rate_limited"
    assert len(simulator.prints) == 2


async def test_unknown_id_prints_one_registration_sheet(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """An unknown card: one registration printout, then the cooldown refuses quietly."""
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    with pytest.raises(HomeAssistantError) as err:
        await print_all(hass, user_id=UNKNOWN_USER)
    assert err.value.translation_key == "unknown_user"
    for _ in range(5):
        with pytest.raises(HomeAssistantError):
            await print_all(hass, user_id=UNKNOWN_USER)
    assert simulator.registration_printouts[UNKNOWN_USER] == 1
    assert errors[0].data["code"] == 3


async def test_configured_unknown_user_is_not_asked_again(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A configured person the server forgot: one printout, then refused without asking."""
    del simulator.users[USER_2]
    with pytest.raises(HomeAssistantError):
        await print_all(hass, user_id=USER_2)
    init_integration.runtime_data.releases.cooldown = 0
    with pytest.raises(ServiceValidationError) as err:
        await print_all(hass, user_id=USER_2)
    assert err.value.translation_key == "user_not_registered"
    await init_integration.runtime_data.coordinator.async_refresh()
    assert simulator.registration_printouts[USER_2] == 1
    await hass.async_block_till_done()
    assert hass.states.get("sensor.bob_pending_jobs").state == "unavailable"


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


async def test_auth_failure_during_release_starts_reauth(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """HTTP 401 while releasing: an error event, a translated error, and one reauth flow."""
    simulator._password = "changed-password"
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    with pytest.raises(HomeAssistantError) as err:
        await print_all(hass, user_id=USER_1)
    assert err.value.translation_key == "auth_failed"
    assert errors[0].data["code"] == "auth_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == ["reauth"]


async def test_server_unreachable_during_release(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """HTTP 500 on GetJobList: a translated cannot_connect error and an error event."""
    simulator.http_error("GetJobList", 500)
    with pytest.raises(HomeAssistantError) as err:
        await print_all(hass, user_id=USER_1)
    assert err.value.translation_key == "cannot_connect"


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


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "missing_user"),
        ({"user_id": "  "}, "missing_user"),
        ({"user_id": "a:b"}, "invalid_user_id"),
        ({"user_id": USER_1, "device_id": "x"}, "user_and_device"),
        ({"device_id": "not-a-device"}, "unknown_device"),
        ({"user_id": USER_1, "copies": 0}, "invalid_copies"),
        ({"user_id": USER_1, "copies": 100}, "invalid_copies"),
        ({"user_id": USER_1, "copies": "two"}, "invalid_copies"),
        ({"user_id": USER_1, "copies": 1.5}, "invalid_copies"),
        ({"user_id": USER_1, "copies": True}, "invalid_copies"),
        ({"user_id": USER_1, "delete": "maybe"}, "invalid_field"),
        ({"user_id": USER_1, "unknown": 1}, "invalid_field"),
        ({"user_id": USER_1, "config_entry_id": "nope"}, "invalid_config_entry"),
    ],
)
async def test_print_all_bad_input(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    data: dict[str, Any],
    key: str,
) -> None:
    """Bad input: a translated validation error, and nothing sent to the server."""
    simulator.reset_log()
    with pytest.raises(ServiceValidationError) as err:
        await print_all(hass, **data)
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN
    assert simulator.requests == []


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "missing_cancel_target"),
        ({"user_id": USER_1, "proc_id": 5}, "user_and_proc_id"),
        ({"proc_id": "x"}, "invalid_field"),
        ({"proc_id": -1}, "invalid_field"),
    ],
)
async def test_cancel_bad_input(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    """Cancel validates its input too."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "cancel", data, blocking=True)
    assert err.value.translation_key == key


async def test_config_entry_of_another_integration(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A config_entry_id of another integration is refused."""
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    with pytest.raises(ServiceValidationError) as err:
        await print_all(hass, user_id=USER_1, config_entry_id=other.entry_id)
    assert err.value.translation_key == "invalid_config_entry"


async def test_several_stations_need_a_config_entry_id(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """With two loaded stations the call must name one; then it works."""
    second = MockConfigEntry(
        domain=DOMAIN, data=dict(init_integration.data), title="second"
    )
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await print_all(hass, user_id=USER_2)
    assert err.value.translation_key == "config_entry_required"
    response = await print_all(
        hass, user_id=USER_2, config_entry_id=init_integration.entry_id, wait=True
    )
    assert response["jobs"][0]["result"] == "completed"


async def test_no_station_loaded(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """With the station unloaded the services say so."""
    await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await print_all(hass, user_id=USER_1)
    assert err.value.translation_key == "no_station"
    with pytest.raises(ServiceValidationError) as err:
        await print_all(hass, user_id=USER_1, config_entry_id=init_integration.entry_id)
    assert err.value.translation_key == "entry_not_loaded"


async def test_cancel_while_the_job_list_is_read(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A cancel before any job started: nothing is printed, every job is canceled."""
    simulator.stall("GetJobList", 0.3)
    task = hass.async_create_task(print_all(hass, user_id=USER_1, wait=True))
    await asyncio.wait_for(simulator.wait_requests("GetJobList"), 5)
    await hass.services.async_call(DOMAIN, "cancel", {"user_id": USER_1}, blocking=True)
    response = await task
    assert [job["result"] for job in response["jobs"]] == ["canceled", "canceled"]
    assert simulator.counts["PrintJob"] == 0
    assert simulator.counts["CancelPrintJob"] == 0
