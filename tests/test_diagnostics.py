"""Diagnostics: the station's state without the password, the user IDs or names."""

from __future__ import annotations

#: Nothing of this may appear in diagnostics: the password, the IDs, the people's names.
import json
import logging

from homeassistant.components.diagnostics import REDACTED
from homeassistant.components.recorder import Recorder
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.ezeep.const import (
    CONF_PASSWORD,
    CONF_PRINTER_SOURCE,
    CONF_PRINTER_URL,
    CONF_PRINTER_VERIFY_SSL,
    CONF_RELEASE_UNREACHABLE,
    CONF_URL,
    CONF_VERIFY_SSL,
    DOMAIN,
)
from custom_components.ezeep.coordinator.printer import PrinterCoordinator
from custom_components.ezeep.diagnostics import async_get_config_entry_diagnostics
from tests.conftest import (
    PASSWORD,
    UNKNOWN_USER,
    USER_1,
    USER_2,
    bind_readers,
    print_all,
)
from tests.simulator import Simulator
from tests.simulator.printer import PrinterSimulator

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


@pytest.fixture
def mock_recorder_before_hass(request: pytest.FixtureRequest) -> None:
    """Prepare the recorder's database before Home Assistant, for tests that record."""
    if "recorder_mock" in request.fixturenames:
        request.getfixturevalue("async_test_recorder")


async def test_no_secret_in_logs_or_diagnostics(  # noqa: PLR0917 - fixtures
    recorder_mock: Recorder,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    printer_sim: PrinterSimulator,
    hass_client: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Flows, services and faults with debug logging: no password or user ID in the log.

    Nor in the diagnostics, the logbook or any entity's state: with a printer readiness
    source (a refusal, then releases), the logbook and the event entities running.
    """
    caplog.set_level(logging.DEBUG, logger="custom_components.ezeep")
    caplog.set_level(logging.INFO)
    # The recorder's SQL echo (event data is stored as fired, user_id included) is not ours.
    caplog.set_level(logging.WARNING, logger="sqlalchemy")
    assert await async_setup_component(hass, "logbook", {})
    # A printer readiness source (LEDM): the options change reloads the station.
    printer_sim.events = False
    hass.config_entries.async_update_entry(
        init_integration,
        options={
            CONF_PRINTER_SOURCE: "ledm",
            CONF_PRINTER_URL: printer_sim.url,
            CONF_PRINTER_VERIFY_SSL: False,
            CONF_RELEASE_UNREACHABLE: False,
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    printer = init_integration.runtime_data.printer
    assert printer is not None
    printer_sim.set_scenario("jammed")
    await printer.async_refresh()
    with pytest.raises(HomeAssistantError) as refused:
        await print_all(hass, user_id=USER_1)
    assert refused.value.translation_key == "printer_not_ready"
    printer_sim.set_scenario("ready")
    releases = init_integration.runtime_data.releases
    coordinator = init_integration.runtime_data.coordinator
    # Releases: success, failure, cut stream, cancel, refusals.
    simulator.users[USER_1].jobs[0].fail_code = 1
    await print_all(hass, user_id=USER_1, wait=True)
    releases.admission.cooldown = 0
    simulator.cut_stream(1)
    await print_all(hass, user_id=USER_2, wait=True)
    simulator.clear_faults()
    with pytest.raises(HomeAssistantError):
        await print_all(hass, user_id=UNKNOWN_USER)
    with pytest.raises(ServiceValidationError):
        await print_all(hass, user_id=USER_1, copies=0)
    # Poll faults, and a configured person the server forgot.
    for fault in ("http_error", "garbage", "malformed_job_line"):
        getattr(simulator, fault)("GetJobList") if fault != "malformed_job_line" else (
            simulator.malformed_job_line(f"{USER_1}:{PASSWORD}:x")
        )
        await coordinator.async_refresh()
        simulator.clear_faults()
    del simulator.users[USER_2]
    await coordinator.async_refresh()
    # Config flow with an unknown ID and a wrong password.
    for password in (PASSWORD, "wrong-password"):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": "user"}
        )
        await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                CONF_URL: simulator.url,
                CONF_PASSWORD: password,
                "user_id": UNKNOWN_USER,
                CONF_VERIFY_SSL: True,
            },
        )
    # Password refused mid-use.
    simulator._password = "rotated-password"
    await coordinator.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )

    await async_wait_recording_done(hass)
    client = await hass_ws_client()
    await client.send_json_auto_id(
        {"type": "logbook/get_events", "start_time": "2000-01-01T00:00:00+00:00"}
    )
    logbook = (await client.receive_json())["result"]
    assert any(entry.get("domain") == DOMAIN for entry in logbook)
    assert "printer" in diagnostics
    assert hass.states.get("event.alice_release").state != "unknown"
    assert hass.states.get("sensor.printer_status").state == "ready"
    states = repr([state.as_dict() for state in hass.states.async_all()])

    dump = json.dumps(diagnostics)
    for secret in (PASSWORD, USER_1, USER_2, UNKNOWN_USER):
        assert secret not in caplog.text, secret
        assert secret not in dump, secret
        assert secret not in repr(logbook), secret
        assert secret not in states, secret
    assert diagnostics["entry"]["data"][CONF_PASSWORD] == REDACTED
    assert any(r.name.startswith("custom_components.ezeep") for r in caplog.records)


async def test_diagnostics_panels(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    hass_read_only_user: MockUser,
) -> None:
    """Release panels are counted with their readers; no user or device ID is in it."""
    bind_readers(
        hass, init_integration, hass_read_only_user.id, ["reader-dev-1", "reader-dev-2"]
    )
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    assert diagnostics["panels"] == [{"panel": 1, "readers": 2}]
    dump = json.dumps(diagnostics)
    assert hass_read_only_user.id not in dump
    assert "reader-dev" not in dump
