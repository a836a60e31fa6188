"""The publisher: bus events of a station's releases, and the people's listeners."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.ezeep.const import EVENT_PRINT_ERROR, EVENT_PRINT_PROGRESS
from custom_components.ezeep.errors import ReleaseCooldownError
from custom_components.ezeep.release import JobOutcome, ReleaseEvent, ReleaseStates
from custom_components.ezeep.release.publisher import ReleasePublisher
from custom_components.ezeep.tpfm import (
    PrintResult,
    ProgressEvent,
    ProgressUnit,
    TpfmStreamError,
)
from tests.conftest import USER_1

OUTCOME = JobOutcome("a.tpf", "a.pdf", 7)


def _publisher(hass: HomeAssistant) -> tuple[ReleasePublisher, list[ReleaseEvent]]:
    states = ReleaseStates(hass)
    told: list[ReleaseEvent] = []
    states.async_add_listener(
        USER_1, lambda event: told.append(event) if event else None
    )
    return ReleasePublisher(hass, "entry-1", states), told


async def test_progress(hass: HomeAssistant) -> None:
    """Every status is on the bus; listeners hear all but the pages in between."""
    publisher, told = _publisher(hass)
    progress = async_capture_events(hass, EVENT_PRINT_PROGRESS)
    publisher.progress(USER_1, OUTCOME, "started", None)
    publisher.progress(
        USER_1, OUTCOME, "printing", ProgressEvent(1, 2, ProgressUnit.PAGES)
    )
    publisher.progress(
        USER_1, OUTCOME, "completed", ProgressEvent(2, 2, ProgressUnit.PAGES)
    )
    await hass.async_block_till_done()
    assert [e.data["status"] for e in progress] == ["started", "printing", "completed"]
    assert progress[0].data == {
        "config_entry_id": "entry-1",
        "user_id": USER_1,
        "job": "a.tpf",
        "name": "a.pdf",
        "proc_id": 7,
        "status": "started",
        "done": 0,
        "total": None,
        "unit": None,
    }
    assert progress[2].data | {"status": "started"} == progress[0].data | {
        "done": 2,
        "total": 2,
        "unit": "pages",
    }
    # Each page reaches the listeners too: the panel shows progress from there.
    assert [e.event_type for e in told] == ["started", "printing", "completed"]
    assert told[1].data == progress[1].data
    assert told[2].data == progress[2].data


async def test_errors(hass: HomeAssistant) -> None:
    """A refusal, a client error and a failed job each fire one error event."""
    publisher, told = _publisher(hass)
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    publisher.refused(USER_1, ReleaseCooldownError(3))
    publisher.failed(USER_1, OUTCOME, TpfmStreamError("PrintJob: cut"))
    publisher.job_failed(
        USER_1,
        OUTCOME,
        PrintResult(code=4, proc_id=7, error_text="Invalid printer", os_error=0),
    )
    await hass.async_block_till_done()
    base = {"config_entry_id": "entry-1", "user_id": USER_1}
    job = {"job": "a.tpf", "name": "a.pdf", "proc_id": 7}
    assert [e.data for e in errors] == [
        base
        | {"job": None, "name": None, "proc_id": None}
        | {"code": "cooldown", "error": "cooldown", "os_error": None}
        | {"os_error_text": ""},
        base
        | job
        | {"code": "stream_interrupted", "error": "PrintJob: cut", "os_error": None}
        | {"os_error_text": ""},
        base
        | job
        | {"code": 4, "error": "Invalid printer", "os_error": 0, "os_error_text": ""},
    ]
    assert [e.event_type for e in told] == ["failed"] * 3
