"""A person whose ID the server does not know: asked once, a repair issue, the fix flow."""

from __future__ import annotations

from datetime import timedelta
import json
from pathlib import Path

from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.ezeep.const import CONF_NAME, CONF_USER_ID, DOMAIN
from custom_components.ezeep.store import async_get_store
from tests.conftest import USER_1, USER_2, make_jobs, subentry_id_of
from tests.simulator import Simulator

USER_3 = "test-user-3"
BOB = "sensor.bob_pending_jobs"
ALICE = "sensor.alice_pending_jobs"
ISSUE_TEXTS = json.loads(
    (
        Path(__file__).parent.parent
        / "custom_components"
        / DOMAIN
        / "translations"
        / "en.json"
    ).read_text(encoding="utf-8")
)["issues"]["unknown_user"]


def issue_id_of(entry: MockConfigEntry, user_id: str) -> str:
    """The repair issue id of a person."""
    return f"unknown_user_{subentry_id_of(entry, user_id)}"


def get_issue(hass: HomeAssistant, issue_id: str) -> ir.IssueEntry | None:
    """The ezeep repair issue, if it is open."""
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id)


def job_list_requests(sim: Simulator, user_id: str) -> int:
    """How many GetJobList requests the simulator got for a person."""
    return sum(1 for r in sim.requests if r.cmd == "GetJobList" and r.user == user_id)


async def forget_bob(
    hass: HomeAssistant, entry: MockConfigEntry, sim: Simulator
) -> str:
    """Remove Bob from the server and poll: return Bob's issue id."""
    del sim.users[USER_2]
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    issue_id = issue_id_of(entry, USER_2)
    assert get_issue(hass, issue_id) is not None
    return issue_id


async def start_fix_flow(hass: HomeAssistant, issue_id: str) -> dict:
    """Open the fix flow of an issue as the Repairs dashboard does."""
    assert await async_setup_component(hass, "repairs", {})
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(DOMAIN, data={"issue_id": issue_id})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "confirm"
    return result


async def confirm_fix_flow(hass: HomeAssistant, flow_id: str) -> dict:
    """Submit the confirm step."""
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_configure(flow_id, {})
    await hass.async_block_till_done()
    return result


async def test_unknown_person_opens_issue_and_is_not_asked_again(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """One registration printout, a repair issue, and no more questions about the ID."""
    entry = init_integration
    coordinator = entry.runtime_data.coordinator
    issue_id = await forget_bob(hass, entry, simulator)

    issue = get_issue(hass, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_key == "unknown_user"
    assert issue.translation_placeholders == {"name": "Bob"}
    # The issue names the person by title, never by ID.
    assert USER_2 not in json.dumps(issue.to_json())
    assert ISSUE_TEXTS["title"]
    assert ISSUE_TEXTS["fix_flow"]["step"]["confirm"]["description"]
    assert simulator.registration_printouts == {USER_2: 1}
    assert hass.states.get(BOB).state == STATE_UNAVAILABLE
    assert hass.states.get(ALICE).state == "2"
    assert coordinator.last_update_success

    # Neither refreshes, scheduled polls nor a reload ask for Bob again.
    simulator.reset_log()
    await coordinator.async_refresh()
    await coordinator.async_refresh()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=5))
    await hass.async_block_till_done()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await entry.runtime_data.coordinator.async_refresh()

    assert job_list_requests(simulator, USER_1) >= 3
    assert job_list_requests(simulator, USER_2) == 0
    assert simulator.registration_printouts == {}
    assert get_issue(hass, issue_id) is not None
    assert hass.states.get(BOB).state == STATE_UNAVAILABLE
    assert hass.states.get(ALICE).state == "2"


