"""Fewer requests, bounded connections, no needless state writes.

What the performance work relies on; the figures themselves come from ``scripts/bench``.
"""

from __future__ import annotations

import aiohttp
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ezeep.const import DOMAIN, FULL_LIST_EVERY, POLL_CONCURRENCY
from custom_components.ezeep.tpfm import TpfmClient
from tests.conftest import PASSWORD, USER_1, make_jobs, station_data, user_subentry
from tests.simulator import Simulator


async def test_job_lists_without_a_guard_are_asked_at_once(
    simulator: Simulator,
) -> None:
    """A client without an unknown-ID guard resends and pairs requests freely.

    Both lists go out at once, also for a person without jobs (the station's client
    has a guard: tests/tpfm/test_client.py has the rules for IDs it does not know).
    """
    simulator.add_user("test-user-empty")
    simulator.stall("GetJobList", 0.2)
    async with aiohttp.ClientSession() as session:
        client = TpfmClient(session, simulator.url, PASSWORD)
        empty = await client.get_jobs_with_held("test-user-empty")
        assert empty.jobs == ()
        assert simulator.max_in_flight == 2

        simulator.reset_log()
        simulator.users[USER_1].jobs[0].on_hold = True
        jobs = await client.get_jobs_with_held(USER_1)
    assert [(job.file_name, job.on_hold) for job in jobs.jobs] == [
        ("report-2.tpf", False),
        ("report-1.tpf", True),
    ]
    assert simulator.max_in_flight == 2


async def test_poll_uses_at_most_the_concurrency_limit_in_connections(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Many people with jobs: connections stay within POLL_CONCURRENCY and are reused."""
    people = [f"test-conn-{n:03d}" for n in range(3 * POLL_CONCURRENCY)]
    for user_id in people:
        simulator.add_user(user_id, make_jobs(user_id, 1))
    simulator.latency = 0.005  # requests overlap, so the limit is reached
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=station_data(simulator.url),
        subentries_data=[user_subentry(uid, f"Conn {uid[-3:]}") for uid in people],
    )
    entry.add_to_hass(hass)
    simulator.reset_log()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert simulator.counts["GetJobList"] == 2 * len(people)
    assert simulator.connections_opened <= POLL_CONCURRENCY

    simulator.reset_log()
    await entry.runtime_data.coordinator.async_refresh()
    # The releasable list of everyone, the whole list too of those whose turn it is
    # (turns are spread by sub-entry id, so a single poll may hold no turn at all).
    assert len(people) <= simulator.counts["GetJobList"] < 1.3 * len(people)
    assert simulator.connections_opened == 0  # the first poll's connections, kept alive
    for _ in range(FULL_LIST_EVERY - 1):
        await entry.runtime_data.coordinator.async_refresh()
    # Over a whole rotation every person had exactly one turn.
    assert simulator.counts["GetJobList"] == (FULL_LIST_EVERY + 1) * len(people)


async def test_a_poll_that_changed_nothing_writes_no_state(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Unchanged job lists leave the entities alone; a change is written."""
    coordinator = init_integration.runtime_data.coordinator
    entity_id = "sensor.alice_pending_jobs"
    before = hass.states.get(entity_id)
    assert before is not None

    await coordinator.async_refresh()
    await hass.async_block_till_done()
    after = hass.states.get(entity_id)
    assert after is not None
    assert after.last_reported == before.last_reported

    simulator.users[USER_1].jobs.pop()
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    changed = hass.states.get(entity_id)
    assert changed is not None
    assert changed.state == "1"


async def test_a_change_writes_only_that_persons_entities(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Alice's list changed: her entities are written, Bob's are left alone."""
    coordinator = init_integration.runtime_data.coordinator
    # A write of an unchanged state moves last_reported (on the same State object).
    before = {
        entity_id: hass.states.get(entity_id).last_reported
        for entity_id in ("sensor.bob_pending_jobs", "binary_sensor.bob_releasing")
    }
    simulator.users[USER_1].jobs.pop()
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    alice = hass.states.get("sensor.alice_pending_jobs")
    assert alice is not None
    assert alice.state == "1"
    for entity_id, reported in before.items():
        assert hass.states.get(entity_id).last_reported == reported, entity_id

    # The server unreachable, then back: everybody is told (availability).
    simulator.http_error("GetJobList", 500)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.bob_pending_jobs").state == "unavailable"
    simulator.clear_faults()
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.bob_pending_jobs").state == "1"
