"""Release panel sessions: bound to their connection, idle expiry, sign-out, unknown IDs."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ezeep.panel.session import async_get_sessions
from custom_components.ezeep.tpfm import TpfmAuthError, TpfmServerOsError
from tests.conftest import USER_1, USER_2, make_jobs, settle
from tests.simulator import Simulator
from tests.test_panel_websocket import PanelClient, panel_fixture, requests  # noqa: F401 - the panel fixture


async def test_session_belongs_to_its_connection(
    hass: HomeAssistant,
    panel: PanelClient,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    """Another connection (even of the same user) cannot use a session's token."""
    session = (await panel.sign_in(init_integration.entry_id, USER_1))["session"]
    other = PanelClient(await hass_ws_client(hass, hass_read_only_access_token))
    error = await other.error("ezeep/panel/jobs", session=session)
    assert error["code"] == "session_expired"
    assert (await panel.call("ezeep/panel/jobs", session=session))["jobs"]


async def test_sign_out_and_close_end_sessions(
    hass: HomeAssistant, panel: PanelClient, init_integration: MockConfigEntry
) -> None:
    """Signing out or closing the connection ends the session on the server."""
    session = (await panel.sign_in(init_integration.entry_id, USER_1))["session"]
    assert await panel.call("ezeep/panel/sign_out", session=session) is None
    error = await panel.error("ezeep/panel/jobs", session=session)
    assert error["code"] == "session_expired"
    await panel.sign_in(init_integration.entry_id, USER_2)
    sessions = async_get_sessions(hass)
    assert len(list(sessions)) == 1
    await panel.ws.close()
    await settle(hass)
    assert list(sessions) == []
    assert sessions.subscriptions == []


async def test_idle_timeout(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    """A session ends after the card's idle timeout without a command."""
    panel = PanelClient(await hass_ws_client(hass, hass_read_only_access_token))
    await panel.subscribe(init_integration.entry_id, idle_timeout=10)
    session = (await panel.sign_in(init_integration.entry_id, USER_1))["session"]
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=8))
    await panel.call("ezeep/panel/jobs", session=session)  # activity: timer restarts
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=8))
    assert await panel.call("ezeep/panel/touch", session=session) is None
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=8))
    assert panel.events == []
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    await hass.async_block_till_done()
    assert (await panel.event("signed_out"))["reason"] == "idle"


async def test_server_errors_are_translated(
    hass: HomeAssistant,
    panel: PanelClient,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Failures of the server map to translated errors; a refused password asks reauth."""
    simulator.visible = "1"
    session = (await panel.sign_in(init_integration.entry_id, USER_1))["session"]
    client = init_integration.runtime_data.client
    with patch.object(
        client, "delete_job", side_effect=TpfmServerOsError(error_text="Disk full")
    ):
        error = await panel.error(
            "ezeep/panel/delete", session=session, job="report-1.tpf"
        )
    assert error["code"] == "server_error"
    assert error["translation_placeholders"] == {"error": "Disk full"}
    simulator.http_error("GetJobList", 500)
    error = await panel.error("ezeep/panel/jobs", session=session)
    assert error["code"] == "connection_error"  # the code of ezeep_print_error
    assert error["translation_key"] == "cannot_connect"
    simulator.clear_faults()
    with patch.object(client, "get_job_list", side_effect=TpfmAuthError()):
        error = await panel.error("ezeep/panel/jobs", session=session)
    assert error["code"] == "auth_failed"
    await hass.async_block_till_done()
    assert any(
        flow["context"]["source"] == "reauth"
        for flow in hass.config_entries.flow.async_progress()
    )


async def test_reload_ends_sessions(
    hass: HomeAssistant, panel: PanelClient, init_integration: MockConfigEntry
) -> None:
    """A session does not outlive a reload of its station."""
    session = (await panel.sign_in(init_integration.entry_id, USER_1))["session"]
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    error = await panel.error("ezeep/panel/jobs", session=session)
    assert error["code"] == "session_expired"
    assert list(async_get_sessions(hass)) == []


async def test_no_idle_sign_out_while_releasing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    """The idle timeout waits for a running release; a failed list read still signs out."""
    panel = PanelClient(await hass_ws_client(hass, hass_read_only_access_token))
    await panel.subscribe(init_integration.entry_id, idle_timeout=5)
    simulator.add_user(USER_2, make_jobs("long", 1, steps=3, step_delay=0.3))
    session = (await panel.sign_in(init_integration.entry_id, USER_2))["session"]
    await panel.call("ezeep/panel/release", session=session)
    await panel.event("progress")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await hass.async_block_till_done()
    assert [e["type"] for e in panel.events if e["type"] == "signed_out"] == []
    simulator.http_error("GetJobList", 500)  # the list after the release fails
    await simulator.wait_idle()
    await settle(hass)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=12))
    assert (await panel.event("signed_out"))["reason"] == "released"
    finished = [e for e in panel.events if e["type"] == "release_finished"]
    assert finished == [{"type": "release_finished", "session": session}]  # no list


async def test_sign_in_without_subscription(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    """A sign-in without a subscription works; its events go nowhere."""
    panel = PanelClient(await hass_ws_client(hass, hass_read_only_access_token))
    result = await panel.sign_in(init_integration.entry_id, USER_1)
    assert result["name"] == "Alice"
    await panel.ws.close()
    await settle(hass)
    assert list(async_get_sessions(hass)) == []


async def test_no_idle_sign_out_while_release_admitted(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    """Idle fires while the release waits for GetJobList: the session stays, jobs print."""
    panel = PanelClient(await hass_ws_client(hass, hass_read_only_access_token))
    await panel.subscribe(init_integration.entry_id, idle_timeout=5)
    session = (await panel.sign_in(init_integration.entry_id, USER_1))["session"]
    simulator.stall("GetJobList", 1.0)
    simulator.reset_log()
    release = await panel.start("ezeep/panel/release", session=session)
    await simulator.wait_requests("GetJobList", 1)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await hass.async_block_till_done()
    answer = await panel.answer(release)
    assert answer["success"], answer
    assert len(answer["result"]["jobs"]) == 2
    assert [e for e in panel.events if e["type"] == "signed_out"] == []
    assert [s.token for s in async_get_sessions(hass)] == [session]
    await simulator.wait_idle()
    await settle(hass)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=12))
    assert (await panel.event("signed_out"))["reason"] == "released"


async def test_refused_second_release_keeps_the_session_releasing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    """A second release refused while the first prints: still releasing, no idle end."""
    panel = PanelClient(await hass_ws_client(hass, hass_read_only_access_token))
    await panel.subscribe(init_integration.entry_id, idle_timeout=5)
    simulator.add_user(USER_2, make_jobs("long", 1, steps=3, step_delay=0.3))
    session = (await panel.sign_in(init_integration.entry_id, USER_2))["session"]
    await panel.call("ezeep/panel/release", session=session)
    await panel.event("progress")
    error = await panel.error("ezeep/panel/release", session=session)
    assert error["code"] == "already_releasing"
    (panel_session,) = async_get_sessions(hass)
    assert panel_session.releasing
    assert panel_session.admitting == 0
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await hass.async_block_till_done()
    assert [e for e in panel.events if e["type"] == "signed_out"] == []
    assert (await panel.event("progress"))["status"] in ("printing", "completed")
