"""The single-job actions (jobs.py) through their services, against the simulator.

``ezeep.get_jobs``, ``ezeep.print_job``, ``ezeep.delete_job`` and ``ezeep.hold_job``:
X-FMP-Visible 0 and 1, unknown jobs, printing jobs, the per-job cooldown, and that nothing
is sent to the server when an action is refused.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from homeassistant.core import Event, HomeAssistant, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ezeep.const import DOMAIN, EVENT_PRINT_PROGRESS
from custom_components.ezeep.jobs import async_delete_job, async_get_jobs
from tests.conftest import USER_1, USER_2, make_jobs
from tests.simulator import Simulator, server as simulator_server

CARD = "test-card-0077"
#: The file names of USER_1's jobs in the simulator (make_jobs("report", 2)).
REPORT_1, REPORT_2 = "report-1.tpf", "report-2.tpf"

# Every Home Assistant instance of this module: the server allows single jobs.
pytestmark = pytest.mark.usefixtures("visible")


@pytest.fixture
def visible(simulator: Simulator) -> None:
    """The server answers X-FMP-Visible: 1 (before the station's first poll)."""
    simulator.visible = "1"


async def call(hass: HomeAssistant, service: str, **data: Any) -> ServiceResponse:
    """Call an ezeep service (with a response where it has one)."""
    response = service in ("get_jobs", "print_job", "print_all")
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )


async def refused(hass: HomeAssistant, service: str, **data: Any) -> str:
    """Call a service that must be refused; return the error's translation key."""
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, service, **data)
    return str(err.value.translation_key)


def sent(simulator: Simulator, *commands: str) -> int:
    """How many of these commands reached the server."""
    return sum(simulator.counts[cmd] for cmd in commands)


# -- get_jobs ---------------------------------------------------------------------------


