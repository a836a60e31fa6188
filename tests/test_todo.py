"""The to-do platform: a person's jobs as a list; check off = print it, remove = delete it.

Against the simulator, through Home Assistant's own ``todo`` actions (what the to-do
view and the companion app call).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.ezeep.const import CONF_LIST_USER, CONF_RELEASE_FROM_TODO
from custom_components.ezeep.todo import job_description, size_text
from custom_components.ezeep.tpfm import Job
from tests.conftest import (
    UNKNOWN_USER,
    USER_1,
    assert_no_user_ids,
    settle,
    setup_snapshot_station,
    station_data,
    subentry_id_of,
    user_subentry,
)
from tests.simulator import SimJob, Simulator, make_jobs
from tests.simulator.printer import PrinterSimulator

ALICE = "todo.alice_print_jobs"
REPORT_1, REPORT_2 = "report-1.tpf", "report-2.tpf"
ACTIONS = ("PrintJob", "DeleteJob", "SetJobProperties", "GetJobList")


@pytest.fixture
def visible(simulator: Simulator) -> None:
    """The server answers X-FMP-Visible: 1 (before the station's first poll)."""
    simulator.visible = "1"


async def items(hass: HomeAssistant, entity_id: str = ALICE) -> list[dict[str, Any]]:
    """The list's items as ``todo.get_items`` returns them."""
    response = await hass.services.async_call(
        "todo",
        "get_items",
        {"entity_id": entity_id},
        blocking=True,
        return_response=True,
    )
    return list(response[entity_id]["items"])  # type: ignore[call-overload,index]


async def check_off(
    hass: HomeAssistant, item: str, context: Context | None = None, **data: Any
) -> None:
    await hass.services.async_call(
        "todo",
        "update_item",
        {"entity_id": ALICE, "item": item, "status": "completed", **data},
        blocking=True,
        context=context,
    )


async def remove(
    hass: HomeAssistant, *names: str, context: Context | None = None
) -> None:
    await hass.services.async_call(
        "todo",
        "remove_item",
        {"entity_id": ALICE, "item": list(names)},
        blocking=True,
        context=context,
    )


def sent(simulator: Simulator) -> dict[str, int]:
    """The requests of single-job actions the server got since the log was reset."""
    return {cmd: simulator.counts[cmd] for cmd in ACTIONS if simulator.counts[cmd]}


async def test_items_oldest_first_held_marked(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """One item per job, oldest first, held jobs in place and marked; no own request."""
    jobs = make_jobs("report", 3, held=1)
    jobs[2].size = 4_632_133
    simulator.add_user(USER_1, jobs[::-1])
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    simulator.reset_log()
    listed = await items(hass)
    assert [(i["uid"], i["summary"], i["status"]) for i in listed] == [
        (f"report-{n}.tpf", f"report {n}.pdf", "needs_action") for n in (1, 2, 3)
    ]
    assert listed[0]["description"].startswith("On hold · 1.0 kB · 2023-11-14 ")
    assert listed[2]["description"].startswith("4.6 MB · ")
    assert hass.states.get(ALICE).state == "3"  # type: ignore[union-attr]
    assert simulator.counts == {}  # read from the last poll


async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    simulator: Simulator,
    printer_sim: PrinterSimulator,
) -> None:
    """One list per person on their device: IDs, names, features, open items."""
    entry = await setup_snapshot_station(hass, simulator, printer_sim, Platform.TODO)
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)
    assert_no_user_ids(hass, entry)


