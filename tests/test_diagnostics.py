"""Diagnostics: the station's state without the password, the user IDs or names."""

from __future__ import annotations

import json

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.ezeep.const import CONF_URL, DOMAIN
from custom_components.ezeep.coordinator.printer import PrinterCoordinator
from custom_components.ezeep.diagnostics import async_get_config_entry_diagnostics
from tests.conftest import PASSWORD, UNKNOWN_USER, USER_1, USER_2
from tests.simulator import Simulator

#: Nothing of this may appear in diagnostics: the password, the IDs, the people's names.
SECRETS = (PASSWORD, USER_1, USER_2, "test-user", "Alice", "Bob")


def assert_no_secrets(diagnostics: object, *extra: str) -> None:
    """Assert that no secret appears anywhere in the diagnostics."""
    dump = json.dumps(diagnostics)
    for secret in (*SECRETS, *extra):
        assert secret not in dump, f"{secret!r} leaked into diagnostics"


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """A loaded station: settings, polling state and each person's counts."""
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )

    assert_no_secrets(diagnostics)
    # The URL holds the simulator's port, which changes every run: checked here.
    assert diagnostics["entry"]["data"]["url"] == simulator.url
    assert diagnostics["server"]["url"] == simulator.url
    assert diagnostics == snapshot(exclude=props("url"))


async def test_diagnostics_unknown_person(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """A person the server did not know shows as not polled."""
    del simulator.users[USER_2]
    await init_integration.runtime_data.coordinator.async_refresh()

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )

    assert_no_secrets(diagnostics)
    bob = diagnostics["users"][1]
    assert bob["unregistered"] is True
    assert bob["polled"] is False
    assert bob["pending_jobs"] is None
    assert diagnostics == snapshot(exclude=props("url"))


async def test_diagnostics_station_not_loaded(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics work while the station cannot be set up: when they are most needed."""
    simulator.http_error("*", 500)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )

    assert_no_secrets(diagnostics)
    assert diagnostics["entry"]["state"] == "setup_retry"
    assert diagnostics["entry"]["data"]["url"] == simulator.url
    assert diagnostics == snapshot(exclude=props("url"))


async def test_diagnostics_strip_credentials_from_url(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Credentials put into the URL (the flow refuses them now) are not shown."""
    mock_config_entry.add_to_hass(hass)
    url = simulator.url.replace("http://", f"http://{UNKNOWN_USER}:url-secret@")
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_URL: url}
    )
    # Such a station cannot poll (the client sends its own Authorization header).
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is not ConfigEntryState.LOADED

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )

    assert_no_secrets(diagnostics, "url-secret", UNKNOWN_USER)
    assert diagnostics["entry"]["data"]["url"] == simulator.url


async def test_diagnostics_printer(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    ledm_station: PrinterCoordinator,
    mock_config_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """A station with a readiness source: the printer's state, supplies and model."""
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )

    assert_no_secrets(diagnostics)
    assert diagnostics["printer"]["source"] == "ledm"
    assert diagnostics["printer"] == snapshot


@pytest.mark.parametrize(
    ("data", "url"),
    [({CONF_URL: "http://[::1"}, "**REDACTED**"), ({}, None)],
    ids=["unreadable_url", "no_url"],
)
async def test_diagnostics_odd_station_data(
    hass: HomeAssistant, data: dict[str, str], url: str | None
) -> None:
    """A URL that cannot be read is redacted whole; data without a URL is shown as is."""
    entry = MockConfigEntry(domain=DOMAIN, title="odd", data=data)
    entry.add_to_hass(hass)

    diagnostics = await async_get_config_entry_diagnostics(hass, entry)

    assert diagnostics["entry"]["data"].get(CONF_URL) == url
    assert diagnostics["users"] == []