async def test_get_jobs_response(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Every job, held ones too, oldest first; selectable with X-FMP-Visible: 1."""
    simulator.add_user(CARD, make_jobs("card", 3, held=1)[::-1])
    simulator.reset_log()
    response = await call(hass, "get_jobs", user_id=CARD)
    assert response == {
        "jobs": [
            {
                "job": f"card-{n}.tpf",
                "name": f"card {n}.pdf",
                "size": 1000,
                "created": f"2023-11-14T22:{13 + n}:20+00:00",
                "on_hold": n == 1,
            }
            for n in (1, 2, 3)
        ],
        "selectable": True,
    }
    assert simulator.counts["GetJobList"] == 2  # with held jobs, then without


@pytest.mark.parametrize("header", ["0", None, "yes"])
async def test_get_jobs_not_selectable(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    header: str | None,
) -> None:
    """Without X-FMP-Visible: 1 (0, missing, anything else) nothing is selectable."""
    simulator.visible_for[USER_2] = header
    response = await call(hass, "get_jobs", user_id=USER_2)
    assert response is not None
    assert response["selectable"] is False
    assert [job["job"] for job in response["jobs"]] == ["slides-1.tpf"]


async def test_get_jobs_needs_a_response(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """get_jobs only answers with a response; asked without one nothing is read."""
    simulator.reset_log()
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN, "get_jobs", {"user_id": USER_1}, blocking=True
        )
    assert simulator.counts["GetJobList"] == 0


async def test_get_jobs_unknown_id(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """An ID the server does not know: the registration-code error."""
    assert await refused(hass, "get_jobs", user_id="test-card-unknown") == (
        "unknown_user"
    )
    assert simulator.registration_printouts["test-card-unknown"] == 1


async def test_get_jobs_configured_unknown_id(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A configured person the server forgot is marked; later calls ask nothing."""
    del simulator.users[USER_2]
    assert await refused(hass, "get_jobs", user_id=USER_2) == "unknown_user"
    simulator.reset_log()
    assert await refused(hass, "get_jobs", user_id=USER_2) == "user_not_registered"
    assert await refused(hass, "delete_job", user_id=USER_2, job="x.tpf") == (
        "user_not_registered"
    )
    assert sent(simulator, "GetJobList", "DeleteJob") == 0


async def test_get_jobs_auth_failure_starts_reauth(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A refused password: the error, and a reauth flow."""
    simulator._password = "changed"
    assert await refused(hass, "get_jobs", user_id=USER_1) == "auth_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


# -- print_job ---------------------------------------------------------------------------


async def test_print_job_in_the_given_order(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A list of jobs prints in the order given; the response is print_all's."""
    response = await call(
        hass, "print_job", user_id=USER_1, job=[REPORT_2, REPORT_1], wait=True
    )
    assert response == {
        "jobs": [
            {
                "job": REPORT_2,
                "name": "report 2.pdf",
                "proc_id": 738886,
                "result": "completed",
            },
            {
                "job": REPORT_1,
                "name": "report 1.pdf",
                "proc_id": 738887,
                "result": "completed",
            },
        ]
    }
    assert [p.file_name for p in simulator.prints] == [REPORT_2, REPORT_1]


async def test_print_job_one_job(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """One file name prints that job alone; the other stays in the queue."""
    response = await call(hass, "print_job", user_id=USER_1, job=REPORT_2)
    assert response == {
        "jobs": [
            {
                "job": REPORT_2,
                "name": "report 2.pdf",
                "proc_id": None,
                "result": "queued",
            }
        ]
    }
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [p.file_name for p in simulator.prints] == [REPORT_2]
    assert [job.file_name for job in simulator.jobs_of(USER_1)] == [REPORT_1]


async def test_print_job_not_selectable(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The fresh list says X-FMP-Visible: 0: nothing is printed."""
    simulator.visible_for[USER_1] = "0"
    assert await refused(hass, "print_job", user_id=USER_1, job=REPORT_1) == (
        "selection_not_allowed"
    )
    assert simulator.counts["PrintJob"] == 0
    # The fresh list is remembered: a deletion is refused without asking.
    simulator.reset_log()
    assert await refused(hass, "delete_job", user_id=USER_1, job=REPORT_1) == (
        "selection_not_allowed"
    )
    assert sent(simulator, "DeleteJob", "GetJobList") == 0


async def test_print_job_not_found(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """One name not in the fresh list: none of the jobs is printed."""
    assert (
        await refused(hass, "print_job", user_id=USER_1, job=[REPORT_1, "gone.tpf"])
        == "job_not_found"
    )
    assert simulator.counts["PrintJob"] == 0
    # The person is free again and no cooldown started.
    response = await call(hass, "print_job", user_id=USER_1, job=REPORT_1, wait=True)
    assert response is not None
    assert [job["result"] for job in response["jobs"]] == ["completed"]


async def test_print_job_cooldown_is_per_job(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The same job again within the cooldown is refused; another job is not."""
    await call(hass, "print_job", user_id=USER_1, job=REPORT_1, delete=False, wait=True)
    simulator.reset_log()
    assert await refused(hass, "print_job", user_id=USER_1, job=REPORT_1) == (
        "release_cooldown"
    )
    assert await refused(
        hass, "print_job", user_id=USER_1, job=[REPORT_2, REPORT_1]
    ) == ("release_cooldown")
    assert sent(simulator, "PrintJob", "GetJobList") == 0
    response = await call(hass, "print_job", user_id=USER_1, job=REPORT_2, wait=True)
    assert response is not None
    assert [job["result"] for job in response["jobs"]] == ["completed"]
    # print_all keeps its cooldown per person: a single job did not start it.
    response = await call(hass, "print_all", user_id=USER_2, wait=True)
    assert response is not None


def printed(simulator: Simulator, file_name: str) -> int:
    """How many times a job was sent to print."""
    return sum(1 for job in simulator.prints if job.file_name == file_name)


async def test_print_job_then_print_all_prints_the_job_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A job printed alone is not printed again by a release of all within the cooldown."""
    await call(hass, "print_job", user_id=USER_1, job=REPORT_1, delete=False, wait=True)
    assert await refused(hass, "print_all", user_id=USER_1, delete=False) == (
        "release_cooldown"
    )
    assert printed(simulator, REPORT_1) == 1


async def test_print_all_then_print_job_prints_the_job_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A job a release of all printed is refused alone within the cooldown."""
    await call(hass, "print_all", user_id=USER_1, delete=False, wait=True)
    assert await refused(
        hass, "print_job", user_id=USER_1, job=REPORT_1, delete=False
    ) == ("release_cooldown")
    assert printed(simulator, REPORT_1) == 1


async def test_stale_job_name_does_not_fill_the_rate_window(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A looping automation with a job name that is gone does not lock out the station."""
    for _ in range(30):
        assert await refused(hass, "print_job", user_id=USER_1, job="typo.tpf") == (
            "job_not_found"
        )
    assert simulator.counts["PrintJob"] == 0
    response = await call(hass, "print_all", user_id=USER_2, wait=True)
    assert response is not None
    assert {job["result"] for job in response["jobs"]} == {"completed"}


async def test_print_job_busy(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """One release of a person at a time, single jobs included."""
    simulator.users[USER_1].jobs[0].step_delay = 0.2
    task = hass.async_create_task(
        call(hass, "print_job", user_id=USER_1, job=REPORT_1, wait=True)
    )
    await asyncio.wait_for(simulator.wait_running(), 5)
    assert await refused(hass, "print_job", user_id=USER_1, job=REPORT_2) == (
        "release_already_releasing"
    )
    await hass.services.async_call(DOMAIN, "cancel", {"user_id": USER_1}, blocking=True)
    await task


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"job": []}, "invalid_field"),
        ({"job": ["a.tpf", " "]}, "invalid_field"),
        ({"job": 5}, "invalid_field"),
        ({}, "invalid_field"),
        ({"job": "a.tpf", "copies": 0}, "invalid_copies"),
    ],
)
async def test_print_job_bad_input(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    data: dict[str, Any],
    key: str,
) -> None:
    """Bad fields are refused before anything is asked."""
    simulator.reset_log()
    assert await refused(hass, "print_job", user_id=USER_1, **data) == key
    assert sum(simulator.counts.values()) == 0


async def test_print_job_repeats_are_printed_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A name given twice is printed once."""
    response = await call(
        hass, "print_job", user_id=USER_1, job=[REPORT_1, REPORT_1], wait=True
    )
    assert response is not None
    assert [job["job"] for job in response["jobs"]] == [REPORT_1]


# -- delete_job and hold_job ---------------------------------------------------------------


async def test_delete_job(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A listed job is deleted: an event, the event entity, the last release sensor."""
    events = async_capture_events(hass, EVENT_PRINT_PROGRESS)
    await call(hass, "delete_job", user_id=USER_1, job=REPORT_1)
    await hass.async_block_till_done()
    assert [job.file_name for job in simulator.jobs_of(USER_1)] == [REPORT_2]
    assert [e.data for e in events] == [
        {
            "config_entry_id": init_integration.entry_id,
            "user_id": USER_1,
            "job": REPORT_1,
            "name": "report 1.pdf",
            "proc_id": None,
            "status": "deleted",
            "done": 0,
            "total": None,
            "unit": None,
        }
    ]
    event = hass.states.get("event.alice_release")
    assert event is not None
    assert event.attributes["event_type"] == "deleted"
    assert (event.attributes["job"], event.attributes["file_name"]) == (
        "report 1.pdf",
        REPORT_1,
    )
    last = hass.states.get("sensor.alice_last_release")
    assert last is not None
    assert (last.state, last.attributes["job"]) == ("deleted", "report 1.pdf")
    # The list is read again: the pending sensor follows.
    await hass.async_block_till_done(wait_background_tasks=True)
    pending = hass.states.get("sensor.alice_pending_jobs")
    assert pending is not None
    assert pending.state == "1"
    # Gone from the remembered list: deleting it again asks nothing.
    simulator.reset_log()
    assert await refused(hass, "delete_job", user_id=USER_1, job=REPORT_1) == (
        "job_not_found"
    )
    assert simulator.counts["DeleteJob"] == 0


async def test_delete_job_not_selectable(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """X-FMP-Visible: 0 in the latest list: nothing is deleted or held."""
    simulator.visible_for[USER_1] = "0"
    await call(hass, "get_jobs", user_id=USER_1)
    simulator.reset_log()
    assert await refused(hass, "delete_job", user_id=USER_1, job=REPORT_1) == (
        "selection_not_allowed"
    )
    assert await refused(hass, "hold_job", user_id=USER_1, job=REPORT_1, hold=True) == (
        "selection_not_allowed"
    )
    assert sum(simulator.counts.values()) == 0
    assert len(simulator.jobs_of(USER_1)) == 2


async def test_delete_job_needs_a_list(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A card whose list was never read: refused; after get_jobs it works."""
    simulator.add_user(CARD, make_jobs("card", 1))
    simulator.reset_log()
    assert await refused(hass, "delete_job", user_id=CARD, job="card-1.tpf") == (
        "selection_not_allowed"
    )
    assert sum(simulator.counts.values()) == 0
    await call(hass, "get_jobs", user_id=CARD)
    await call(hass, "delete_job", user_id=CARD, job="card-1.tpf")
    assert simulator.jobs_of(CARD) == []


async def test_delete_job_not_found(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A job not in the latest list: refused, nothing sent."""
    simulator.reset_log()
    assert await refused(hass, "delete_job", user_id=USER_1, job="other.tpf") == (
        "job_not_found"
    )
    assert await refused(
        hass, "hold_job", user_id=USER_1, job="other.tpf", hold=False
    ) == ("job_not_found")
    assert sum(simulator.counts.values()) == 0


async def test_delete_job_server_refuses(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A job gone on the server since the list was read: the server's error."""
    simulator.users[USER_1].jobs.pop(0)
    assert await refused(hass, "delete_job", user_id=USER_1, job=REPORT_1) == (
        "server_error"
    )


async def test_printing_job_is_not_deleted_or_held(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The job printing and the one queued after it are neither deleted nor held."""
    simulator.users[USER_1].jobs[1].step_delay = 0.2
    task = hass.async_create_task(
        call(hass, "print_job", user_id=USER_1, job=[REPORT_2, REPORT_1], wait=True)
    )
    await asyncio.wait_for(simulator.wait_running(), 5)
    for job in (REPORT_2, REPORT_1):
        assert await refused(hass, "delete_job", user_id=USER_1, job=job) == (
            "job_printing"
        )
        assert await refused(hass, "hold_job", user_id=USER_1, job=job, hold=True) == (
            "job_printing"
        )
    assert sent(simulator, "DeleteJob", "SetJobProperties") == 0
    await hass.services.async_call(DOMAIN, "cancel", {"user_id": USER_1}, blocking=True)
    await task


async def test_no_action_while_a_release_reads_its_list(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Before a release's list is read, any of the person's jobs may be in it."""
    simulator.stall("GetJobList", 0.3)
    task = hass.async_create_task(call(hass, "print_all", user_id=USER_1, wait=True))
    await asyncio.wait_for(simulator.wait_requests("GetJobList"), 5)
    assert await refused(hass, "delete_job", user_id=USER_1, job=REPORT_1) == (
        "job_printing"
    )
    assert simulator.counts["DeleteJob"] == 0
    await task


async def test_get_jobs_and_print_job_read_both_lists_at_once(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A person the server knows: get_jobs and print_job's read take one round trip."""
    simulator.users[USER_1].jobs[0].on_hold = True
    simulator.reset_log()
    simulator.stall("GetJobList", 0.5)
    response = await call(hass, "get_jobs", user_id=USER_1)
    assert response is not None
    assert [job["on_hold"] for job in response["jobs"]] == [True, False]
    assert simulator.counts["GetJobList"] == 2
    assert simulator.max_in_flight == 2

    simulator.reset_log()
    await call(hass, "print_job", user_id=USER_1, job=REPORT_1, wait=True)
    lists = [r for r in simulator.requests if r.cmd == "GetJobList"][:2]
    assert sorted(str(r.params.get("ShowPutOnHoldJobs")) for r in lists) == [
        "1",
        "None",
    ]
    assert abs(lists[0].at - lists[1].at) < 0.25
    assert [p.file_name for p in simulator.prints] == [REPORT_1]


async def test_get_jobs_of_an_unknown_card_asks_one_list(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A card the server does not know: one request, one registration sheet."""
    simulator.reset_log()
    assert await refused(hass, "get_jobs", user_id=CARD) == "unknown_user"
    assert simulator.counts["GetJobList"] == 1
    assert simulator.registration_printouts[CARD] == 1


async def test_hold_job(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Hold puts the job on hold; hold false takes it back (SetJobProperties)."""
    await call(hass, "hold_job", user_id=USER_1, job=REPORT_1, hold=True)
    assert simulator.users[USER_1].jobs[0].on_hold
    response = await call(hass, "get_jobs", user_id=USER_1)
    assert response is not None
    assert [job["on_hold"] for job in response["jobs"]] == [True, False]
    # print_all leaves it; its list (without held jobs) keeps it known as held.
    await call(hass, "print_all", user_id=USER_1, wait=True)
    assert [p.file_name for p in simulator.prints] == [REPORT_2]
    await call(hass, "hold_job", user_id=USER_1, job=REPORT_1, hold="false")
    assert not simulator.users[USER_1].jobs[0].on_hold
    queries = [r.params for r in simulator.requests if r.cmd == "SetJobProperties"]
    assert [q.get("PutOnHold") for q in queries] == ["1", "0"]


async def test_hold_refused_with_code_3_keeps_a_registered_person(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A person the server knows may not run SetJobProperties: they are not unknown."""

    def refuse(_query: Any, _user: Any) -> None:
        raise simulator_server._TpfmError(3)

    monkeypatch.setattr(simulator, "_set_job_properties", refuse)
    await call(hass, "get_jobs", user_id=USER_1)
    assert await refused(hass, "hold_job", user_id=USER_1, job=REPORT_1, hold=True) == (
        "unknown_user"
    )
    coordinator = init_integration.runtime_data.coordinator
    subentry_id = coordinator.subentry_of(USER_1)
    assert subentry_id is not None
    assert not coordinator.is_unregistered(subentry_id)
    assert simulator.registration_printouts == {}
    response = await call(hass, "print_all", user_id=USER_1, wait=True)
    assert response is not None
    assert {job["result"] for job in response["jobs"]} == {"completed"}


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("delete_job", {"job": ["a.tpf"]}),
        ("delete_job", {"job": " "}),
        ("hold_job", {"job": "a.tpf"}),
        ("hold_job", {"job": "a.tpf", "hold": "maybe"}),
    ],
)
async def test_delete_and_hold_bad_input(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    service: str,
    data: dict[str, Any],
) -> None:
    """One file name, and hold true or false."""
    assert await refused(hass, service, user_id=USER_1, **data) == "invalid_field"


async def test_missing_person(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Each action needs a user ID or a device."""
    for service, data in (
        ("get_jobs", {}),
        ("print_job", {"job": REPORT_1}),
        ("delete_job", {"job": REPORT_1}),
        ("hold_job", {"job": REPORT_1, "hold": True}),
    ):
        assert await refused(hass, service, **data) == "missing_user"


# -- the functions a panel calls -----------------------------------------------------------


async def test_functions_take_entry_and_user(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The module's functions work on a station and a user ID, without a service."""
    listed = await async_get_jobs(init_integration, USER_2)
    assert listed["selectable"] is True
    await async_delete_job(init_integration, USER_2, "slides-1.tpf")
    assert simulator.jobs_of(USER_2) == []


async def test_no_user_id_in_logs(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No action writes a user ID to the log, refused or not."""
    caplog.set_level(logging.DEBUG, logger="custom_components.ezeep")
    simulator.add_user(CARD, make_jobs("card", 2))
    fired: list[Event] = async_capture_events(hass, EVENT_PRINT_PROGRESS)
    await call(hass, "get_jobs", user_id=CARD)
    await call(hass, "hold_job", user_id=CARD, job="card-2.tpf", hold=True)
    await call(hass, "print_job", user_id=CARD, job="card-1.tpf", wait=True)
    await refused(hass, "print_job", user_id=CARD, job="card-1.tpf")
    await call(hass, "delete_job", user_id=CARD, job="card-2.tpf")
    await refused(hass, "delete_job", user_id=CARD, job="card-2.tpf")
    await refused(hass, "get_jobs", user_id="test-card-unknown")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert fired
    ours = [r for r in caplog.records if r.name.startswith("custom_components.ezeep")]
    for user_id in (CARD, "test-card-unknown", USER_1, USER_2):
        assert all(user_id not in r.getMessage() for r in ours)
