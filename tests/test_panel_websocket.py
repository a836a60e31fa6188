"""The release panel's websocket commands, as a non-admin user, against the simulator."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import json
import logging
from typing import Any
from unittest.mock import AsyncMock

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import (
    MockHAClientWebSocket,
    WebSocketGenerator,
)

from custom_components.ezeep.coordinator.printer import PrinterNotReadyError
from custom_components.ezeep.printer import PrinterState, PrinterStatus
from tests.conftest import UNKNOWN_USER, USER_1, USER_2, bind_readers, settle
from tests.simulator import SimJob, Simulator


class PanelClient:
    """A card's websocket connection: commands, and the events of its subscription."""

    def __init__(self, ws: MockHAClientWebSocket) -> None:
        self.ws = ws
        self._id = 0
        self.events: list[dict[str, Any]] = []
        self.received: list[str] = []  # every message, as sent (to look for IDs)
        self._results: dict[int, dict[str, Any]] = {}
        self._sub_id: int | None = None

    async def _receive(self) -> None:
        msg = await self.ws.receive_json()
        self.received.append(json.dumps(msg))
        if msg["type"] == "event" and msg["id"] == self._sub_id:
            self.events.append(msg["event"])
        elif msg["type"] == "result":
            self._results[msg["id"]] = msg

    async def start(self, msg_type: str, **data: Any) -> int:
        """Send a command without waiting for its answer; return its message ID."""
        self._id += 1
        await self.ws.send_json({"id": self._id, "type": msg_type, **data})
        return self._id

    async def answer(self, msg_id: int) -> dict[str, Any]:
        """Wait for a started command's whole result message."""
        async with asyncio.timeout(10):
            while msg_id not in self._results:
                await self._receive()
        return self._results.pop(msg_id)

    async def send(self, msg_type: str, **data: Any) -> dict[str, Any]:
        """Send a command; return its whole result message."""
        return await self.answer(await self.start(msg_type, **data))

    async def call(self, msg_type: str, **data: Any) -> Any:
        """Send a command; return its result (fail on an error)."""
        msg = await self.send(msg_type, **data)
        assert msg["success"], msg
        return msg["result"]

    async def error(self, msg_type: str, **data: Any) -> dict[str, Any]:
        """Send a command that must fail; return its error."""
        msg = await self.send(msg_type, **data)
        assert not msg["success"], msg
        error: dict[str, Any] = msg["error"]
        return error

    async def subscribe(self, entry_id: str, **data: Any) -> None:
        """Subscribe to the panel's events."""
        self._id += 1
        self._sub_id = self._id
        await self.ws.send_json(
            {"id": self._sub_id, "type": "ezeep/panel/subscribe", "entry_id": entry_id}
            | data
        )
        async with asyncio.timeout(10):
            while self._sub_id not in self._results:
                await self._receive()
        result = self._results.pop(self._sub_id)
        assert result["success"], result

    async def event(self, event_type: str, seconds: float = 10) -> dict[str, Any]:
        """Wait for the next event of a type (earlier ones of other types stay)."""
        async with asyncio.timeout(seconds):
            while True:
                for index, event in enumerate(self.events):
                    if event["type"] == event_type:
                        return self.events.pop(index)
                await self._receive()

    async def sign_in(self, entry_id: str, user_id: str) -> dict[str, Any]:
        """Sign in with a typed ID."""
        result: dict[str, Any] = await self.call(
            "ezeep/panel/sign_in", entry_id=entry_id, user_id=user_id
        )
        return result


@pytest.fixture(name="panel")
async def panel_fixture(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
    hass_read_only_user: MockUser,
) -> PanelClient:
    """A non-admin user's panel connection, subscribed to the station.

    An admin bound the reader ``reader-1`` to this user's panel after it subscribed
    (so this subscription listens to no reader).
    """
    client = PanelClient(await hass_ws_client(hass, hass_read_only_access_token))
    await client.subscribe(init_integration.entry_id)
    bind_readers(hass, init_integration, hass_read_only_user.id, ["reader-1"])
    await hass.async_block_till_done()
    return client


