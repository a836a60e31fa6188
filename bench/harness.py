"""Helpers of the benchmark: the simulator child process, the naive baseline, statistics."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import gc
import json
import os
from pathlib import Path
import statistics
import sys
import time
from typing import Any

import requests

from bench.simserver import PASSWORD
from custom_components.ezeep.tpfm.parsing import parse_job_list, parse_progress_token

ROOT = Path(__file__).resolve().parent.parent
LATENCIES_MS: tuple[int, ...] = (0, 20)
QUICK = os.environ.get("EZEEP_BENCH_QUICK") == "1"
HEADERS = {"X-Lang-ID": "en", "X-FMP-User-Agent": "naive-baseline/1.0"}


class SimProcess:
    """The TPFM simulator in a child process (``bench.simserver``), driven over pipes."""

    def __init__(self) -> None:
        """Create a handle; ``start`` launches the process."""
        self._proc: asyncio.subprocess.Process | None = None
        self.url = ""

    async def start(self) -> str:
        """Launch the child and return the simulator's base URL."""
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.simserver",
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=64 << 20,
        )
        self.url = (await self._read())["url"]
        return self.url

    async def _read(self) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdout is not None
        async with asyncio.timeout(30):
            line = await self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the simulator process ended")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"simulator: {answer['error']}")
        return answer

    async def call(self, op: str, **args: Any) -> dict[str, Any]:
        """Send one command and return its answer."""
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.write(json.dumps({"op": op, **args}).encode() + b"\n")
        await self._proc.stdin.drain()
        return await self._read()

    async def stop(self) -> None:
        """Ask the child to quit and wait for it."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        assert proc.stdin is not None
        try:
            proc.stdin.write(b'{"op": "quit"}\n')
            await proc.stdin.drain()
            proc.stdin.close()
            async with asyncio.timeout(10):
                await proc.wait()
        except TimeoutError, ConnectionError:
            proc.kill()
            await proc.wait()


# -- statistics -----------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Return the pct-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def summary(values: list[float]) -> dict[str, float]:
    """Median, p95, min and max of values, and how many there were."""
    return {
        "median": statistics.median(values),
        "p95": percentile(values, 95),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


@dataclass
class Clock:
    """Wall (perf_counter) and CPU (process_time) of this process since ``start``."""

    wall: float = 0.0
    cpu: float = 0.0

    def start(self) -> Clock:
        """Collect garbage (not to time the last test's), start (again), return self."""
        gc.collect()
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def stop(self) -> tuple[float, float]:
        """Return the wall and CPU seconds since ``start``."""
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


# -- the naive baseline ------------------------------------------------------------------
# The way the common examples talk to a printer's web API (the requests pattern of the
# notes in ../shared/spec/printer-web-apis-notes.txt): a blocking requests.get() per call,
# which opens a new connection every time, one person after another.


def naive_get(
    url: str, user_id: str, params: dict[str, str], *, stream: bool = False
) -> requests.Response:
    """One blocking TPFM request on a new connection; raises on a TPFM error."""
    response = requests.get(
        f"{url}TPFM/",
        params=params,
        auth=(user_id, PASSWORD),
        headers=HEADERS,
        timeout=10,
        stream=stream,
    )
    if response.status_code != 200 or response.headers.get("X-FMP-Return") != "0":
        raise RuntimeError(f"{params.get('Cmd')}: {response.status_code}")
    return response


def naive_poll(url: str, user_ids: list[str]) -> dict[str, Any]:
    """Poll people one after another, both job lists each (as the integration must).

    Returns wall seconds, this thread's CPU seconds and the pending counts.
    """
    started, cpu = time.perf_counter(), time.thread_time()
    pending: dict[str, int] = {}
    for user_id in user_ids:
        releasable = parse_job_list(naive_get(url, user_id, {"Cmd": "GetJobList"}).text)
        everything = parse_job_list(
            naive_get(
                url, user_id, {"Cmd": "GetJobList", "ShowPutOnHoldJobs": "1"}
            ).text
        )
        assert len(everything.jobs) >= len(releasable.jobs)
        pending[user_id] = len(releasable.jobs)
    return {
        "wall": time.perf_counter() - started,
        "cpu": time.thread_time() - cpu,
        "pending": pending,
    }


def naive_release(
    url: str, user_id: str, on_progress: Any = None
) -> list[tuple[str, int]]:
    """On a tag: GET the job list, then GET PrintJob for each job, oldest first.

    ``on_progress(token)`` is called for every progress line (from this thread).
    Returns ``(job, progress lines)`` per job.
    """
    jobs = sorted(
        parse_job_list(naive_get(url, user_id, {"Cmd": "GetJobList"}).text).jobs,
        key=lambda job: job.created,
    )
    printed: list[tuple[str, int]] = []
    for job in jobs:
        response = naive_get(
            url,
            user_id,
            {"Cmd": "PrintJob", "Job": job.file_name, "Delete": "1", "Progress": "1"},
            stream=True,
        )
        lines = 0
        with response:
            for raw in response.iter_lines():
                text = raw.decode("utf-8", "replace").strip()
                if not text or text.upper().startswith("X-FMP-"):
                    continue
                event = parse_progress_token(text, None)
                if event is not None:
                    lines += 1
                    if on_progress is not None:
                        on_progress(event)
        printed.append((job.file_name, lines))
    return printed
