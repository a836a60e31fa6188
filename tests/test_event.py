"""The event entity of a person: started, completed, failed, canceled."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ezeep.const import DOMAIN
from custom_components.ezeep.event import EzeepReleaseEvent
from custom_components.ezeep.release import ReleaseManager
from tests.conftest import USER_1, USER_2, print_all, subentry_id_of
from tests.simulator import Simulator

ALICE = "event.alice_release"


def fired(events: list[Any], entity_id: str) -> list[dict[str, Any]]:
    """The attributes of each event an event entity fired, in order."""
    return [
        dict(e.data["new_state"].attributes)
        for e in events
        if e.data["entity_id"] == entity_id
        and e.data["new_state"] is not None
        and e.data["new_state"].state != STATE_UNKNOWN
        and (
            e.data["old_state"] is None
            or e.data["old_state"].state != e.data["new_state"].state
        )
    ]


def event_listeners(releases: ReleaseManager) -> list[Any]:
    """The listeners of Alice's release events that are event entities."""
    return [
        listener
        for listener in releases.states._listeners[USER_1]
        if isinstance(getattr(listener, "__self__", None), EzeepReleaseEvent)
    ]


async def test_event_entity(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Each person has an event entity with the five event types, named by translation."""
    state = hass.states.get(ALICE)
    assert state is not None
    assert state.state == STATE_UNKNOWN
    assert state.attributes["event_types"] == [
        "started",
        "completed",
        "failed",
        "canceled",
        "deleted",
    ]
    assert state.attributes["friendly_name"] == "Alice Release"
    entry = er.async_get(hass).async_get(ALICE)
    assert entry is not None
    assert entry.translation_key == "release"
    assert entry.unique_id == f"{subentry_id_of(init_integration, USER_1)}_release"
    assert hass.states.get("event.bob_release") is not None


async def test_started_and_completed(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Every job fires started, then completed with its page count; not every page."""
    changes = async_capture_events(hass, EVENT_STATE_CHANGED)
    await print_all(hass, user_id=USER_1, wait=True)
    await hass.async_block_till_done()
    events = fired(changes, ALICE)
    assert [e["event_type"] for e in events] == [
        "started",
        "completed",
        "started",
        "completed",
    ]
    assert events[0] == {
        "event_types": ["started", "completed", "failed", "canceled", "deleted"],
        "event_type": "started",
        "job": "report 1.pdf",
        "file_name": "report-1.tpf",
        "proc_id": 738886,
        "unit": "pages",
        "friendly_name": "Alice Release",
    }
    assert {k: events[1][k] for k in ("job", "done", "total", "unit")} == {
        "job": "report 1.pdf",
        "done": 3,
        "total": 3,
        "unit": "pages",
    }
    assert not fired(changes, "event.bob_release")
    # The user ID is in no attribute.
    for event in events:
        assert USER_1 not in repr(event)


async def test_failed(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A failing job fires failed with the server's code and decoded text."""
    simulator.users[USER_1].jobs[0].fail_code = 4
    simulator.users[USER_1].jobs[0].fail_after = 1
    changes = async_capture_events(hass, EVENT_STATE_CHANGED)
    await print_all(hass, user_id=USER_1, wait=True)
    await hass.async_block_till_done()
    events = fired(changes, ALICE)
    assert [e["event_type"] for e in events] == ["started", "failed"]
    assert {
        k: events[1][k] for k in ("job", "file_name", "code", "error", "os_error_text")
    } == {
        "job": "report 1.pdf",
        "file_name": "report-1.tpf",
        "code": 4,
        "error": "Invalid printer was specified",
        "os_error_text": "",
    }


async def test_refused_release_is_failed(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A release refused within the cooldown fires failed with its code and no job."""
    await print_all(hass, user_id=USER_2, wait=True)
    changes = async_capture_events(hass, EVENT_STATE_CHANGED)
    with pytest.raises(HomeAssistantError):
        await print_all(hass, user_id=USER_2)
    await hass.async_block_till_done()
    events = fired(changes, "event.bob_release")
    assert [(e["event_type"], e["code"], e["job"]) for e in events] == [
        ("failed", "cooldown", None)
    ]


async def test_canceled(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A canceled job fires canceled."""
    simulator.users[USER_1].jobs[0].step_delay = 0.2
    changes = async_capture_events(hass, EVENT_STATE_CHANGED)
    task = hass.async_create_task(print_all(hass, user_id=USER_1, wait=True))
    await asyncio.wait_for(simulator.wait_running(), 5)
    await hass.services.async_call(DOMAIN, "cancel", {"user_id": USER_1}, blocking=True)
    await task
    await hass.async_block_till_done()
    assert [e["event_type"] for e in fired(changes, ALICE)] == ["started", "canceled"]


async def test_unloaded_entity_stops_listening(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Removing the entity removes its listener from the release manager."""
    releases = init_integration.runtime_data.releases
    assert len(event_listeners(releases)) == 1
    er.async_get(hass).async_remove(ALICE)
    await hass.async_block_till_done()
    assert event_listeners(releases) == []
    await print_all(hass, user_id=USER_1, wait=True)
    assert hass.states.get(ALICE) is None
