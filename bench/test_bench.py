"""The measurements of ``scripts/bench``: real Home Assistant, the simulator in a child process.

Every figure lands in ``bench.conftest.RESULTS``; ``bench.report`` prints the table. The
tests assert only that the work was done (every job printed, every person polled), not
how fast: the goals are judged by the report.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import subprocess
import sys
import time
from typing import Any

import aiohttp
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bench.conftest import RESULTS
from bench.harness import (
    LATENCIES_MS,
    PASSWORD,
    QUICK,
    ROOT,
    Clock,
    SimProcess,
    naive_poll,
    naive_release,
    summary,
)
from custom_components.ezeep.const import (
    CONF_PASSWORD,
    DOMAIN,
    EVENT_PRINT_ERROR,
    EVENT_PRINT_PROGRESS,
    POLL_CONCURRENCY,
)
from custom_components.ezeep.tpfm.parsing import parse_job_list
from tests.conftest import station_data, user_subentry

TAG_RUNS = 12 if QUICK else 60
TAG_WARMUP = 3
POLL_SIZES: tuple[int, ...] = (1, 50) if QUICK else (1, 50, 500)
PROGRESS_PAGES = 200 if QUICK else 1000
IMPORT_RUNS = 1 if QUICK else 3


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _user_ids(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{n:04d}" for n in range(count)]


async def _setup_entry(
    hass: HomeAssistant, url: str, user_ids: list[str]
) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="bench",
        data={**station_data(url), CONF_PASSWORD: PASSWORD},
        subentries_data=[user_subentry(uid, f"P{n}") for n, uid in enumerate(user_ids)],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def _remove_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _cold_pool(sim: SimProcess) -> None:
    """Start from no open connection, as a poll a minute after the last one does."""
    await sim.call("drop")
    await asyncio.sleep(0.05)  # let the client see the connections close


# -- 1. tag to release ---------------------------------------------------------------------


async def _tag_runs(
    hass: HomeAssistant,
    sim: SimProcess,
    user_id: str,
    fire_and_wait: Any,
    *,
    cold: bool,
    runs: int,
    entry: MockConfigEntry,
) -> dict[str, Any]:
    """Fire tag_scanned ``runs`` times; time until the simulator receives PrintJob.

    Between runs the refresh that follows a release has finished and its debounced
    second refresh is dropped, so no poll runs beside the measured path.
    """
    coordinator = entry.runtime_data.coordinator
    latencies: list[float] = []
    before_print: list[int] = []
    gc.collect()
    for run in range(runs + TAG_WARMUP):
        await sim.call("jobs", user=user_id, count=1, steps=2)
        await hass.async_block_till_done(wait_background_tasks=True)
        coordinator._debounced_refresh.async_cancel()  # noqa: SLF001
        if cold:
            await _cold_pool(sim)
        await sim.call("reset")
        started = time.monotonic()
        await fire_and_wait(started)
        await hass.async_block_till_done(wait_background_tasks=True)
        stats = await sim.call("stats", requests=True)
        prints = [at for cmd, at in stats["requests"] if cmd == "PrintJob"]
        assert prints, "no PrintJob reached the simulator"
        assert [p[1] for p in stats["prints"]] == [0], stats["prints"]
        first = min(prints)
        if run >= TAG_WARMUP:
            latencies.append(first - started)
            before_print.append(sum(1 for _, at in stats["requests"] if at < first))
    return {
        **{k: _ms(v) if k != "n" else v for k, v in summary(latencies).items()},
        "round_trips_before_print": max(before_print),
        "connections": "cold" if cold else "warm",
    }


@pytest.mark.parametrize("latency_ms", LATENCIES_MS)
async def test_tag_to_release(
    hass: HomeAssistant, sim: SimProcess, latency_ms: int
) -> None:
    """tag_scanned -> automation -> ezeep.print_all -> first PrintJob at the server."""
    user_id = "bench-tag-0000"
    await sim.call("users", count=1, prefix="bench-tag", jobs=0)
    await sim.call("latency", value=latency_ms / 1000)
    entry = await _setup_entry(hass, sim.url, [user_id])
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": "release on tag",
                "triggers": [{"trigger": "event", "event_type": "tag_scanned"}],
                "actions": [
                    {
                        "action": "ezeep.print_all",
                        "data": {"user_id": "{{ trigger.event.data.tag_id }}"},
                    }
                ],
            }
        },
    )
    await hass.async_block_till_done()
    runtime = entry.runtime_data
    # Measure the path, not the safety limits: no cooldown, no rate limit between runs.
    runtime.releases.admission.cooldown = 0
    runtime.releases.admission.rate_limit = 10**9
    finished = asyncio.Event()

    @callback
    def on_progress(event: Event[dict[str, Any]]) -> None:
        if event.event_type == EVENT_PRINT_ERROR or event.data["status"] in (
            "completed",
            "canceled",
        ):
            finished.set()

    unsub = [
        hass.bus.async_listen(EVENT_PRINT_PROGRESS, on_progress),
        hass.bus.async_listen(EVENT_PRINT_ERROR, on_progress),
    ]

    async def ours(_started: float) -> None:
        finished.clear()
        hass.bus.async_fire("tag_scanned", {"tag_id": user_id, "device_id": "bench"})
        async with asyncio.timeout(30):
            await finished.wait()

    baseline_jobs: list[asyncio.Future[Any]] = []

    @callback
    def naive_on_tag(event: Event[dict[str, Any]]) -> None:
        baseline_jobs.append(
            hass.async_add_executor_job(naive_release, sim.url, event.data["tag_id"])
        )

    async def baseline(_started: float) -> None:
        baseline_jobs.clear()
        hass.bus.async_fire("tag_scanned", {"tag_id": user_id, "device_id": "bench"})
        await hass.async_block_till_done()
        async with asyncio.timeout(30):
            await asyncio.gather(*baseline_jobs)

    result: dict[str, Any] = {
        "ours_warm": await _tag_runs(
            hass, sim, user_id, ours, cold=False, runs=TAG_RUNS, entry=entry
        ),
        "ours_cold": await _tag_runs(
            hass, sim, user_id, ours, cold=True, runs=TAG_RUNS, entry=entry
        ),
    }
    for remove in unsub:
        remove()
    # The baseline: a tag_scanned listener running blocking requests in the executor.
    await hass.services.async_call(
        "automation", "turn_off", {"entity_id": "all"}, blocking=True
    )
    unsub_naive = hass.bus.async_listen("tag_scanned", naive_on_tag)
    result["baseline"] = await _tag_runs(
        hass, sim, user_id, baseline, cold=True, runs=TAG_RUNS, entry=entry
    )
    unsub_naive()
    # The floor: a bare aiohttp client doing only the unavoidable requests (GetJobList,
    # then PrintJob) with nothing in between, started the same way, cold and warm.
    auth = {"Authorization": aiohttp.encode_basic_auth(user_id, PASSWORD)}
    async with aiohttp.ClientSession() as session:

        async def bare(_started: float) -> None:
            url = f"{sim.url}TPFM/"
            async with session.get(
                url, params={"Cmd": "GetJobList"}, headers=auth
            ) as r:
                job = parse_job_list(await r.text()).jobs[0].file_name
            params = {"Cmd": "PrintJob", "Job": job}
            async with session.get(url, params=params, headers=auth) as r:
                await r.read()

        for key, cold in (("bare_warm", False), ("bare_cold", True)):
            result[key] = await _tag_runs(
                hass, sim, user_id, bare, cold=cold, runs=TAG_RUNS, entry=entry
            )
    for mode in ("warm", "cold"):
        result[f"ours_{mode}"]["own_ms"] = round(
            result[f"ours_{mode}"]["median"] - result[f"bare_{mode}"]["median"], 3
        )
    RESULTS.setdefault("tag", {})[str(latency_ms)] = result
    await _remove_entry(hass, entry)


# -- 2. polling -----------------------------------------------------------------------------


@pytest.mark.parametrize("latency_ms", LATENCIES_MS)
async def test_polling(hass: HomeAssistant, sim: SimProcess, latency_ms: int) -> None:
    """One coordinator refresh of 1, 50 and 500 people, and the naive loop over them."""
    await sim.call("latency", value=latency_ms / 1000)
    results: dict[str, Any] = {}
    for size in POLL_SIZES:
        prefix = f"bench-poll{size}"
        user_ids = _user_ids(prefix, size)
        # Two jobs each, one of them on hold: both job lists are needed for everyone.
        await sim.call("users", count=size, prefix=prefix, jobs=2, held=1)
        entry = await _setup_entry(hass, sim.url, user_ids)
        coordinator = entry.runtime_data.coordinator
        runs: list[dict[str, float]] = []
        for _ in range(3 if size >= 500 else 5):
            await _cold_pool(sim)
            await sim.call("reset")
            server_cpu = (await sim.call("stats"))["cpu"]
            clock = Clock().start()
            await coordinator.async_refresh()
            wall, cpu = clock.stop()
            await hass.async_block_till_done()
            assert coordinator.last_update_success
            assert len(coordinator.data) == size
            assert all(jobs.pending == 1 for jobs in coordinator.data.values())
            stats = await sim.call("stats")
            runs.append(
                {
                    "wall_ms": _ms(wall),
                    "cpu_ms": _ms(cpu),
                    "requests": sum(stats["counts"].values()),
                    "connections": stats["connections_opened"],
                    "server_cpu_ms": _ms(stats["cpu"] - server_cpu),
                }
            )
        await _remove_entry(hass, entry)
        ours = {key: statistics.median(run[key] for run in runs) for key in runs[0]} | {
            "connections_max": max(run["connections"] for run in runs)
        }
        ours["users_per_s"] = round(size / (ours["wall_ms"] / 1000), 1)

        naive_runs: list[dict[str, float]] = []
        for _ in range(1 if size >= 500 else 3):
            await sim.call("reset")
            server_cpu = (await sim.call("stats"))["cpu"]
            answer = await hass.async_add_executor_job(naive_poll, sim.url, user_ids)
            assert set(answer["pending"].values()) == {1}
            stats = await sim.call("stats")
            naive_runs.append(
                {
                    "wall_ms": _ms(answer["wall"]),
                    "cpu_ms": _ms(answer["cpu"]),
                    "requests": sum(stats["counts"].values()),
                    "connections": stats["connections_opened"],
                    "server_cpu_ms": _ms(stats["cpu"] - server_cpu),
                }
            )
        naive = {
            key: statistics.median(run[key] for run in naive_runs)
            for key in naive_runs[0]
        }
        naive["users_per_s"] = round(size / (naive["wall_ms"] / 1000), 1)
        results[str(size)] = {"ours": ours, "baseline": naive, "runs": runs}
    RESULTS.setdefault("poll", {})[str(latency_ms)] = results
    RESULTS["poll_concurrency"] = POLL_CONCURRENCY


# -- 3. progress ----------------------------------------------------------------------------


@pytest.mark.parametrize("latency_ms", LATENCIES_MS)
async def test_progress(hass: HomeAssistant, sim: SimProcess, latency_ms: int) -> None:
    """A job of many pages with no delay: progress events reaching the bus."""
    user_id = "bench-prog-0000"
    await sim.call("users", count=1, prefix="bench-prog", jobs=0)
    await sim.call("latency", value=latency_ms / 1000)
    entry = await _setup_entry(hass, sim.url, [user_id])
    entry.runtime_data.releases.admission.cooldown = 0
    stamps: list[float] = []

    @callback
    def on_progress(event: Event[dict[str, Any]]) -> None:
        if event.data["status"] == "printing":
            stamps.append(time.perf_counter())

    unsub = hass.bus.async_listen(EVENT_PRINT_PROGRESS, on_progress)

    await sim.call("jobs", user=user_id, count=1, steps=PROGRESS_PAGES)
    await hass.async_block_till_done(wait_background_tasks=True)
    clock = Clock().start()
    response = await hass.services.async_call(
        DOMAIN,
        "print_all",
        {"user_id": user_id, "wait": True},
        blocking=True,
        return_response=True,
    )
    wall, cpu = clock.stop()
    assert response is not None
    assert response["jobs"][0]["result"] == "completed"
    ours = _progress_figures(stamps, wall, cpu)

    # The baseline: the blocking requests stream, each line fired onto the bus.
    await hass.async_block_till_done(wait_background_tasks=True)
    await sim.call("jobs", user=user_id, count=1, steps=PROGRESS_PAGES)
    stamps.clear()

    def fire(event: Any) -> None:
        hass.bus.fire(
            EVENT_PRINT_PROGRESS,
            {"user_id": user_id, "status": "printing", "done": event.done},
        )

    clock.start()
    printed = await hass.async_add_executor_job(naive_release, sim.url, user_id, fire)
    await hass.async_block_till_done()
    wall, cpu = clock.stop()
    assert printed[0][1] == PROGRESS_PAGES
    naive = _progress_figures(stamps, wall, cpu)
    unsub()
    RESULTS.setdefault("progress", {})[str(latency_ms)] = {
        "pages": PROGRESS_PAGES,
        "ours": ours,
        "baseline": naive,
    }
    await _remove_entry(hass, entry)


def _progress_figures(stamps: list[float], wall: float, cpu: float) -> dict[str, Any]:
    assert len(stamps) == PROGRESS_PAGES, len(stamps)
    span = stamps[-1] - stamps[0]
    return {
        "events": len(stamps),
        "events_per_s": round((len(stamps) - 1) / span) if span > 0 else None,
        "cpu_us_per_event": round(cpu / len(stamps) * 1e6, 1),
        "wall_ms": _ms(wall),
        "cpu_ms": _ms(cpu),
    }


# -- 4. start-up ----------------------------------------------------------------------------

_OURS = (
    "custom_components.ezeep, custom_components.ezeep.sensor, "
    "custom_components.ezeep.binary_sensor, custom_components.ezeep.button"
)
#: What a running Home Assistant has imported before it loads the integration.
_HA_LOADED = (
    "aiohttp, probatio, homeassistant.core, homeassistant.config_entries, "
    "homeassistant.helpers.config_validation, homeassistant.helpers.aiohttp_client, "
    "homeassistant.helpers.dispatcher, homeassistant.helpers.update_coordinator, "
    "homeassistant.helpers.issue_registry, homeassistant.helpers.device_registry, "
    "homeassistant.helpers.entity_platform, homeassistant.components.sensor, "
    "homeassistant.components.binary_sensor, homeassistant.components.button"
)


def _import_seconds(preload: str, target: str) -> float:
    code = (
        "import time\n"
        + (f"import {preload}\n" if preload else "")
        + "t = time.perf_counter()\n"
        + f"import {target}\n"
        + "print(time.perf_counter() - t)\n"
    )
    out = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(out.strip().splitlines()[-1])


def test_import_time() -> None:
    """Import time of the integration in a fresh interpreter (median of runs)."""

    def median_ms(preload: str, target: str) -> float:
        return _ms(
            statistics.median(
                _import_seconds(preload, target) for _ in range(IMPORT_RUNS)
            )
        )

    RESULTS.setdefault("startup", {})["import"] = {
        "ours_cold_ms": median_ms("", _OURS),
        "ours_ha_loaded_ms": median_ms(_HA_LOADED, _OURS),
        "baseline_requests_ms": median_ms("", "requests"),
        "runs": IMPORT_RUNS,
    }


@pytest.mark.parametrize("latency_ms", LATENCIES_MS)
async def test_setup_time(
    hass: HomeAssistant, sim: SimProcess, latency_ms: int
) -> None:
    """Setting up an entry with 50 people (GetVersion, first refresh, 300 entities)."""
    size = 50
    prefix = "bench-setup"
    user_ids = _user_ids(prefix, size)
    await sim.call("users", count=size, prefix=prefix, jobs=2, held=1)
    await sim.call("latency", value=latency_ms / 1000)
    # Load the platforms once, so the figure is the entry's set-up, not Python's imports.
    warm = await _setup_entry(hass, sim.url, user_ids[:1])
    await _remove_entry(hass, warm)
    await sim.call("reset")
    clock = Clock().start()
    entry = await _setup_entry(hass, sim.url, user_ids)
    wall, cpu = clock.stop()
    stats = await sim.call("stats")
    assert len(hass.states.async_entity_ids()) >= 6 * size
    await sim.call("reset")
    answer = await hass.async_add_executor_job(naive_poll, sim.url, user_ids)
    RESULTS.setdefault("startup", {}).setdefault("setup", {})[str(latency_ms)] = {
        "users": size,
        "wall_ms": _ms(wall),
        "cpu_ms": _ms(cpu),
        "requests": sum(stats["counts"].values()),
        "connections": stats["connections_opened"],
        "baseline_first_poll_ms": _ms(answer["wall"]),
    }
    await _remove_entry(hass, entry)
