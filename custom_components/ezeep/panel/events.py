"""A person's release events as the release panel's card gets them.

The panel learns every release of the signed-in person (started at the panel, by a button,
by an automation) from the station's release states (``release/state.py`` listeners), not
from bus events matched on the ID: a job's start, its pages, its end, and the release's
start and end. What goes to the browser never holds the ID, the station or the ProcId.
"""

from __future__ import annotations

from typing import Any

from ..const import RESULT_DELETED, RESULT_FAILED
from ..release import ReleaseEvent


def panel_event(event: ReleaseEvent) -> dict[str, Any] | None:
    """The card's ``progress`` or ``error`` event of a job; None for what it is not told.

    Not told: a deletion (the command answered it) and a failure without a job (a refused
    release or an unread list: the command, button or service that started it answered).
    """
    data = event.data
    if data.get("job") is None or event.event_type == RESULT_DELETED:
        return None
    if event.event_type != RESULT_FAILED:
        out = {"type": "progress", "status": event.event_type, "done": data["done"]}
        out |= {"total": data["total"], "unit": data["unit"]}
    else:
        placeholders = {"name": data["name"], "error": str(data.get("error") or "")}
        out = {
            "type": "error",
            "code": str(data["code"]),
            "error": placeholders["error"],
        }
        out |= {"translation_key": "print_failed", "placeholders": placeholders}
    return out | {"job": data["job"], "name": data["name"]}
