"""The people of a station: the sub-entry flow's one step, adding and changing a person.

Every flow runs through Home Assistant's flow managers against the simulator.
"""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.config_entries import SOURCE_USER, ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ezeep.const import (
    CONF_LIST_USER,
    CONF_NAME,
    CONF_USER_ID,
    DOMAIN,
    SUBENTRY_TYPE_USER,
)
from tests.conftest import (
    TRANSLATIONS,
    UNKNOWN_USER,
    USER_1,
    USER_2,
    assert_errors,
    device_of,
    make_jobs,
    station_data,
    subentry_id_of,
    suggested,
    user_entity_ids,
    user_subentry,
)
from tests.simulator import Simulator

USER_3 = "test-user-3"


async def start_user_subentry_flow(
    hass: HomeAssistant, entry: ConfigEntry
) -> FlowResult:
    """Open the "Add user" form of a station."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_TYPE_USER), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return result


async def test_subentry_add_person_without_reload(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A new person's entities appear at once; the station is not reloaded."""
    entry = init_integration
    simulator.add_user(USER_3, make_jobs("memo", 3))
    coordinator = entry.runtime_data.coordinator

    result = await start_user_subentry_flow(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: f" {USER_3} ", CONF_NAME: " Carol "}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Carol"
    assert result["data"] == {CONF_USER_ID: USER_3, CONF_NAME: "Carol"}
    state = hass.states.get("sensor.carol_pending_jobs")
    assert state is not None
    assert state.state == "3"
    # No reload (a setup creates a new coordinator); the others are still there.
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.coordinator is coordinator
    assert hass.states.get("sensor.alice_pending_jobs").state == "2"
    subentry_id = subentry_id_of(entry, USER_3)
    device = device_of(hass, entry, subentry_id)
    assert device is not None
    assert device.name == "Carol"
    assert user_entity_ids(hass, entry, subentry_id)


async def test_subentry_without_name_is_numbered(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A third person without a name becomes "User 3"."""
    simulator.add_user(USER_3)
    result = await start_user_subentry_flow(hass, init_integration)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: USER_3}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "User 3"
    assert result["data"] == {CONF_USER_ID: USER_3, CONF_NAME: ""}
    assert hass.states.get("sensor.user_3_pending_jobs").state == "0"


async def test_subentry_duplicate_person_aborts(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A person already set up for the station is not added twice."""
    simulator.reset_log()
    result = await start_user_subentry_flow(hass, init_integration)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: f"{USER_2} ", CONF_NAME: "Bobby"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert TRANSLATIONS["config_subentries"]["user"]["abort"]["already_configured"]
    assert len(init_integration.subentries) == 2
    assert not simulator.requests


@pytest.mark.parametrize(
    ("fault", "user_id", "errors"),
    [
        (None, UNKNOWN_USER, {"base": "unknown_user"}),
        (None, "test:user", {CONF_USER_ID: "invalid_user_id"}),
        (None, " ", {CONF_USER_ID: "invalid_user_id"}),
        (
            lambda sim: sim.http_error("GetJobList", 500),
            USER_3,
            {"base": "cannot_connect"},
        ),
        (lambda sim: sim.garbage("GetJobList"), USER_3, {"base": "not_tpfm"}),
    ],
    ids=["unknown_user", "colon", "blank", "http_500", "garbage"],
)
async def test_subentry_errors_then_success(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    fault: Callable[[Simulator], None] | None,
    user_id: str,
    errors: dict[str, str],
) -> None:
    """Errors of the "Add user" form, then the corrected person is added."""
    simulator.add_user(USER_3)
    if fault is not None:
        fault(simulator)
    result = await start_user_subentry_flow(hass, init_integration)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: user_id, CONF_NAME: "Carol"}
    )
    assert_errors(result, errors, "config_subentries.user")
    assert suggested(result, CONF_NAME) == "Carol"
    expected_printouts = {UNKNOWN_USER: 1} if user_id == UNKNOWN_USER else {}
    assert simulator.registration_printouts == expected_printouts
    assert len(init_integration.subentries) == 2

    simulator.clear_faults()
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: USER_3, CONF_NAME: "Carol"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert len(init_integration.subentries) == 3
    assert hass.states.get("sensor.carol_pending_jobs").state == "0"
    assert simulator.registration_printouts == expected_printouts


