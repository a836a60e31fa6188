"""Releasing a person's jobs: admission, the job runner, state and events, and the manager.

* ``admission.py``: one person at a time, cooldown, station rate window;
* ``runner.py``: one PrintJob stream at a time, never resent, cancel;
* ``state.py``: what each person's entities show, and their listeners;
* ``publisher.py``: the ``ezeep_print_progress`` and ``ezeep_print_error`` events;
* ``tally.py``: what each ended job printed (pages, jobs), for the statistics sensors;
* ``manager.py``: :class:`ReleaseManager`, the orchestrator of a station's releases.
"""

from .manager import ReadinessCheck, ReleaseManager
from .state import (
    JobOutcome,
    ReleaseEvent,
    ReleaseListener,
    ReleaseState,
    ReleaseStates,
)
from .tally import Printed, PrintTally

__all__ = [
    "JobOutcome",
    "PrintTally",
    "Printed",
    "ReadinessCheck",
    "ReleaseEvent",
    "ReleaseListener",
    "ReleaseManager",
    "ReleaseState",
    "ReleaseStates",
]
