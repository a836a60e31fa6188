"""Print statistics: pages and jobs printed per person and per station, restored.

Releases against the simulator: what the server reported printed counts (copies
included), failures and cancels midway only their reported pages, a restart or reload
keeps the totals.
"""

from __future__ import annotations

import asyncio

from homeassistant.components.sensor import ATTR_STATE_CLASS, SensorStateClass
from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)

from custom_components.ezeep import async_remove_config_entry_device
from custom_components.ezeep.const import DOMAIN
from custom_components.ezeep.release.tally import Printed, printed
from custom_components.ezeep.statistics import station_device_identifier
from custom_components.ezeep.tpfm import ProgressUnit
from tests.conftest import USER_1, USER_2, print_all, settle, state
from tests.simulator import Simulator, make_jobs

ALICE_PAGES, ALICE_JOBS = "sensor.alice_pages_printed", "sensor.alice_jobs_printed"
BOB_PAGES, BOB_JOBS = "sensor.bob_pages_printed", "sensor.bob_jobs_printed"
STATION_PAGES = "sensor.release_station_pages_printed"
STATION_JOBS = "sensor.release_station_jobs_printed"
CARD = "test-card-0042"


def counts(hass: HomeAssistant) -> dict[str, int]:
    """Every counter's state."""
    return {
        entity_id: int(state(hass, entity_id))
        for entity_id in (
            ALICE_PAGES,
            ALICE_JOBS,
            BOB_PAGES,
            BOB_JOBS,
            STATION_PAGES,
            STATION_JOBS,
        )
    }


def totals(
    alice: tuple[int, int], bob: tuple[int, int], station: tuple[int, int]
) -> dict[str, int]:
    """The counters' expected states: (pages, jobs) of Alice, Bob and the station."""
    return {
        ALICE_PAGES: alice[0],
        ALICE_JOBS: alice[1],
        BOB_PAGES: bob[0],
        BOB_JOBS: bob[1],
        STATION_PAGES: station[0],
        STATION_JOBS: station[1],
    }


async def test_a_release_with_copies(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Two jobs of 3 pages, 2 copies: 12 pages and 2 jobs, the person's and the station's."""
    assert counts(hass) == totals((0, 0), (0, 0), (0, 0))
    pages = hass.states.get(ALICE_PAGES)
    assert pages is not None
    assert pages.attributes[ATTR_STATE_CLASS] == SensorStateClass.TOTAL_INCREASING
    assert pages.attributes[ATTR_UNIT_OF_MEASUREMENT] == "pages"
    await print_all(hass, user_id=USER_1, copies=2, wait=True)
    await settle(hass)
    assert [(p.result, p.pages_done, p.copies) for p in simulator.prints] == [
        (0, 3, 2),
        (0, 3, 2),
    ]
    assert counts(hass) == totals((12, 2), (0, 0), (12, 2))
    await print_all(hass, user_id=USER_2, wait=True)
    await settle(hass)
    assert counts(hass) == totals((12, 2), (3, 1), (15, 3))


async def test_failures_midway_count_their_pages(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A job failing after 2 of 3 pages adds 2 pages and no job; a cut stream likewise."""
    first = simulator.users[USER_1].jobs[0]
    first.fail_code, first.fail_after = 1, 2  # an OS error: that job alone
    await print_all(hass, user_id=USER_1, wait=True)
    await settle(hass)
    assert [(p.result, p.pages_done) for p in simulator.prints] == [(1, 2), (0, 3)]
    assert counts(hass) == totals((5, 1), (0, 0), (5, 1))

    simulator.cut_stream(1)
    await print_all(hass, user_id=USER_2, wait=True)
    await settle(hass)
    assert simulator.prints[-1].result is None  # cut: failed, never resent
    assert counts(hass) == totals((5, 1), (1, 0), (6, 1))


async def test_a_cancel_midway_counts_its_pages(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A canceled job adds the pages the server reported before it stopped."""
    job = simulator.users[USER_2].jobs[0]
    job.steps, job.step_delay = 50, 0.02
    await print_all(hass, user_id=USER_2)
    running = await asyncio.wait_for(simulator.wait_running(), 5)
    async with asyncio.timeout(5):
        while running.pages_done < 2:  # noqa: ASYNC110 - the simulator's own counter
            await asyncio.sleep(0.01)
    await hass.services.async_call(DOMAIN, "cancel", {"user_id": USER_2}, blocking=True)
    await settle(hass)
    record = simulator.prints[0]
    assert record.result == 10
    assert 2 <= record.pages_done < 50
    assert counts(hass) == totals(
        (0, 0), (record.pages_done, 0), (record.pages_done, 0)
    )


async def test_percent_progress_and_unconfigured_cards(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Percent progress tells no pages (a job only); a card without a person: station."""
    simulator.add_user(CARD, make_jobs("card", 1, progress_type="Percentage"))
    await print_all(hass, user_id=CARD, wait=True)
    await settle(hass)
    assert counts(hass) == totals((0, 0), (0, 0), (0, 1))


async def test_totals_survive_a_restart_and_a_reload(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Restored at start (restart), kept across a reload, counted on from there."""
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(entity_id, str(value)),
                {"native_value": value, "native_unit_of_measurement": None},
            )
            for entity_id, value in (
                (ALICE_PAGES, 100),
                (ALICE_JOBS, 7),
                (STATION_PAGES, 250),
                (STATION_JOBS, 20),
            )
        ],
    )
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert counts(hass) == totals((100, 7), (0, 0), (250, 20))
    await print_all(hass, user_id=USER_1, wait=True)
    await settle(hass)
    assert counts(hass) == totals((106, 9), (0, 0), (256, 22))
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert counts(hass) == totals((106, 9), (0, 0), (256, 22))


async def test_the_station_device(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The station's counters are on its own device, which cannot be deleted."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        station_device_identifier(init_integration.entry_id), init_integration.entry_id
    )
    assert device is not None
    assert device.name == "Release station"
    assert device.config_subentry_id is None
    assert not await async_remove_config_entry_device(hass, init_integration, device)


def test_what_a_job_adds() -> None:
    """Pages times copies when the unit is pages; a job only when completed."""
    pages = ProgressUnit.PAGES
    assert printed("completed", 3, pages, 2) == Printed(pages=6, jobs=1)
    assert printed("failed", 2, pages, 1) == Printed(pages=2, jobs=0)
    assert printed("canceled", 0, pages, 3) == Printed(pages=0, jobs=0)
    assert printed("completed", 100, ProgressUnit.PERCENT, 1) == Printed(0, 1)
    assert printed("failed", None, None, 1) == Printed(0, 0)
