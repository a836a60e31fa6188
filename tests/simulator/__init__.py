"""A faithful ezeep Blue pull-printing (TPFM) server for tests and development.

Start it in a test with ``async with Simulator() as sim:`` (it listens on a free
127.0.0.1 port, ``sim.url`` is the base URL), or from a shell with
``python -m tests.simulator`` (demo data, see ``tests/simulator/demo.py``).
"""

from .server import (
    ALL_COMMANDS,
    BROKEN_BASE64,
    DEFAULT_PASSWORD,
    ERROR_TEXTS,
    FIRST_PROC_ID,
    GUEST_COMMANDS,
    SERVER_HEADER,
    UNAUTHORIZED_BODY,
    LoggedRequest,
    PrintRecord,
    RunningPrint,
    SimJob,
    Simulator,
    SimUser,
    make_jobs,
)

__all__ = [
    "ALL_COMMANDS",
    "BROKEN_BASE64",
    "DEFAULT_PASSWORD",
    "ERROR_TEXTS",
    "FIRST_PROC_ID",
    "GUEST_COMMANDS",
    "SERVER_HEADER",
    "UNAUTHORIZED_BODY",
    "LoggedRequest",
    "PrintRecord",
    "RunningPrint",
    "SimJob",
    "SimUser",
    "Simulator",
    "make_jobs",
]
