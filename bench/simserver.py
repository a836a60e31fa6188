"""The TPFM simulator in a child process, driven over stdin/stdout with JSON lines.

Running the simulator in its own process keeps its CPU time out of the Home Assistant
process's figures and lets it answer on the second core. It listens on 127.0.0.1 only.

    python -m bench.simserver

prints ``{"url": ...}`` once listening, then answers one JSON line per command line:

* ``{"op": "users", "count": N, "prefix": "p", "jobs": 2, "held": 1}``: replace every
  user with N people ``p-0000`` ... each with ``jobs`` jobs, the first ``held`` on hold;
* ``{"op": "jobs", "user": ID, "count": K, "steps": S}``: replace one person's queue;
* ``{"op": "latency", "value": SECONDS}``;
* ``{"op": "drop"}``: close the idle keep-alive connections;
* ``{"op": "reset"}``: forget requests, counters and the connection count;
* ``{"op": "stats", "requests": BOOL}``: counters, connections opened, this process's CPU
  time, and with ``requests`` every logged request as ``[cmd, at]`` (``at`` is
  ``time.monotonic()`` when the request reached the handler: CLOCK_MONOTONIC, which every
  process of the machine shares);
* ``{"op": "quit"}``.
"""

import asyncio
import json
import logging
import sys
import time
from typing import Any

from tests.simulator import Simulator, make_jobs

PASSWORD = "bench-password"  # noqa: S105 - the simulator's fake station password


def _handle(sim: Simulator, cmd: dict[str, Any]) -> dict[str, Any]:
    op = cmd["op"]
    if op == "users":
        sim.users.clear()
        prefix = cmd.get("prefix", "bench-user")
        for n in range(cmd["count"]):
            user_id = f"{prefix}-{n:04d}"
            sim.add_user(
                user_id, make_jobs(user_id, cmd.get("jobs", 2), held=cmd.get("held", 0))
            )
        return {"users": len(sim.users)}
    if op == "jobs":
        user_id = cmd["user"]
        sim.add_user(
            user_id,
            make_jobs(
                cmd.get("prefix", user_id),
                cmd.get("count", 1),
                steps=cmd.get("steps", 3),
            ),
        )
        return {"jobs": len(sim.users[user_id].jobs)}
    if op == "latency":
        sim.latency = float(cmd["value"])
        return {"latency": sim.latency}
    if op == "drop":
        # Close the idle keep-alive connections, as a server (or the client's 15 s
        # keep-alive timeout) does between two polls a minute apart.
        runner = sim._runner  # noqa: SLF001 - the benchmark's own simulator
        handlers = runner.server.connections if runner and runner.server else []
        for handler in handlers:
            handler.force_close()
        return {"closed": len(handlers)}
    if op == "reset":
        sim.reset_log()
        return {}
    if op == "stats":
        stats: dict[str, Any] = {
            "counts": dict(sim.counts),
            "connections_opened": sim.connections_opened,
            "prints": [[p.file_name, p.result, p.pages_done] for p in sim.prints],
            "cpu": time.process_time(),
        }
        if cmd.get("requests"):
            stats["requests"] = [[r.cmd, r.at] for r in sim.requests]
        return stats
    raise ValueError(f"unknown op {op!r}")


async def _serve() -> None:
    sim = Simulator(PASSWORD)
    url = await sim.start("127.0.0.1", 0)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 20)
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    out = sys.stdout
    out.write(json.dumps({"url": url}) + "\n")
    out.flush()
    try:
        while line := await reader.readline():
            cmd = json.loads(line)
            if cmd.get("op") == "quit":
                break
            try:
                answer = _handle(sim, cmd)
            except Exception as err:  # noqa: BLE001 - reported to the parent
                answer = {"error": repr(err)}
            out.write(json.dumps(answer) + "\n")
            out.flush()
    finally:
        await sim.stop()


def main() -> None:
    """Serve until stdin closes or ``quit`` arrives."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(_serve())


if __name__ == "__main__":
    main()
