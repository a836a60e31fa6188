"""The release manager: releases through the service, unloads, faults and load."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ezeep.const import (
    CONF_PASSWORD,
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
    station_data,
)
from tests.simulator import SimJob, Simulator, server as simulator_server


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
        "unit": "pages",
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
    # A job that arrives on hold shows at the person's next whole-list read.
    await init_integration.runtime_data.coordinator.async_refresh_user(USER_2)
    await hass.async_block_till_done()
    state = hass.states.get("sensor.bob_pending_jobs")
    assert state.state == "1"
    assert [(j["name"], j["on_hold"]) for j in state.attributes["jobs"]] == [
        ("slides 1.pdf", False),
        ("held.pdf", True),
    ]
    await print_all(hass, user_id=USER_2, wait=True)
    assert [p.file_name for p in simulator.prints] == ["slides-1.tpf"]


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


async def test_failed_list_read_starts_no_cooldown(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A release that failed before printing: a retry is not refused as a cooldown."""
    limits = init_integration.runtime_data.releases.admission
    simulator.http_error("GetJobList", 500, times=2)
    with pytest.raises(HomeAssistantError) as err:
        await print_all(hass, user_id=USER_1)
    assert err.value.translation_key == "cannot_connect"
    assert not limits.is_active(USER_1)
    response = await print_all(hass, user_id=USER_1, wait=True)
    assert [job["result"] for job in response["jobs"]] == ["completed", "completed"]


async def test_print_refused_with_code_3_keeps_a_registered_person(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PrintJob refused with code 3 after the list was read: not an unknown person."""

    async def refuse(*_args: Any) -> None:
        raise simulator_server._TpfmError(3)

    monkeypatch.setattr(simulator, "_print_job", refuse)
    response = await print_all(hass, user_id=USER_1, wait=True)
    assert response["jobs"][0]["result"] == "failed"
    coordinator = init_integration.runtime_data.coordinator
    subentry_id = coordinator.subentry_of(USER_1)
    assert subentry_id is not None
    assert not coordinator.is_unregistered(subentry_id)
    assert simulator.registration_printouts == {}


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


async def test_reauth_then_everything_works(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """401 mid-use: one reauth flow, releases refused until fixed, then fine without restart."""
    simulator._password = "new-sim-password"
    for _ in range(3):
        with pytest.raises(HomeAssistantError) as err:
            await print_all(hass, user_id=USER_1)
        assert err.value.translation_key == "auth_failed"
        init_integration.runtime_data.releases.admission.cooldown = 0
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert len(flows) == 1
    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {CONF_PASSWORD: " new-sim-password "}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert init_integration.data[CONF_PASSWORD] == "new-sim-password"
    response = await print_all(hass, user_id=USER_1, wait=True)
    assert [job["result"] for job in response["jobs"]] == ["completed", "completed"]


async def test_looping_script_releases_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """print_all in a repeat of 100: each job once; the rest refused with error events."""
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    assert await async_setup_component(
        hass,
        "script",
        {
            "script": {
                "loop": {
                    "sequence": [
                        {
                            "repeat": {
                                "count": 100,
                                "sequence": [
                                    {
                                        "action": "ezeep.print_all",
                                        "data": {"user_id": USER_1},
                                        "continue_on_error": True,
                                    }
                                ],
                            }
                        }
                    ]
                }
            }
        },
    )
    await hass.services.async_call("script", "loop", blocking=True)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [p.file_name for p in simulator.prints] == ["report-1.tpf", "report-2.tpf"]
    assert len(errors) == 99
    assert {e.data["code"] for e in errors} <= {"already_releasing", "cooldown"}


async def test_tag_scanned_ten_times_a_second(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A card held on the reader: ten scans a second release the person's jobs once."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "triggers": [{"trigger": "event", "event_type": "tag_scanned"}],
                "actions": [
                    {
                        "action": "ezeep.print_all",
                        "data": {"user_id": "{{ trigger.event.data.tag_id }}"},
                    }
                ],
                "mode": "parallel",
            }
        },
    )
    for _ in range(10):
        hass.bus.async_fire("tag_scanned", {"tag_id": USER_1})
        await asyncio.sleep(0.1)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [p.file_name for p in simulator.prints] == ["report-1.tpf", "report-2.tpf"]
    assert simulator.counts["GetJobList"] >= 1


async def test_unknown_card_scanned_repeatedly(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """An unknown card scanned again and again: one registration sheet per hold-off."""
    releases = init_integration.runtime_data.releases
    for _ in range(10):
        with pytest.raises(HomeAssistantError):
            await print_all(hass, user_id=UNKNOWN_USER)
    assert simulator.registration_printouts[UNKNOWN_USER] == 1
    releases.admission.cooldown = (
        0  # the cooldown ran out: the hold-off still keeps the ID from the server
    )
    with pytest.raises(HomeAssistantError) as err:
        await print_all(hass, user_id=UNKNOWN_USER)
    assert err.value.translation_key == "unknown_user_hold_off"
    assert simulator.registration_printouts[UNKNOWN_USER] == 1


async def test_50_people_released_at_once(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """50 releases started together: every job once, in order per person, events complete."""
    people = [f"test-rush-{n:02d}" for n in range(50)]
    for user_id in people:
        simulator.add_user(user_id, make_jobs(user_id, 2, step_delay=0.01))
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=station_data(simulator.url),
        options={"rate_limit": 60},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    progress = async_capture_events(hass, EVENT_PRINT_PROGRESS)
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    responses = await asyncio.gather(
        *(print_all(hass, user_id=user_id, wait=True) for user_id in people)
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert all(
        [job["result"] for job in response["jobs"]] == ["completed", "completed"]
        for response in responses
    )
    assert len(simulator.prints) == 100
    for user_id in people:
        assert [p.file_name for p in simulator.prints if p.user_id == user_id] == [
            f"{user_id}-1.tpf",
            f"{user_id}-2.tpf",
        ]
        assert simulator.jobs_of(user_id) == []
    statuses = [e.data["status"] for e in progress]
    assert statuses.count("started") == 100
    assert statuses.count("completed") == 100
    assert statuses.count("printing") == 300
    assert not errors
