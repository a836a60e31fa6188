"""Fixtures of the benchmark: real Home Assistant (the test harness), no loop debug mode.

The figures collected in :data:`RESULTS` are written to ``$EZEEP_BENCH_OUT`` (default
``bench-results.json`` at the repository root) when the session ends.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
import json
import os
from pathlib import Path
import platform
import time
from typing import Any

import pytest

from bench.harness import QUICK, ROOT, SimProcess

# The tests' own fixtures: custom integrations enabled, a configuration folder per test.
from tests.conftest import auto_enable_custom_integrations, hass_config_dir

__all__ = ["auto_enable_custom_integrations", "hass_config_dir"]

RESULTS: dict[str, Any] = {}


@pytest.fixture(autouse=True)
async def enable_event_loop_debug() -> None:
    """Replace the harness's fixture: asyncio debug mode would slow everything down.

    Home Assistant itself runs without it.
    """


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncGenerator[SimProcess]:
    """The simulator in a child process on 127.0.0.1."""
    process = SimProcess()
    await process.start()
    yield process
    await process.stop()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Note when and where the run started."""
    RESULTS["meta"] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": QUICK,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        # Other work on the machine skews every figure: say how busy it was.
        "load_before": round(os.getloadavg()[0], 2),
    }
    RESULTS["meta"]["_t0"] = time.perf_counter()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the raw figures."""
    meta = RESULTS.setdefault("meta", {})
    meta["seconds"] = round(
        time.perf_counter() - meta.pop("_t0", time.perf_counter()), 1
    )
    meta["exit_status"] = int(exitstatus)
    meta["load_after"] = round(os.getloadavg()[0], 2)
    out = Path(os.environ.get("EZEEP_BENCH_OUT", ROOT / "bench-results.json"))
    out.write_text(json.dumps(RESULTS, indent=2, sort_keys=True) + "\n")
