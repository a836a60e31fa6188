"""One station with many people in real Home Assistant: run in a child process per size.

``bench/test_scale.py`` starts ``pytest bench/scale_run.py`` once per size, so that each
size's memory is that of a fresh process. Environment:

* ``EZEEP_SCALE_PEOPLE``: how many people (sub-entries) the station has;
* ``EZEEP_SCALE_OUT``: where the figures go (JSON);
* ``EZEEP_SCALE_TRACE=1``: also trace the set-up's allocations (tracemalloc: slower, so
  its boot time is not the one reported) and keep the top lines and files.

Every person has two jobs, one of them on hold, so both job lists matter for everyone.
"""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path
import resource
import time
import tracemalloc
from typing import Any

from homeassistant.core import HomeAssistant

from bench.harness import SimProcess
from custom_components.ezeep.const import CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL

from .test_bench import _remove_entry, _setup_entry, _user_ids

PEOPLE = int(os.environ.get("EZEEP_SCALE_PEOPLE", "100"))
OUT = Path(os.environ.get("EZEEP_SCALE_OUT", "scale-run.json"))
TRACE = os.environ.get("EZEEP_SCALE_TRACE") == "1"
LATENCY = float(os.environ.get("EZEEP_SCALE_LATENCY_MS", "20")) / 1000
PAGE = resource.getpagesize()


def _rss_mb() -> float:
    """The process's resident memory now (not its peak), in MB."""
    gc.collect()
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE / 1e6


def _top(snapshot: tracemalloc.Snapshot, base: tracemalloc.Snapshot, key: str) -> list:
    """The largest growths since ``base``, grouped by ``key`` (lineno or filename)."""
    root = str(Path(__file__).resolve().parent.parent) + "/"
    site = "site-packages/"
    out = []
    for stat in snapshot.compare_to(base, key)[:40]:
        frame = stat.traceback[0]
        name = frame.filename.replace(root, "")
        name = name[name.find(site) + len(site) :] if site in name else name
        where = f"{name}:{frame.lineno}" if key == "lineno" else name
        out.append({"where": where, "kb": round(stat.size_diff / 1024, 1)})
    return out


async def test_scale(hass: HomeAssistant, sim: SimProcess) -> None:
    """Boot a station of PEOPLE people, then two polls; write the figures."""
    prefix = "bench-scale"
    user_ids = _user_ids(prefix, PEOPLE)
    await sim.call("users", count=PEOPLE, prefix=prefix, jobs=2, held=1)
    await sim.call("latency", value=LATENCY)
    # Load the platforms once: the figures are the station's, not Python's imports.
    warm = await _setup_entry(hass, sim.url, user_ids[:1])
    await _remove_entry(hass, warm)
    await sim.call("reset")
    rss_before = _rss_mb()
    if TRACE:
        tracemalloc.start()
        base = tracemalloc.take_snapshot()
    started = time.perf_counter()
    entry = await _setup_entry(hass, sim.url, user_ids)
    boot = time.perf_counter() - started
    assert len(hass.states.async_entity_ids()) >= 6 * PEOPLE
    figures: dict[str, Any] = {
        "people": PEOPLE,
        "latency_ms": LATENCY * 1000,
        "boot_s": round(boot, 3),
        "rss_before_mb": round(rss_before, 1),
        "rss_mb": round(_rss_mb(), 1),
        # ru_maxrss: the peak of the whole process, in KiB on Linux.
        "rss_peak_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6, 1
        ),
        "boot_requests": sum((await sim.call("stats"))["counts"].values()),
    }
    if TRACE:
        gc.collect()
        snapshot = tracemalloc.take_snapshot()
        tracemalloc.stop()
        traced = sum(stat.size_diff for stat in snapshot.compare_to(base, "filename"))
        figures["traced_mb"] = round(traced / 1e6, 2)
        figures["top_lines"] = _top(snapshot, base, "lineno")
        figures["top_files"] = _top(snapshot, base, "filename")
    figures |= await _two_polls(hass, sim, entry)
    figures |= await _one_person_changed(hass, sim, entry, user_ids[0])
    text = json.dumps(figures, indent=2) + "\n"
    await hass.async_add_executor_job(OUT.write_text, text)
    await _remove_entry(hass, entry)


async def _two_polls(
    hass: HomeAssistant, sim: SimProcess, entry: Any
) -> dict[str, Any]:
    """Two regular polls after the boot: requests per person and minute at the interval."""
    coordinator = entry.runtime_data.coordinator
    interval = entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
    await sim.call("reset")
    started = time.perf_counter()
    for _ in range(2):
        await coordinator.async_refresh()
        assert coordinator.last_update_success
    wall = time.perf_counter() - started
    await hass.async_block_till_done()
    assert all(jobs.pending == 1 for jobs in coordinator.data.values())
    assert len(coordinator.data) == PEOPLE
    requests = sum((await sim.call("stats"))["counts"].values())
    per_poll = requests / 2 / PEOPLE
    return {
        "poll_requests": requests,
        "poll_wall_s": round(wall / 2, 3),
        "interval_s": interval,
        "requests_per_person_minute": round(per_poll * 60 / interval, 3),
    }


async def _one_person_changed(
    hass: HomeAssistant, sim: SimProcess, entry: Any, user_id: str
) -> dict[str, Any]:
    """One person's list changed (a job came): the refresh and the entity writes it costs."""
    await sim.call("jobs", user=user_id, count=3)
    writes = 0

    def count(_event: Any) -> None:
        nonlocal writes
        writes += 1

    unsub = hass.bus.async_listen("state_changed", count)
    cpu = time.process_time()
    await entry.runtime_data.coordinator.async_refresh_user(user_id)
    await hass.async_block_till_done()
    cpu = time.process_time() - cpu
    unsub()
    return {"one_change_cpu_ms": round(cpu * 1000, 1), "one_change_writes": writes}