async def test_subentry_added_while_station_unloaded(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A person can be added while the station is not loaded (checked with a new client)."""
    entry = init_integration
    assert await hass.config_entries.async_unload(entry.entry_id)
    simulator.add_user(USER_3, make_jobs("memo", 1))

    result = await start_user_subentry_flow(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: UNKNOWN_USER}
    )
    assert_errors(result, {"base": "unknown_user"}, "config_subentries.user")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: USER_3, CONF_NAME: "Carol"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.state is ConfigEntryState.NOT_LOADED

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.carol_pending_jobs").state == "1"


async def test_subentry_reconfigure_changes_id_and_name(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A new ID or name reloads the station, which then polls the new ID."""
    entry = init_integration
    simulator.add_user(USER_3, make_jobs("memo", 3))
    subentry_id = subentry_id_of(entry, USER_2)
    coordinator = entry.runtime_data.coordinator

    result = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert suggested(result, CONF_USER_ID) == USER_2
    assert suggested(result, CONF_NAME) == "Bob"

    simulator.reset_log()
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: f" {USER_3}", CONF_NAME: "Robert "}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    subentry = entry.subentries[subentry_id]
    assert subentry.title == "Robert"
    assert dict(subentry.data) == {CONF_USER_ID: USER_3, CONF_NAME: "Robert"}
    # Reloaded, and the new ID is polled instead of the old one.
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.coordinator is not coordinator
    polled = {r.user for r in simulator.requests if r.cmd == "GetJobList"}
    assert polled == {USER_1, USER_3}
    assert entry.runtime_data.coordinator.data[subentry_id].pending == 3
    device = device_of(hass, entry, subentry_id)
    assert device is not None
    assert device.name == "Robert"
    (entity_id,) = (
        e for e in user_entity_ids(hass, entry, subentry_id) if "pending_jobs" in e
    )
    assert hass.states.get(entity_id).state == "3"


async def test_subentry_reconfigure_unchanged_keeps_station_loaded(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Saving a person unchanged does not reload the station."""
    entry = init_integration
    coordinator = entry.runtime_data.coordinator
    result = await entry.start_subentry_reconfigure_flow(
        hass, subentry_id_of(entry, USER_1)
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: USER_1, CONF_NAME: "Alice"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.runtime_data.coordinator is coordinator


@pytest.mark.parametrize(
    ("user_id", "errors"),
    [
        (UNKNOWN_USER, {"base": "unknown_user"}),
        ("test:user", {CONF_USER_ID: "invalid_user_id"}),
    ],
)
async def test_subentry_reconfigure_errors(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    user_id: str,
    errors: dict[str, str],
) -> None:
    """A bad new ID is refused and the person is left unchanged."""
    entry = init_integration
    subentry_id = subentry_id_of(entry, USER_2)
    result = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: user_id, CONF_NAME: "Bob"}
    )
    assert_errors(result, errors, "config_subentries.user")
    assert suggested(result, CONF_USER_ID) == user_id
    assert dict(entry.subentries[subentry_id].data) == {
        CONF_USER_ID: USER_2,
        CONF_NAME: "Bob",
    }
    assert sum(simulator.registration_printouts.values()) == (
        1 if user_id == UNKNOWN_USER else 0
    )


async def test_subentry_reconfigure_to_taken_id_aborts(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A person cannot take the ID of another person of the station."""
    entry = init_integration
    subentry_id = subentry_id_of(entry, USER_2)
    result = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: USER_1, CONF_NAME: "Bob"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.subentries[subentry_id].data[CONF_USER_ID] == USER_2


async def test_unnamed_titles_stay_unique_and_names_can_be_cleared(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Clearing a name gives a free "User N"; a removed person's number is not reused twice."""
    bob = subentry_id_of(init_integration, USER_2)
    result = await init_integration.start_subentry_reconfigure_flow(hass, bob)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: USER_2, CONF_NAME: ""}
    )
    await hass.async_block_till_done()
    assert init_integration.subentries[bob].title == "User 2"
    simulator.add_user(USER_3)
    result = await start_user_subentry_flow(hass, init_integration)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: USER_3}
    )
    await hass.async_block_till_done()
    assert result["title"] == "User 3"
    titles = [sub.title for sub in init_integration.subentries.values()]
    assert len(titles) == len(set(titles))