async def test_items_follow_the_polls(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A job sent or printed elsewhere shows up or goes with the next poll."""
    assert [i["uid"] for i in await items(hass)] == [REPORT_1, REPORT_2]
    simulator.users[USER_1].jobs.pop(0)
    simulator.add_job(USER_1, SimJob("new.tpf", "new.pdf", created=1_800_000_000))
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert [i["uid"] for i in await items(hass)] == [REPORT_2, "new.tpf"]


@pytest.mark.usefixtures("visible")
async def test_check_off_prints_exactly_that_job(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Checking the second job off prints it alone; it is checked while it prints."""
    simulator.users[USER_1].jobs[1].step_delay = 0.05
    simulator.reset_log()
    await check_off(hass, REPORT_2)
    await simulator.wait_running()
    await hass.async_block_till_done()
    assert [(i["uid"], i["status"]) for i in await items(hass)] == [
        (REPORT_1, "needs_action"),
        (REPORT_2, "completed"),
    ]
    await settle(hass)
    assert [(p.file_name, p.copies, p.result) for p in simulator.prints] == [
        (REPORT_2, 1, 0)
    ]
    assert [i["uid"] for i in await items(hass)] == [REPORT_1]


@pytest.mark.usefixtures("visible")
async def test_check_off_by_name_and_held_jobs(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """An item is also found by its name; a held job checked off is printed too."""
    simulator.users[USER_1].jobs[0].on_hold = True
    await init_integration.runtime_data.coordinator.async_refresh()
    await check_off(hass, "report 1.pdf")
    await settle(hass)
    assert [p.file_name for p in simulator.prints] == [REPORT_1]


@pytest.mark.usefixtures("visible")
async def test_remove_deletes_exactly_that_job(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Removing an item is one DeleteJob of that job; the list is read again."""
    simulator.reset_log()
    await remove(hass, REPORT_1)
    await settle(hass)
    deletes = [r.params["Job"] for r in simulator.requests if r.cmd == "DeleteJob"]
    assert deletes == [REPORT_1]
    assert [j.file_name for j in simulator.jobs_of(USER_1)] == [REPORT_2]
    assert [i["uid"] for i in await items(hass)] == [REPORT_2]
    assert simulator.prints == []


@pytest.mark.parametrize("header", ["0", None])
async def test_not_selectable_refuses_both(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    header: str | None,
) -> None:
    """Without X-FMP-Visible: 1 check-off and removal are refused; nothing is sent."""
    simulator.visible_for[USER_1] = header
    await init_integration.runtime_data.coordinator.async_refresh()
    simulator.reset_log()
    for action in (lambda: check_off(hass, REPORT_1), lambda: remove(hass, REPORT_1)):
        with pytest.raises(HomeAssistantError) as err:
            await action()
        assert err.value.translation_key == "selection_not_allowed"
    await settle(hass)
    assert sent(simulator) == {}
    assert len(simulator.jobs_of(USER_1)) == 2


@pytest.mark.usefixtures("visible")
async def test_release_from_the_list_switched_off(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """With the station option off, checking off is refused; removing still deletes."""
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_RELEASE_FROM_TODO: False}
    )
    await hass.async_block_till_done()
    simulator.reset_log()
    with pytest.raises(HomeAssistantError) as err:
        await check_off(hass, REPORT_1)
    assert err.value.translation_key == "todo_release_off"
    assert sent(simulator) == {}
    await remove(hass, REPORT_2)
    await settle(hass)
    assert simulator.prints == []
    assert [j.file_name for j in simulator.jobs_of(USER_1)] == [REPORT_1]


@pytest.mark.usefixtures("visible")
async def test_check_off_again_within_the_cooldown(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A job printed a moment ago that the server lists again is not printed twice."""
    await check_off(hass, REPORT_1)
    await settle(hass)
    simulator.add_job(USER_1, make_jobs("report", 1)[0])
    await init_integration.runtime_data.coordinator.async_refresh()
    assert REPORT_1 in [i["uid"] for i in await items(hass)]
    simulator.reset_log()
    with pytest.raises(HomeAssistantError) as err:
        await check_off(hass, REPORT_1)
    assert err.value.translation_key == "release_cooldown"
    await settle(hass)
    assert simulator.prints == []
    assert "PrintJob" not in sent(simulator)


@pytest.mark.usefixtures("visible")
@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"status": "needs_action"}, "todo_only_check_off"),
        ({"rename": "other.pdf"}, "todo_only_check_off"),
        ({"description": "x"}, "update_field_not_supported"),
    ],
)
async def test_edits_are_refused(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    change: dict[str, str],
    key: str,
) -> None:
    """Unchecking, renaming or describing an item is refused and sends nothing."""
    simulator.reset_log()
    data = {"entity_id": ALICE, "item": REPORT_1, **change}
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call("todo", "update_item", data, blocking=True)
    assert err.value.translation_key == key
    assert sent(simulator) == {}