async def test_unknown_person_at_setup(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """An unknown person does not stop the station from loading."""
    del simulator.users[USER_2]
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert get_issue(hass, issue_id_of(mock_config_entry, USER_2)) is not None
    assert simulator.registration_printouts == {USER_2: 1}
    assert hass.states.get(BOB).state == STATE_UNAVAILABLE
    assert hass.states.get(ALICE).state == "2"


async def test_fix_flow_after_registration(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Once the person registered, confirming the repair polls them again."""
    entry = init_integration
    issue_id = await forget_bob(hass, entry, simulator)
    result = await start_fix_flow(hass, issue_id)
    assert result["description_placeholders"] == {"name": "Bob"}

    simulator.add_user(USER_2, make_jobs("slides", 1))
    result = await confirm_fix_flow(hass, result["flow_id"])

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert get_issue(hass, issue_id) is None
    assert hass.states.get(BOB).state == "1"
    assert not entry.runtime_data.coordinator.is_unregistered(
        subentry_id_of(entry, USER_2)
    )
    assert simulator.registration_printouts == {USER_2: 1}
    # Polled again from now on.
    simulator.reset_log()
    await entry.runtime_data.coordinator.async_refresh()
    assert job_list_requests(simulator, USER_2) >= 1


async def test_fix_flow_person_still_unknown(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Confirming before registering asks once more and keeps the issue open."""
    entry = init_integration
    issue_id = await forget_bob(hass, entry, simulator)
    result = await start_fix_flow(hass, issue_id)
    result = await confirm_fix_flow(hass, result["flow_id"])

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "still_unknown"
    assert ISSUE_TEXTS["fix_flow"]["abort"]["still_unknown"]
    assert simulator.registration_printouts == {USER_2: 2}
    # The issue stays, so the person can confirm again once registered.
    assert get_issue(hass, issue_id) is not None
    assert entry.runtime_data.coordinator.is_unregistered(subentry_id_of(entry, USER_2))
    assert hass.states.get(BOB).state == STATE_UNAVAILABLE
    await entry.runtime_data.coordinator.async_refresh()
    assert simulator.registration_printouts == {USER_2: 2}

    simulator.add_user(USER_2, make_jobs("slides", 2))
    result = await start_fix_flow(hass, issue_id)
    result = await confirm_fix_flow(hass, result["flow_id"])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert get_issue(hass, issue_id) is None
    assert hass.states.get(BOB).state == "2"


async def test_fix_flow_while_station_unloaded(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A repair confirmed while the station is unloaded takes effect when it loads."""
    entry = init_integration
    issue_id = await forget_bob(hass, entry, simulator)
    assert await hass.config_entries.async_unload(entry.entry_id)
    simulator.add_user(USER_2, make_jobs("slides", 1))

    result = await start_fix_flow(hass, issue_id)
    result = await confirm_fix_flow(hass, result["flow_id"])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert get_issue(hass, issue_id) is None
    assert not async_get_store(hass).is_marked(
        entry.entry_id, subentry_id_of(entry, USER_2)
    )

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(BOB).state == "1"


async def test_changing_the_id_resolves_the_issue(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Giving the person a known ID closes the issue and polls the new ID."""
    entry = init_integration
    issue_id = await forget_bob(hass, entry, simulator)
    subentry_id = subentry_id_of(entry, USER_2)
    simulator.add_user(USER_3, make_jobs("memo", 3))

    result = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: USER_3, CONF_NAME: "Bob"}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert get_issue(hass, issue_id) is None
    assert not entry.runtime_data.coordinator.is_unregistered(subentry_id)
    assert hass.states.get(BOB).state == "3"
    assert simulator.registration_printouts == {USER_2: 1}


async def test_removing_the_person_deletes_the_issue(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """No issue is left over for a person who was removed."""
    entry = init_integration
    issue_id = await forget_bob(hass, entry, simulator)
    subentry_id = subentry_id_of(entry, USER_2)

    assert hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done()

    assert get_issue(hass, issue_id) is None
    assert not async_get_store(hass).is_marked(entry.entry_id, subentry_id)


async def test_removing_the_station_deletes_the_issue(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """No issue is left over for a station that was removed."""
    entry = init_integration
    issue_id = await forget_bob(hass, entry, simulator)

    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()

    assert get_issue(hass, issue_id) is None
    assert not async_get_store(hass)._unknown


async def test_unchanged_reconfigure_polls_the_person_again(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Saving a forgotten person's form unchanged (after they registered) polls them now."""
    bob = subentry_id_of(init_integration, USER_2)
    jobs = simulator.users.pop(USER_2).jobs
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.bob_pending_jobs").state == STATE_UNAVAILABLE
    simulator.add_user(USER_2, jobs)
    result = await init_integration.start_subentry_reconfigure_flow(hass, bob)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: USER_2, CONF_NAME: "Bob"}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert hass.states.get("sensor.bob_pending_jobs").state == "1"
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"unknown_user_{bob}") is None
