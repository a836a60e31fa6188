"""The job-list coordinator: polling under stalls and load."""

from __future__ import annotations

import asyncio

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ezeep.const import DOMAIN, POLL_CONCURRENCY
from tests.conftest import (
    USER_1,
    USER_2,
    make_jobs,
    print_all,
    station_data,
    user_subentry,
)
from tests.simulator import Simulator


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