async def test_unnamed_numbers_are_not_reused(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """With "User 1" removed, the next unnamed person is "User 3", not a second "User 2"."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        data=station_data(simulator.url),
        subentries_data=[
            user_subentry(USER_1, title="User 1"),
            user_subentry(USER_2, title="User 2"),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.config_entries.async_remove_subentry(
        entry, subentry_id_of(entry, USER_1)
    )
    await hass.async_block_till_done()

    simulator.add_user(USER_3)
    result = await start_user_subentry_flow(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: USER_3}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "User 3"
    assert sorted(sub.title for sub in entry.subentries.values()) == [
        "User 2",
        "User 3",
    ]


async def test_subentry_reconfigure_while_station_unloaded(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A person of a station that is not loaded is changed, checked with a new client."""
    entry = init_integration
    assert await hass.config_entries.async_unload(entry.entry_id)
    simulator.add_user(USER_3, make_jobs("memo", 2))
    subentry_id = subentry_id_of(entry, USER_2)

    result = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: UNKNOWN_USER, CONF_NAME: "Bob"}
    )
    assert_errors(result, {"base": "unknown_user"}, "config_subentries.user")
    simulator.reset_log()
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: USER_3, CONF_NAME: ""}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.state is ConfigEntryState.NOT_LOADED
    subentry = entry.subentries[subentry_id]
    assert dict(subentry.data) == {CONF_USER_ID: USER_3, CONF_NAME: ""}
    assert subentry.title == "User 2"
    assert {r.user for r in simulator.requests if r.cmd == "GetJobList"} == {USER_3}

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    # The person's entities keep their ids; they now show the new ID's jobs.
    assert hass.states.get("sensor.bob_pending_jobs").state == "2"


async def test_person_to_do_list_user(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A person's to-do list user is chosen from the users, changed and removed."""
    entry = init_integration
    alice = await hass.auth.async_create_user("Alice", group_ids=["system-users"])
    gone = await hass.auth.async_create_user("Gone", group_ids=["system-users"])
    subentry_id = subentry_id_of(entry, USER_1)
    result = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    selector = result["data_schema"].schema[CONF_LIST_USER]
    assert {o["value"]: o["label"] for o in selector.config["options"]}[alice.id] == (
        "Alice"
    )
    assert suggested(result, CONF_LIST_USER) is None
    await hass.auth.async_remove_user(gone)  # while the form is open
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_USER_ID: USER_1, CONF_NAME: "Alice", CONF_LIST_USER: gone.id},
    )
    assert_errors(result, {CONF_LIST_USER: "unknown_ha_user"}, "config_subentries.user")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_USER_ID: USER_1, CONF_NAME: "Alice", CONF_LIST_USER: alice.id},
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    assert dict(entry.subentries[subentry_id].data) == {
        CONF_USER_ID: USER_1,
        CONF_NAME: "Alice",
        CONF_LIST_USER: alice.id,
    }
    result = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    assert suggested(result, CONF_LIST_USER) == alice.id
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_USER_ID: USER_1, CONF_NAME: "Alice"}
    )
    await hass.async_block_till_done()
    assert dict(entry.subentries[subentry_id].data) == {
        CONF_USER_ID: USER_1,
        CONF_NAME: "Alice",
    }
