"""Readers bound to panels by an admin: the "panel" sub-entry and what subscribe allows."""

from __future__ import annotations

from homeassistant.auth.const import GROUP_ID_READ_ONLY
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import (
    CLIENT_ID,
    MockConfigEntry,
    MockUser,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ezeep.const import (
    CONF_PANEL_USER,
    CONF_READERS,
    DOMAIN,
    SUBENTRY_TYPE_PANEL,
)
from tests.conftest import USER_1, assert_errors, bind_readers, settle
from tests.simulator import Simulator
from tests.test_panel_websocket import PanelClient, requests


async def _other_user(hass: HomeAssistant, name: str) -> tuple[MockUser, str]:
    """A second non-admin user (not the tablet's) and an access token of theirs."""
    group = await hass.auth.async_get_group(GROUP_ID_READ_ONLY)
    user = MockUser(name=name, groups=[group] if group else []).add_to_hass(hass)
    refresh = await hass.auth.async_create_refresh_token(user, CLIENT_ID)
    return user, hass.auth.async_create_access_token(refresh)


async def test_reader_of_another_users_panel_is_refused(  # noqa: PLR0917 - fixtures
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_user: MockUser,
    hass_read_only_access_token: str,
) -> None:
    """A second non-admin user cannot listen to the tablet's reader (device IDs are public)."""
    bind_readers(hass, init_integration, hass_read_only_user.id, ["reader-1"])
    _user, token = await _other_user(hass, "Desk")
    intruder = PanelClient(await hass_ws_client(hass, token))
    msg = await intruder.send(
        "ezeep/panel/subscribe",
        entry_id=init_integration.entry_id,
        reader_device_ids=["reader-1"],
    )
    assert not msg["success"]
    assert msg["error"]["code"] == "reader_not_bound"
    assert msg["error"]["translation_key"] == "reader_not_bound"
    # The intruder's own panel without a list listens to no reader at all.
    await intruder.subscribe(init_integration.entry_id)
    kiosk = PanelClient(await hass_ws_client(hass, hass_read_only_access_token))
    await kiosk.subscribe(init_integration.entry_id, reader_device_ids=["reader-1"])
    hass.bus.async_fire("tag_scanned", {"tag_id": USER_1, "device_id": "reader-1"})
    assert (await kiosk.event("signed_in"))["name"] == "Alice"
    await settle(hass)
    await intruder.call("ezeep/panel/stations")  # every earlier message is in
    assert intruder.events == []


async def test_no_list_means_the_bound_readers(  # noqa: PLR0917 - fixtures
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_user: MockUser,
    hass_read_only_access_token: str,
) -> None:
    """Without a reader list the card listens to its user's readers, and only while bound."""
    subentry = bind_readers(
        hass, init_integration, hass_read_only_user.id, ["reader-1", "reader-2"]
    )
    kiosk = PanelClient(await hass_ws_client(hass, hass_read_only_access_token))
    await kiosk.subscribe(init_integration.entry_id)
    hass.bus.async_fire("tag_scanned", {"tag_id": USER_1, "device_id": "reader-2"})
    assert (await kiosk.event("signed_in"))["name"] == "Alice"
    # An admin takes reader-2 away: its scans no longer reach this card.
    hass.config_entries.async_update_subentry(
        init_integration,
        subentry,
        data={CONF_PANEL_USER: hass_read_only_user.id, CONF_READERS: ["reader-1"]},
    )
    await settle(hass)
    simulator.reset_log()
    hass.bus.async_fire("tag_scanned", {"tag_id": USER_1, "device_id": "reader-2"})
    await settle(hass)
    await kiosk.call("ezeep/panel/stations")
    assert [e["type"] for e in kiosk.events] == []
    assert requests(simulator) == []
    # The station was not reloaded for it.
    assert init_integration.runtime_data.coordinator.last_update_success


async def test_readers_command_lists_the_bound_readers(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_user: MockUser,
    hass_read_only_access_token: str,
) -> None:
    """The card's editor gets the calling user's readers with their names; others none."""
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=init_integration.entry_id,
        identifiers={("test", "front-reader")},
        name="Front reader",
    )
    bind_readers(hass, init_integration, hass_read_only_user.id, [device.id, "gone"])
    kiosk = PanelClient(await hass_ws_client(hass, hass_read_only_access_token))
    result = await kiosk.call("ezeep/panel/readers", entry_id=init_integration.entry_id)
    assert sorted(result["readers"], key=lambda r: r["device_id"]) == sorted(
        [
            {"device_id": device.id, "name": "Front reader"},
            {"device_id": "gone", "name": None},
        ],
        key=lambda r: r["device_id"],
    )
    _user, token = await _other_user(hass, "Desk")
    other = PanelClient(await hass_ws_client(hass, token))
    result = await other.call("ezeep/panel/readers", entry_id=init_integration.entry_id)
    assert result == {"readers": []}
    error = await other.error("ezeep/panel/readers", entry_id="nope")
    assert error["code"] == "unknown_station"


async def test_panel_subentry_flow(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_read_only_user: MockUser,
) -> None:
    """An admin adds a panel (a user and readers), changes it; the station stays loaded."""
    runtime = init_integration.runtime_data
    system = MockUser(name="Supervisor", system_generated=True).add_to_hass(hass)
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, SUBENTRY_TYPE_PANEL), context={"source": "user"}
    )
    assert result["type"] is FlowResultType.FORM
    options = result["data_schema"].schema[CONF_PANEL_USER].config["options"]
    values = [option["value"] for option in options]
    assert hass_read_only_user.id in values
    assert system.id not in values
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_PANEL_USER: hass_read_only_user.id, CONF_READERS: ["r-1", "r-1", "r-2"]},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        CONF_PANEL_USER: hass_read_only_user.id,
        CONF_READERS: ["r-1", "r-2"],
    }
    await settle(hass)
    assert init_integration.runtime_data is runtime  # not reloaded
    # A second panel for the same user is refused.
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, SUBENTRY_TYPE_PANEL), context={"source": "user"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_PANEL_USER: hass_read_only_user.id}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    # Changing the readers.
    (panel,) = init_integration.get_subentries_of_type(SUBENTRY_TYPE_PANEL)
    result = await init_integration.start_subentry_reconfigure_flow(
        hass, panel.subentry_id
    )
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {CONF_PANEL_USER: hass_read_only_user.id, CONF_READERS: ["r-3"]},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert panel.data[CONF_READERS] == ["r-3"]
    await settle(hass)
    assert init_integration.runtime_data is runtime
    assert DOMAIN in hass.config.components


async def test_panel_user_gone_before_saving(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_read_only_user: MockUser,
) -> None:
    """A user deactivated while the form was open is refused with a translated error."""
    result = await hass.config_entries.subentries.async_init(
        (init_integration.entry_id, SUBENTRY_TYPE_PANEL), context={"source": "user"}
    )
    hass_read_only_user.is_active = False
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {CONF_PANEL_USER: hass_read_only_user.id}
    )
    assert_errors(
        result, {CONF_PANEL_USER: "unknown_ha_user"}, "config_subentries.panel"
    )
    assert init_integration.get_subentries_of_type(SUBENTRY_TYPE_PANEL) == []