@pytest.mark.usefixtures("visible")
async def test_unknown_item_and_no_creating(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """An item that is not listed is refused; items cannot be added."""
    with pytest.raises(HomeAssistantError):
        await check_off(hass, "other.tpf")
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            "todo", "add_item", {"entity_id": ALICE, "item": "x"}, blocking=True
        )
    entity = hass.data["todo"].get_entity(ALICE)
    assert entity is not None
    with pytest.raises(HomeAssistantError) as err:
        await entity.async_delete_todo_items(["other.tpf"])
    assert err.value.translation_key == "job_not_found"
    assert sent(simulator) == {"GetJobList": 4}  # the first polls only


@pytest.mark.usefixtures("visible")
async def test_who_may_use_a_list(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    hass_admin_user: Any,
) -> None:
    """Admins and the person's list user may; another user is refused, nothing sent."""
    other = await hass.auth.async_create_user("Kiosk", group_ids=["system-users"])
    alice = await hass.auth.async_create_user("Alice", group_ids=["system-users"])
    simulator.reset_log()
    for action in (
        lambda: check_off(hass, REPORT_1, context=Context(user_id=other.id)),
        lambda: remove(hass, REPORT_1, context=Context(user_id=other.id)),
        lambda: check_off(hass, REPORT_1, context=Context(user_id=alice.id)),
    ):
        with pytest.raises(HomeAssistantError) as err:
            await action()
        assert err.value.translation_key == "todo_not_your_list"
    assert sent(simulator) == {}

    subentry = init_integration.subentries[subentry_id_of(init_integration, USER_1)]
    hass.config_entries.async_update_subentry(
        init_integration,
        subentry,
        data={**subentry.data, CONF_LIST_USER: alice.id},
    )
    await hass.async_block_till_done()  # a changed person reloads the station
    await remove(hass, REPORT_2, context=Context(user_id=alice.id))
    await check_off(hass, REPORT_1, context=Context(user_id=alice.id))
    await settle(hass)
    assert [p.file_name for p in simulator.prints] == [REPORT_1]
    assert simulator.jobs_of(USER_1) == []
    simulator.add_job(USER_1, make_jobs("report", 2)[1])
    await init_integration.runtime_data.coordinator.async_refresh()
    with pytest.raises(HomeAssistantError) as err:
        await remove(hass, REPORT_2, context=Context(user_id=other.id))
    assert err.value.translation_key == "todo_not_your_list"
    await remove(hass, REPORT_2, context=Context(user_id=hass_admin_user.id))
    assert simulator.jobs_of(USER_1) == []


async def test_a_person_the_server_does_not_know(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A person that is not polled has no items: the list is unavailable."""
    entry = MockConfigEntry(
        domain="ezeep",
        title="127.0.0.1",
        data=station_data(simulator.url),
        subentries_data=[
            user_subentry(USER_1, "Alice"),
            user_subentry(UNKNOWN_USER, "Carol"),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("todo.carol_print_jobs").state == "unavailable"  # type: ignore[union-attr]
    carol = hass.data["todo"].get_entity("todo.carol_print_jobs")
    assert carol is not None
    assert carol.todo_items is None
    assert hass.states.get(ALICE).state == "2"  # type: ignore[union-attr]


def test_description_texts() -> None:
    """Sizes in decimal units; held jobs say so first."""
    assert [size_text(n) for n in (0, 999, 11_993, 4_632_133, 7 * 10**9, 10**13)] == [
        "0 B",
        "999 B",
        "12.0 kB",
        "4.6 MB",
        "7.0 GB",
        "10000.0 GB",
    ]
    sent_at = datetime(2026, 1, 5, 9, 12, tzinfo=UTC)
    job = Job("a.tpf", 1000, sent_at, sent_at, 0, "0", "a.pdf", " ")
    local = dt_util.as_local(sent_at).strftime(
        "%Y-%m-%d %H:%M"
    )  # Home Assistant's zone
    assert job_description(job) == f"1.0 kB · {local}"
    held = replace(job, on_hold=True)
    assert job_description(held) == f"On hold · 1.0 kB · {local}"
