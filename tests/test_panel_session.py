"""Release panel sessions: bound to their connection, idle expiry, sign-out, unknown IDs."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ezeep.panel.session import UNKNOWN_MEMORY, async_get_sessions
from tests.conftest import USER_1, USER_2, settle
from tests.test_panel_websocket import PanelClient


@pytest.fixture
async def panel(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> PanelClient:
    """A non-admin user's panel connection, subscribed to the station."""
    client = PanelClient(await hass_ws_client(hass, hass_read_only_access_token))
    await client.subscribe(init_integration.entry_id)
    return client


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


async def test_unknown_memory_is_bounded(hass: HomeAssistant) -> None:
    """Many different unknown cards do not grow the memory without limit."""
    unknown = async_get_sessions(hass).unknown
    for n in range(UNKNOWN_MEMORY + 10):
        unknown.remember("entry", f"card-{n}")
    assert len(unknown._until) == UNKNOWN_MEMORY
    unknown.check("entry", "card-0")  # forgotten: asked again
    with pytest.raises(Exception, match="unknown_user_hold_off"):
        unknown.check("entry", f"card-{UNKNOWN_MEMORY + 9}")
