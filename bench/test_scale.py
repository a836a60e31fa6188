"""The scale run of ``scripts/bench``: 1,000 people on one station, and a sign-in's round trips.

* ``test_scale``: ``bench/scale_run.py`` in a fresh process per size (100 and 1,000 people,
  and once more at 1,000 with tracemalloc for where the memory goes): boot to loaded,
  resident memory, and the requests of two regular polls.
* ``test_sign_in_round_trips``: a release panel sign-in (and ``ezeep.get_jobs``) of a person
  with a held job, at 20 ms and 100 ms of added latency: how many round trips to the
  server, counted from the simulator's request log, and how long it took.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
import statistics
import subprocess
import sys
import time
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from bench.conftest import RESULTS
from bench.harness import QUICK, ROOT, SimProcess
from custom_components.ezeep.const import DOMAIN
from tests.test_panel_websocket import PanelClient

from .test_bench import _remove_entry, _setup_entry, _user_ids

SIZES: tuple[int, ...] = (20, 100) if QUICK else (100, 1000)
SIGN_IN_LATENCIES_MS: tuple[int, ...] = (20, 100)
SIGN_IN_RUNS = 3 if QUICK else 10


def _child(people: int, out: Path, *, trace: bool) -> dict[str, Any]:
    """Run bench/scale_run.py for ``people`` in a fresh process; return its figures."""
    env = os.environ | {
        "EZEEP_SCALE_PEOPLE": str(people),
        "EZEEP_SCALE_OUT": str(out),
        "EZEEP_SCALE_TRACE": "1" if trace else "0",
        "EZEEP_BENCH_OUT": str(out.with_suffix(".bench.json")),
    }
    # -p no:logging: the test harness keeps every log record of the run in memory (the
    # INFO line of each of the 7,000 entities); Home Assistant itself keeps none.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "bench/scale_run.py",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:logging",
            "-q",
            "--timeout=600",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=sys.stderr,
    )
    figures: dict[str, Any] = json.loads(out.read_text())
    return figures


def test_scale(tmp_path: Path) -> None:
    """Boot, memory and polling of one station with 100 and 1,000 people."""
    runs = {
        str(size): _child(size, tmp_path / f"scale-{size}.json", trace=False)
        for size in SIZES
    }
    small, large = (runs[str(size)] for size in SIZES)
    per_person = (large["rss_mb"] - small["rss_mb"]) / (SIZES[1] - SIZES[0])
    traced = _child(SIZES[1], tmp_path / "scale-trace.json", trace=True)
    RESULTS["scale"] = {
        "runs": runs,
        "people": SIZES[1],
        "mb_per_person": round(per_person, 4),
        "traced_mb_per_person": round(traced["traced_mb"] / SIZES[1], 4),
        "top_files": traced["top_files"][:12],
        "top_lines": traced["top_lines"][:25],
    }


@pytest.mark.parametrize("latency_ms", SIGN_IN_LATENCIES_MS)
async def test_sign_in_round_trips(
    hass: HomeAssistant,
    sim: SimProcess,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
    latency_ms: int,
) -> None:
    """A panel sign-in and ezeep.get_jobs of a person the server knows: one round trip."""
    user_ids = _user_ids("bench-sign", 2)
    await sim.call("users", count=2, prefix="bench-sign", jobs=2, held=1)
    await sim.call("latency", value=latency_ms / 1000)
    entry = await _setup_entry(hass, sim.url, user_ids)  # the boot poll: IDs known
    panel = PanelClient(await hass_ws_client(hass, hass_read_only_access_token))
    await panel.subscribe(entry.entry_id)

    async def sign_in() -> None:
        result = await panel.sign_in(entry.entry_id, user_ids[0])
        assert [job["on_hold"] for job in result["jobs"]] == [True, False]
        await panel.call("ezeep/panel/sign_out", session=result["session"])

    async def get_jobs() -> None:
        response = await hass.services.async_call(
            DOMAIN,
            "get_jobs",
            {"user_id": user_ids[1]},
            blocking=True,
            return_response=True,
        )
        assert response is not None
        assert len(response["jobs"]) == 2

    figures = {
        "sign_in": await _round_trips(sim, sign_in, latency_ms),
        "get_jobs": await _round_trips(sim, get_jobs, latency_ms),
    }
    RESULTS.setdefault("sign_in", {})[str(latency_ms)] = figures
    await _remove_entry(hass, entry)


async def _round_trips(sim: SimProcess, action: Any, latency_ms: int) -> dict[str, Any]:
    """Run ``action`` SIGN_IN_RUNS times; its round trips to the server and its time."""
    waves: list[int] = []
    times: list[float] = []
    for _ in range(SIGN_IN_RUNS):
        await sim.call("reset")
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
        stats = await sim.call("stats", requests=True)
        arrivals = sorted(at for cmd, at in stats["requests"] if cmd == "GetJobList")
        assert arrivals, "no job list was read"
        # A request that arrives a good part of a round trip after the one before
        # waited for its answer: a new round trip.
        gaps = [b - a for a, b in itertools.pairwise(arrivals)]
        waves.append(1 + sum(1 for gap in gaps if gap >= latency_ms / 2000))
    return {
        "round_trips": max(waves),
        "requests": len(arrivals),
        "median_ms": round(statistics.median(times) * 1000, 1),
    }
