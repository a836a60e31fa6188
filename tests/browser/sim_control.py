"""The TPFM simulator in a process of its own, with a JSON control port, for the browser tests.

    python -m tests.browser.sim_control

prints one JSON line ``{"url": ..., "control": ...}`` and serves until terminated. The real
Home Assistant that the browser tests start talks to ``url``; the tests set people, jobs and
``X-FMP-Visible`` and read the request log over ``control`` (all on 127.0.0.1). A process of
its own, because the test process blocks sockets between tests (pytest-socket) and would then
refuse Home Assistant's connections.
"""

import asyncio
from dataclasses import asdict
import json
import signal
from typing import Any

from aiohttp import web

from tests.simulator import SimJob, Simulator

PASSWORD = "sim-password"


def _app(sim: Simulator) -> web.Application:
    async def set_user(request: web.Request) -> web.Response:
        body: dict[str, Any] = await request.json()
        sim.add_user(body["user_id"], [SimJob(**job) for job in body.get("jobs", [])])
        return web.json_response({})

    async def remove_user(request: web.Request) -> web.Response:
        sim.users.pop((await request.json())["user_id"], None)
        return web.json_response({})

    async def set_visible(request: web.Request) -> web.Response:
        sim.visible = (await request.json())["visible"]
        return web.json_response({})

    async def set_stall(request: web.Request) -> web.Response:
        body = await request.json()
        sim.stall(body["cmd"], body["seconds"])
        return web.json_response({})

    async def reset_log(request: web.Request) -> web.Response:
        sim.reset_log()
        return web.json_response({})

    async def log(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "requests": [asdict(req) for req in sim.requests],
                "prints": [asdict(rec) for rec in sim.prints],
                "registration_printouts": dict(sim.registration_printouts),
                "jobs": {
                    user_id: [asdict(job) | {"printers": None} for job in user.jobs]
                    for user_id, user in sim.users.items()
                },
            }
        )

    app = web.Application()
    app.router.add_post("/user", set_user)
    app.router.add_post("/remove_user", remove_user)
    app.router.add_post("/visible", set_visible)
    app.router.add_post("/stall", set_stall)
    app.router.add_post("/reset_log", reset_log)
    app.router.add_get("/log", log)
    return app


async def _main() -> None:
    sim = Simulator(PASSWORD, visible="1")
    await sim.start()
    runner = web.AppRunner(_app(sim), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    print(
        json.dumps({"url": sim.url, "control": f"http://127.0.0.1:{port}/"}), flush=True
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()
    await sim.stop()


if __name__ == "__main__":
    asyncio.run(_main())
