"""The panel learns every release of its person from the release states (panel/events.py)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ezeep.panel.events import panel_event
from custom_components.ezeep.release import ReleaseEvent
from tests.conftest import USER_1, USER_2, print_all, settle
from tests.simulator import SimJob, Simulator
from tests.test_panel_websocket import PanelClient, panel_fixture  # noqa: F401 - the panel fixture


async def test_release_started_elsewhere_is_followed_to_its_end(
    hass: HomeAssistant,
    panel: PanelClient,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """ezeep.print_all for the person signed in: start, pages, end, then the list."""
    simulator.add_user(USER_2, [SimJob("long.tpf", "Long.pdf", steps=3)])
    session = (await panel.sign_in(init_integration.entry_id, USER_2))["session"]
    await print_all(hass, user_id=USER_2, config_entry_id=init_integration.entry_id)
    await settle(hass)
    assert (await panel.event("release_started"))["session"] == session
    finished = await panel.event("release_finished")
    assert finished["jobs"] == []
    progress = [e for e in panel.events if e["type"] == "progress"]
    assert [e["status"] for e in progress] == [
        "started",
        "printing",
        "printing",
        "printing",
        "completed",
    ]
    assert [e["done"] for e in progress[1:4]] == [1, 2, 3]
    assert all(e["session"] == session and "user_id" not in e for e in progress)


async def test_another_persons_release_is_not_shown(
    hass: HomeAssistant,
    panel: PanelClient,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A release of someone else at the same station sends nothing to this session."""
    simulator.add_user(USER_2, [SimJob("mine.tpf", "Mine.pdf")])
    await panel.sign_in(init_integration.entry_id, USER_2)
    await print_all(hass, user_id=USER_1, config_entry_id=init_integration.entry_id)
    await settle(hass)
    await panel.call("ezeep/panel/stations")  # every event sent so far has arrived
    assert [e["type"] for e in panel.events] == []


def test_deletions_and_job_less_failures_are_not_told() -> None:
    """The command that deleted, or the one refused, answered those itself."""
    assert panel_event(ReleaseEvent("deleted", {"job": "a.tpf", "name": "A"})) is None
    assert panel_event(ReleaseEvent("failed", {"job": None, "code": 3})) is None