def requests(simulator: Simulator) -> list[str]:
    """The commands the simulator answered since its log was reset."""
    return [req.cmd for req in simulator.requests]


async def test_selection_needs_visible(
    panel: PanelClient, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Without X-FMP-Visible: 1, single-job commands are refused and nothing is sent."""
    session = (await panel.sign_in(init_integration.entry_id, USER_1))["session"]
    simulator.reset_log()
    for msg_type, data in (
        ("ezeep/panel/release", {"jobs": ["report-1.tpf"]}),
        ("ezeep/panel/delete", {"job": "report-1.tpf"}),
        ("ezeep/panel/hold", {"job": "report-1.tpf", "hold": True}),
    ):
        error = await panel.error(msg_type, session=session, **data)
        assert error["code"] == "selection_not_allowed", msg_type
        assert error["translation_key"] == "selection_not_allowed"
    assert requests(simulator) == []


async def test_job_not_found_sends_nothing(
    panel: PanelClient, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A job that is not in the latest list is refused before any request."""
    simulator.visible = "1"
    session = (await panel.sign_in(init_integration.entry_id, USER_1))["session"]
    simulator.reset_log()
    for msg_type, data in (
        ("ezeep/panel/release", {"jobs": ["report-1.tpf", "other.tpf"]}),
        ("ezeep/panel/release", {"jobs": []}),
        ("ezeep/panel/delete", {"job": "other.tpf"}),
        ("ezeep/panel/hold", {"job": "other.tpf", "hold": True}),
    ):
        error = await panel.error(msg_type, session=session, **data)
        assert error["code"] == "job_not_found", (msg_type, data)
    assert requests(simulator) == []


async def test_release_selected_with_progress(
    hass: HomeAssistant,
    panel: PanelClient,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Release selected: only those jobs print, in the given order, with progress events."""
    simulator.visible = "1"
    simulator.add_job(USER_1, SimJob("third.tpf", "Third.pdf", created=1_800_000_000))
    session = (await panel.sign_in(init_integration.entry_id, USER_1))["session"]
    result = await panel.call(
        "ezeep/panel/release",
        session=session,
        jobs=["third.tpf", "report-1.tpf"],
        copies=2,
    )
    assert result == {
        "jobs": [
            {"job": "third.tpf", "name": "Third.pdf", "result": "queued"},
            {"job": "report-1.tpf", "name": "report 1.pdf", "result": "queued"},
        ]
    }
    started = await panel.event("progress")
    assert started["status"] == "started"
    assert started["job"] == "third.tpf"
    assert started["session"] == session
    assert "user_id" not in started
    jobs = await panel.event("release_finished")
    assert [job["job"] for job in jobs["jobs"]] == ["report-2.tpf"]
    assert [(p.file_name, p.copies) for p in simulator.prints] == [
        ("third.tpf", 2),
        ("report-1.tpf", 2),
    ]
    statuses = [e["status"] for e in panel.events if e["type"] == "progress"]
    assert statuses.count("completed") == 2
    # Signed out a few seconds after the release finished.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    assert (await panel.event("signed_out"))["reason"] == "released"
    error = await panel.error("ezeep/panel/jobs", session=session)
    assert error["code"] == "session_expired"


async def test_release_all_without_visible(
    panel: PanelClient, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Release all works without X-FMP-Visible (like ezeep.print_all)."""
    session = (await panel.sign_in(init_integration.entry_id, USER_2))["session"]
    result = await panel.call("ezeep/panel/release", session=session, jobs=None)
    assert [job["job"] for job in result["jobs"]] == ["slides-1.tpf"]
    await panel.event("release_finished")
    assert [p.file_name for p in simulator.prints] == ["slides-1.tpf"]


async def test_release_refused_in_cooldown(
    panel: PanelClient, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The release manager's refusals arrive as errors with their codes."""
    session = (await panel.sign_in(init_integration.entry_id, USER_2))["session"]
    await panel.call("ezeep/panel/release", session=session)
    await panel.event("release_finished")
    error = await panel.error("ezeep/panel/release", session=session)
    assert error["code"] == "cooldown"
    assert error["translation_key"] == "release_cooldown"


async def test_delete_and_hold(
    panel: PanelClient, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Delete and hold act on the server and answer the new list."""
    simulator.visible = "1"
    session = (await panel.sign_in(init_integration.entry_id, USER_1))["session"]
    simulator.reset_log()
    result = await panel.call("ezeep/panel/delete", session=session, job="report-1.tpf")
    assert [job["job"] for job in result["jobs"]] == ["report-2.tpf"]
    assert requests(simulator)[0] == "DeleteJob"
    # The deletion's ezeep_print_progress (status deleted) is not a release's progress.
    assert not [event for event in panel.events if event["type"] == "progress"]
    result = await panel.call(
        "ezeep/panel/hold", session=session, job="report-2.tpf", hold=True
    )
    assert result["jobs"][0]["on_hold"] is True
    assert simulator.jobs_of(USER_1)[0].on_hold
    result = await panel.call(
        "ezeep/panel/hold", session=session, job="report-2.tpf", hold=False
    )
    assert result["jobs"][0]["on_hold"] is False
    simulator.users[USER_1].jobs.clear()
    error = await panel.error("ezeep/panel/delete", session=session, job="report-2.tpf")
    # The server's answer (code 5), through the error table like the services'.
    assert error["code"] == "server_error"
    assert error["translation_key"] == "server_error"


async def test_printing_job_cannot_be_deleted_or_held(
    panel: PanelClient, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A job of the running release is refused for delete and hold; cancel stops it."""
    simulator.visible = "1"
    simulator.users[USER_1].jobs[0].step_delay = 5
    session = (await panel.sign_in(init_integration.entry_id, USER_1))["session"]
    await panel.call("ezeep/panel/release", session=session, jobs=["report-1.tpf"])
    await panel.event("progress")
    simulator.reset_log()
    for msg_type, data in (
        ("ezeep/panel/delete", {"job": "report-1.tpf"}),
        ("ezeep/panel/hold", {"job": "report-1.tpf", "hold": True}),
    ):
        error = await panel.error(msg_type, session=session, **data)
        assert error["code"] == "job_printing"
    assert requests(simulator) == []
    assert await panel.call("ezeep/panel/cancel", session=session) == {"canceled": True}
    canceled = await panel.event("release_finished")
    assert [job["job"] for job in canceled["jobs"]] == ["report-1.tpf", "report-2.tpf"]
    assert simulator.prints[-1].result == 10
    assert await panel.call("ezeep/panel/cancel", session=session) == {
        "canceled": False
    }


async def test_print_error_event(
    panel: PanelClient, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A job the server fails arrives as an error event with the server's text."""
    simulator.add_user(
        USER_2, [SimJob("bad.tpf", "Bad.pdf", fail_code=1, error_text="Paper jam")]
    )
    session = (await panel.sign_in(init_integration.entry_id, USER_2))["session"]
    await panel.call("ezeep/panel/release", session=session)
    error = await panel.event("error")
    assert error["job"] == "bad.tpf"
    assert error["translation_key"] == "print_failed"
    assert error["placeholders"] == {"name": "Bad.pdf", "error": "Paper jam"}
    assert error["session"] == session


async def test_no_id_in_logs_or_messages(
    hass: HomeAssistant,
    panel: PanelClient,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No ID appears in the log or in anything sent to the browser."""
    caplog.set_level(logging.DEBUG)
    simulator.visible = "1"
    session = (await panel.sign_in(init_integration.entry_id, USER_1))["session"]
    await panel.call("ezeep/panel/hold", session=session, job="report-2.tpf", hold=True)
    await panel.call("ezeep/panel/release", session=session)
    await panel.event("release_finished")
    await panel.error(
        "ezeep/panel/sign_in", entry_id=init_integration.entry_id, user_id=UNKNOWN_USER
    )
    await panel.error(
        "ezeep/panel/sign_in", entry_id=init_integration.entry_id, user_id=UNKNOWN_USER
    )
    await panel.call("ezeep/panel/sign_out", session=session)
    # The simulator (the server's side) logs who asked; Home Assistant's side must not.
    logged = "\n".join(
        record.getMessage()
        for record in caplog.records
        if not record.name.startswith("tests.")
    )
    for user_id in (USER_1, UNKNOWN_USER):
        assert user_id not in "".join(panel.received)
        assert user_id not in logged


async def test_release_of_a_job_gone_from_the_server(
    panel: PanelClient, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A chosen job that left the server's list since is refused before any PrintJob."""
    simulator.visible = "1"
    session = (await panel.sign_in(init_integration.entry_id, USER_1))["session"]
    simulator.users[USER_1].jobs.pop(0)
    simulator.reset_log()
    error = await panel.error(
        "ezeep/panel/release", session=session, jobs=["report-2.tpf", "report-1.tpf"]
    )
    assert error["code"] == "job_not_found"
    # The fresh list of jobs.py (with held jobs, then without), then no PrintJob.
    assert requests(simulator) == ["GetJobList", "GetJobList"]
    assert simulator.prints == []


async def test_printer_not_ready(
    panel: PanelClient, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A printer that is not ready refuses the release with its reason; nothing prints."""
    releases = init_integration.runtime_data.releases
    releases.readiness_check = AsyncMock(
        side_effect=PrinterNotReadyError(
            PrinterStatus(PrinterState.BLOCKED, reasons=("Paper jam",))
        )
    )
    session = (await panel.sign_in(init_integration.entry_id, USER_1))["session"]
    simulator.reset_log()
    error = await panel.error("ezeep/panel/release", session=session)
    assert error["code"] == "printer_not_ready"
    assert error["translation_placeholders"] == {"reason": "Paper jam"}
    assert requests(simulator) == []


async def test_release_all_refused_for_a_person_the_server_forgot(
    panel: PanelClient, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Signed in, then found unknown (by a poll): Release all asks the server nothing."""
    session = (await panel.sign_in(init_integration.entry_id, USER_1))["session"]
    init_integration.runtime_data.coordinator.async_mark_unregistered(USER_1)
    simulator.reset_log()
    error = await panel.error("ezeep/panel/release", session=session, jobs=None)
    assert error["translation_key"] == "user_not_registered"
    assert requests(simulator) == []


async def test_pending_hold_answer_after_a_newer_sign_in(
    hass: HomeAssistant,
    panel: PanelClient,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A's hold is pending when B scans: the hold is done, A's list is not answered."""
    simulator.visible = "1"
    await panel.subscribe(init_integration.entry_id, reader_device_ids=["reader-1"])
    session = (await panel.sign_in(init_integration.entry_id, USER_1))["session"]
    simulator.stall_user(USER_1, 0.5)
    hold = await panel.start(
        "ezeep/panel/hold", session=session, job="report-1.tpf", hold=True
    )
    await asyncio.sleep(0.1)
    hass.bus.async_fire("tag_scanned", {"tag_id": USER_2, "device_id": "reader-1"})
    answer = await panel.answer(hold)
    assert (await panel.event("signed_in"))["name"] == "Bob"
    assert not answer["success"], answer  # A's jobs would show under Bob's name
    assert answer["error"]["code"] == "session_expired"
    assert simulator.jobs_of(USER_1)[0].on_hold


async def test_release_goes_on_after_sign_out(
    hass: HomeAssistant,
    panel: PanelClient,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Sign out while the release is admitted: it prints; its answer is session_expired."""
    session = (await panel.sign_in(init_integration.entry_id, USER_1))["session"]
    simulator.stall("GetJobList", 0.5)
    simulator.reset_log()
    release = await panel.start("ezeep/panel/release", session=session)
    await simulator.wait_requests("GetJobList", 1)
    assert await panel.call("ezeep/panel/sign_out", session=session) is None
    answer = await panel.answer(release)
    assert not answer["success"], answer
    assert answer["error"]["code"] == "session_expired"
    await simulator.wait_idle()
    await settle(hass)
    assert requests(simulator).count("PrintJob") == 2
