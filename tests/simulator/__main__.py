"""Run the TPFM simulator with demo data until Ctrl-C.

    python -m tests.simulator [--host 127.0.0.1] [--port 8780] \
        [--password sim-password] [--latency 0] [--no-demo]

Run it from the repository root. Point the integration (or curl) at the printed URL:

    curl -u demo-user-1:sim-password 'http://127.0.0.1:8780/TPFM/?Cmd=GetJobList'
"""

import argparse
import asyncio
import contextlib
import logging

from .demo import DEMO_PASSWORD, demo_simulator
from .server import Simulator


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.simulator",
        description="A local ezeep Blue pull-printing (TPFM) server with demo data.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=8780, help="port (0 = any free port)"
    )
    parser.add_argument("--password", default=DEMO_PASSWORD, help="station password")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every request"
    )
    parser.add_argument(
        "--no-demo", action="store_true", help="start without demo users and jobs"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log every request"
    )
    return parser


async def _serve(args: argparse.Namespace) -> None:
    if args.no_demo:
        sim = Simulator(args.password, latency=args.latency)
    else:
        sim = demo_simulator(args.password, latency=args.latency)
    url = await sim.start(args.host, args.port)
    try:
        print(f"TPFM simulator listening on {url}", flush=True)
        print(f"station password: {args.password}", flush=True)
        for user in sim.users.values():
            print(f"user {user.user_id}: {len(user.jobs)} job(s)", flush=True)
        if sim.printers:
            print(f"printers: {', '.join(sorted(sim.printers))}", flush=True)
        print("Ctrl-C to stop", flush=True)
        await asyncio.Event().wait()
    finally:
        await sim.stop()


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
