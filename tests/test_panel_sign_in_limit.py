"""The limit on guessing IDs at the panel: failed sign-ins per user and connection."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ezeep.const import DOMAIN
from custom_components.ezeep.panel.sign_in_limit import (
    FAILURE_WINDOW,
    MAX_FAILURES,
    MAX_WAIT,
    SignInLockedError,
    async_get_limiter,
)
from tests.conftest import USER_1, bind_readers, settle
from tests.simulator import Simulator
from tests.test_panel_websocket import PanelClient, requests


async def _fail(panel: PanelClient, entry_id: str, user_id: str) -> str:
    """A sign-in that must fail; return its error code."""
    error = await panel.error("ezeep/panel/sign_in", entry_id=entry_id, user_id=user_id)
    return str(error["code"])


async def _wait(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: int
) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await settle(hass)


async def test_guessing_locks_the_user_out_across_connections(  # noqa: PLR0917 - fixtures
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_user: MockUser,
    hass_read_only_access_token: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """5 failures in a minute from one user's two tabs: the 6th and a valid ID wait."""
    entry_id = init_integration.entry_id
    one = PanelClient(await hass_ws_client(hass, hass_read_only_access_token))
    two = PanelClient(await hass_ws_client(hass, hass_read_only_access_token))
    codes = [
        await _fail(one, entry_id, "test-card-01"),  # a registration sheet
        await _fail(one, entry_id, "a:b"),
        await _fail(two, entry_id, "test-card-01"),  # held off by the guard
        await _fail(two, entry_id, "test-card-02"),
        await _fail(one, entry_id, "   "),
    ]
    assert codes == ["unknown_user", "invalid_user_id"] + ["unknown_user"] * 2 + [
        "invalid_user_id"
    ]
    simulator.reset_log()
    for panel, user_id in ((two, "test-card-03"), (one, USER_1)):
        error = await panel.error(
            "ezeep/panel/sign_in", entry_id=entry_id, user_id=user_id
        )
        assert error["code"] == "sign_in_locked"
        assert error["translation_key"] == "sign_in_locked"
        assert error["translation_placeholders"] == {"seconds": "30"}
    assert requests(simulator) == []
    issue_id = f"sign_in_locked_{hass_read_only_user.id}"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {
        "user": hass_read_only_user.name,
        "minutes": "1",
    }
    await _wait(hass, freezer, 20)
    error = await one.error("ezeep/panel/sign_in", entry_id=entry_id, user_id=USER_1)
    assert error["translation_placeholders"] == {"seconds": "10"}
    # Five more failures after the wait (and the minute): twice as long.
    await _wait(hass, freezer, 11)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    await _wait(hass, freezer, 30)
    for _ in range(5):
        assert await _fail(two, entry_id, "a:b") == "invalid_user_id"
    error = await one.error("ezeep/panel/sign_in", entry_id=entry_id, user_id=USER_1)
    assert error["translation_placeholders"] == {"seconds": "60"}
    # After the wait the valid ID is let in, and a success starts over.
    await _wait(hass, freezer, 61)
    assert (await one.sign_in(entry_id, USER_1))["name"] == "Alice"
    assert await _fail(two, entry_id, "a:b") == "invalid_user_id"
    assert (await two.sign_in(entry_id, USER_1))["name"] == "Alice"


async def test_reader_scans_count_too(  # noqa: PLR0917 - fixtures
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_user: MockUser,
    hass_read_only_access_token: str,
    hass_access_token: str,
) -> None:
    """Unreadable cards at the kiosk's bound reader count towards its user's limit."""
    entry_id = init_integration.entry_id
    bind_readers(hass, init_integration, hass_read_only_user.id, ["reader-1"])
    kiosk = PanelClient(await hass_ws_client(hass, hass_read_only_access_token))
    await kiosk.subscribe(entry_id)
    for _ in range(5):
        hass.bus.async_fire("tag_scanned", {"tag_id": "a:b", "device_id": "reader-1"})
        assert (await kiosk.event("error"))["code"] == "invalid_user_id"
    simulator.reset_log()
    hass.bus.async_fire("tag_scanned", {"tag_id": USER_1, "device_id": "reader-1"})
    error = await kiosk.event("error")
    assert error["code"] == "sign_in_locked"
    assert error["placeholders"] == {"seconds": "30"}
    assert requests(simulator) == []
    # Another user's panel is not locked by it.
    other = PanelClient(await hass_ws_client(hass, hass_access_token))
    assert (await other.sign_in(entry_id, USER_1))["name"] == "Alice"


class _Connection:
    """What the limiter reads of a websocket connection: its user."""

    def __init__(self, user: MockUser) -> None:
        self.user = user


async def test_waits_double_and_start_over_after_a_quiet_while(
    hass: HomeAssistant, hass_read_only_user: MockUser, freezer: FrozenDateTimeFactory
) -> None:
    """30 s, 60 s, ... at most 15 min, then 30 s again after 15 quiet minutes.

    Failures spread over minutes (two a minute) never lock out.
    """
    limiter = async_get_limiter(hass)
    connection: Any = _Connection(hass_read_only_user)

    def lock_out() -> int:
        for _ in range(MAX_FAILURES):
            limiter.async_failed(connection)
        with pytest.raises(SignInLockedError) as err:
            limiter.check(connection)
        freezer.tick(timedelta(seconds=err.value.seconds))
        limiter.check(connection)
        return err.value.seconds

    for _ in range(MAX_FAILURES * 3):  # two a minute: never five in a minute
        limiter.async_failed(connection)
        limiter.check(connection)
        freezer.tick(timedelta(seconds=FAILURE_WINDOW / 2))
    assert [lock_out() for _ in range(7)] == [30, 60, 120, 240, 480, 900, 900]
    freezer.tick(timedelta(seconds=MAX_WAIT + 1))
    assert lock_out() == 30
    async_fire_time_changed(hass)
    await settle(hass)
