"""The job-list coordinator: polling under stalls and load."""

from __future__ import annotations

import asyncio
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ezeep.const import DOMAIN, FULL_LIST_EVERY, POLL_CONCURRENCY
from tests.conftest import (
    USER_1,
    USER_2,
    make_jobs,
    print_all,
    settle,
    state,
    station_data,
    user_subentry,
)
from tests.simulator import SimJob, Simulator


async def test_stalled_person_blocks_nobody_else(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """One person's requests stall: the others are polled and released meanwhile."""
    runtime = init_integration.runtime_data
    runtime.client._request_timeout = 0.5
    simulator.stall_user(USER_1, 2.0)
    refresh = hass.async_create_task(runtime.coordinator.async_refresh())
    response = await asyncio.wait_for(print_all(hass, user_id=USER_2, wait=True), 1.5)
    assert response["jobs"][0]["result"] == "completed"
    await refresh
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get("sensor.alice_pending_jobs").state == "unavailable"
    assert hass.states.get("sensor.bob_pending_jobs").state == "0"
    simulator.clear_faults()
    await runtime.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.alice_pending_jobs").state == "2"


async def test_200_people_polled_with_latency(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """200 people at 20 ms latency: all correct, one refresh well within 15 s, few sockets."""
    simulator.latency = 0.02
    people = [f"test-load-{n:03d}" for n in range(200)]
    for n, user_id in enumerate(people):
        simulator.add_user(user_id, make_jobs(user_id, n % 4))
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=station_data(simulator.url),
        subentries_data=[
            user_subentry(uid, f"Load {n:03d}") for n, uid in enumerate(people)
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    simulator.reset_log()
    loop = asyncio.get_running_loop()
    started = loop.time()
    await entry.runtime_data.coordinator.async_refresh()
    elapsed = loop.time() - started
    await hass.async_block_till_done()
    for n in range(200):
        assert hass.states.get(f"sensor.load_{n:03d}_pending_jobs").state == str(n % 4)
    assert elapsed < 15
    assert simulator.max_in_flight <= 2 * POLL_CONCURRENCY
    assert simulator.connections_opened <= 2 * POLL_CONCURRENCY


def _jobs_attribute(hass: HomeAssistant, entity_id: str) -> list[tuple[str, bool]]:
    current = hass.states.get(entity_id)
    assert current is not None
    return [(job["name"], job["on_hold"]) for job in current.attributes["jobs"]]


async def test_polls_read_the_whole_list_in_turns(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Nothing changes: a poll asks each person's releasable list, a tenth also the whole.

    People with a held job: 1.1 requests per person and poll, not 2; still correct.
    """
    people = [f"test-turn-{n:02d}" for n in range(20)]
    for user_id in people:
        simulator.add_user(user_id, make_jobs(user_id, 2, held=1))
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=station_data(simulator.url),
        subentries_data=[user_subentry(uid, f"Turn {uid[-2:]}") for uid in people],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    simulator.reset_log()
    for _ in range(FULL_LIST_EVERY):
        await entry.runtime_data.coordinator.async_refresh()
    requests = [r.params.get("ShowPutOnHoldJobs") for r in simulator.requests]
    # Each person's whole list once in FULL_LIST_EVERY polls.
    assert requests.count("1") == len(people)
    assert requests.count(None) == FULL_LIST_EVERY * len(people)
    await hass.async_block_till_done()
    for n in range(20):
        assert hass.states.get(f"sensor.turn_{n:02d}_pending_jobs").state == "1"
        assert _jobs_attribute(hass, f"sensor.turn_{n:02d}_pending_jobs") == [
            (f"test-turn-{n:02d} 2.pdf", False),
            (f"test-turn-{n:02d} 1.pdf", True),
        ]


async def test_pending_and_held_follow_changes_within_one_poll(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Jobs come, go, are held and released elsewhere: right after the next poll."""
    coordinator = init_integration.runtime_data.coordinator
    sensor = "sensor.alice_pending_jobs"
    jobs = simulator.users[USER_1]

    async def poll() -> list[str | None]:
        simulator.reset_log()
        await coordinator.async_refresh()
        await hass.async_block_till_done()
        return [
            r.params.get("ShowPutOnHoldJobs")
            for r in simulator.requests
            if r.user == USER_1
        ]

    with patch(
        "custom_components.ezeep.coordinator.jobs.whole_list_due", return_value=False
    ):
        assert await poll() == [None]
        simulator.add_job(USER_1, SimJob("report-3.tpf", "report 3.pdf"))
        assert await poll() == [None]  # a new releasable job: one request
        assert state(hass, sensor) == "3"
        jobs.find("report-1.tpf").on_hold = True  # held elsewhere
        assert await poll() == [None, "1"]  # a releasable job went: the whole list
        assert state(hass, sensor) == "2"
        assert ("report 1.pdf", True) in _jobs_attribute(hass, sensor)
        jobs.find("report-1.tpf").on_hold = False  # released elsewhere
        assert await poll() == [None]
        assert state(hass, sensor) == "3"
        assert ("report 1.pdf", False) in _jobs_attribute(hass, sensor)
        jobs.jobs.remove(jobs.find("report-2.tpf"))  # deleted elsewhere
        assert await poll() == [None, "1"]
        assert state(hass, sensor) == "2"
        # A held job deleted elsewhere shows until the person's whole-list turn.
        jobs.find("report-3.tpf").on_hold = True
        await poll()
        jobs.jobs.remove(jobs.find("report-3.tpf"))
        assert await poll() == [None]
        assert ("report 3.pdf", True) in _jobs_attribute(hass, sensor)
    for _ in range(FULL_LIST_EVERY):
        await poll()
    assert _jobs_attribute(hass, sensor) == [("report 1.pdf", False)]
    assert state(hass, sensor) == "1"


async def test_own_hold_shows_at_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """ezeep.hold_job reads the person's lists again (both at once): no poll needed."""
    simulator.visible = "1"
    await init_integration.runtime_data.coordinator.async_refresh()
    simulator.reset_log()
    simulator.stall("GetJobList", 0.3)
    await hass.services.async_call(
        DOMAIN,
        "hold_job",
        {"user_id": USER_1, "job": "report-1.tpf", "hold": True},
        blocking=True,
    )
    await settle(hass)
    assert state(hass, "sensor.alice_pending_jobs") == "1"
    assert ("report 1.pdf", True) in _jobs_attribute(hass, "sensor.alice_pending_jobs")
    assert simulator.counts["GetJobList"] == 2
    assert simulator.max_in_flight == 2
