"""Logbook entries: printed and canceled jobs, failed jobs; names, never user IDs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from homeassistant.components.recorder import Recorder
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ezeep.const import (
    DOMAIN,
    EVENT_PRINT_ERROR,
    EVENT_PRINT_PROGRESS,
)
from custom_components.ezeep.logbook import (
    async_describe_events,
    error_message,
    finished_message,
)
from tests.conftest import USER_1, USER_2, make_jobs
from tests.simulator import Simulator

CARD = "test-card-9"


@pytest.fixture(autouse=True)
def mock_recorder_before_hass(async_test_recorder: Any) -> None:
    """Prepare the recorder's database before Home Assistant starts."""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"status": "completed", "name": "report.pdf", "unit": "pages", "total": 10},
            "report.pdf printed, 10 pages",
        ),
        (
            {"status": "completed", "name": "", "job": "a.tpf", "unit": "pages"}
            | {"done": 1, "total": None},
            "a.tpf printed, 1 page",
        ),
        (
            {"status": "completed", "name": "photo.png", "unit": "percent"}
            | {"done": 100, "total": None},
            "photo.png printed",
        ),
        (
            {"status": "canceled", "name": "report.pdf", "unit": "pages", "done": 3},
            "report.pdf canceled",
        ),
        (
            {"status": "deleted", "name": "report.pdf", "unit": None},
            "report.pdf deleted",
        ),
    ],
)
def test_finished_message(data: dict[str, Any], message: str) -> None:
    assert finished_message(data) == message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"name": "report.pdf", "code": 4, "error": "Invalid printer was specified"},
            "report.pdf failed: Invalid printer was specified",
        ),
        (
            {"name": "a.pdf", "code": 1, "error": "Error", "os_error_text": "Denied"},
            "a.pdf failed: Error (Denied)",
        ),
        (
            {"name": None, "job": None, "code": 7, "error": ""},
            "release failed: error 7",
        ),
        (
            {"name": None, "code": "cooldown", "error": "cooldown"},
            "release refused: cooldown",
        ),
        (
            {"name": None, "code": "printer_not_ready", "error": "media-jam-error"},
            "release refused: media-jam-error",
        ),
    ],
)
def test_error_message(data: dict[str, Any], message: str) -> None:
    assert error_message(data) == message


async def test_describe_without_the_logbook(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The describe callback names the person or "A card", and links the event entity."""
    described: dict[str, Callable[[Event], dict[str, Any]]] = {}
    async_describe_events(
        hass, lambda domain, event_type, cb: described.__setitem__(event_type, cb)
    )
    assert list(described) == [EVENT_PRINT_ERROR]
    describe = described[EVENT_PRINT_ERROR]
    base = {"config_entry_id": init_integration.entry_id, "name": "r.pdf", "code": 4}
    alice = describe(Event(EVENT_PRINT_ERROR, base | {"user_id": USER_1, "error": "x"}))
    assert alice == {
        "name": "Alice",
        "message": "r.pdf failed: x",
        "entity_id": "event.alice_release",
    }
    card = describe(Event(EVENT_PRINT_ERROR, base | {"user_id": CARD, "error": "x"}))
    assert card == {"name": "A card", "message": "r.pdf failed: x"}
    other = describe(
        Event(EVENT_PRINT_ERROR, base | {"config_entry_id": "gone", "user_id": USER_1})
    )
    assert other["name"] == "A card"


async def test_logbook(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Printed, canceled and failed jobs are in the logbook; pages and starts are not."""
    assert await async_setup_component(hass, "logbook", {})
    await hass.async_block_till_done()
    simulator.add_user(CARD, make_jobs("card", 1, steps=12))
    simulator.users[USER_1].jobs[0].fail_code = 4
    simulator.users[USER_1].jobs[0].fail_after = 1

    for user_id in (USER_1, USER_2, CARD):
        await hass.services.async_call(
            DOMAIN,
            "print_all",
            {"user_id": user_id, "wait": True},
            blocking=True,
            return_response=True,
        )
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)

    client = await hass_ws_client()
    await client.send_json_auto_id(
        {"type": "logbook/get_events", "start_time": "2000-01-01T00:00:00+00:00"}
    )
    response = await client.receive_json()
    assert response["success"]
    ours = [
        (entry["name"], entry["message"], entry.get("entity_id"))
        for entry in response["result"]
        if entry.get("domain") == DOMAIN
    ]
    assert ours == [
        (
            "Alice",
            "report 1.pdf failed: Invalid printer was specified",
            "event.alice_release",
        ),
        ("Bob", "slides 1.pdf printed, 3 pages", "event.bob_release"),
        ("A card", "card 1.pdf printed, 12 pages", None),
    ]
    assert all(
        user_id not in repr(response["result"]) for user_id in (USER_1, USER_2, CARD)
    )


async def test_canceled_in_logbook(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A canceled job has an entry too."""
    assert await async_setup_component(hass, "logbook", {})
    await hass.async_block_till_done()
    simulator.users[USER_1].jobs[0].step_delay = 0.2
    task = hass.async_create_task(
        hass.services.async_call(
            DOMAIN,
            "print_all",
            {"user_id": USER_1, "wait": True},
            blocking=True,
            return_response=True,
        )
    )
    await asyncio.wait_for(simulator.wait_running(), 5)
    await hass.services.async_call(DOMAIN, "cancel", {"user_id": USER_1}, blocking=True)
    await task
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    client = await hass_ws_client()
    await client.send_json_auto_id(
        {
            "type": "logbook/get_events",
            "start_time": "2000-01-01T00:00:00+00:00",
            "entity_ids": ["event.alice_release"],
        }
    )
    response = await client.receive_json()
    messages = [
        entry["message"]
        for entry in response["result"]
        if entry.get("domain") == DOMAIN
    ]
    assert messages == ["report 1.pdf canceled"]
    assert EVENT_PRINT_PROGRESS not in repr(response["result"])


async def test_deleted_and_single_release_in_logbook(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A job released alone and a deleted job have entries, named by the person."""
    assert await async_setup_component(hass, "logbook", {})
    await hass.async_block_till_done()
    simulator.visible = "1"
    await hass.services.async_call(
        DOMAIN, "get_jobs", {"user_id": USER_1}, blocking=True, return_response=True
    )
    await hass.services.async_call(
        DOMAIN,
        "print_job",
        {"user_id": USER_1, "job": "report-2.tpf", "wait": True},
        blocking=True,
        return_response=True,
    )
    await hass.services.async_call(
        DOMAIN, "delete_job", {"user_id": USER_1, "job": "report-1.tpf"}, blocking=True
    )
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    client = await hass_ws_client()
    await client.send_json_auto_id(
        {"type": "logbook/get_events", "start_time": "2000-01-01T00:00:00+00:00"}
    )
    response = await client.receive_json()
    ours = [
        (entry["name"], entry["message"], entry.get("entity_id"))
        for entry in response["result"]
        if entry.get("domain") == DOMAIN
    ]
    assert ours == [
        ("Alice", "report 2.pdf printed, 3 pages", "event.alice_release"),
        ("Alice", "report 1.pdf deleted", "event.alice_release"),
    ]
    assert USER_1 not in repr(response["result"])
