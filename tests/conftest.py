"""Fixtures for the Home Assistant tests: real Home Assistant, the simulator on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Generator
import contextlib
import json
from pathlib import Path
import shutil
from types import MappingProxyType
from typing import Any
from unittest.mock import patch

import aiohttp
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigSubentry,
    ConfigSubentryData,
    ConfigSubentryDataWithId,
)
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.data_entry_flow import FlowResult, FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.ezeep.const import (
    CONF_NAME,
    CONF_PANEL_USER,
    CONF_PASSWORD,
    CONF_PRINTER_ID,
    CONF_PRINTER_SOURCE,
    CONF_PRINTER_URL,
    CONF_PRINTER_VERIFY_SSL,
    CONF_READERS,
    CONF_RELEASE_UNREACHABLE,
    CONF_URL,
    CONF_USER_ID,
    CONF_VERIFY_SSL,
    DOMAIN,
    SUBENTRY_TYPE_PANEL,
    SUBENTRY_TYPE_USER,
)
from custom_components.ezeep.coordinator.printer import PrinterCoordinator
from tests.simulator import Simulator, make_jobs
from tests.simulator.printer import PrinterSimulator

# Obviously fake people: never real card serials.
USER_1 = "test-user-1"
USER_2 = "test-user-2"
UNKNOWN_USER = "test-user-unknown"
PASSWORD = "sim-password"
#: The English texts of the integration (translations/en.json).
TRANSLATIONS: dict[str, Any] = json.loads(
    (
        Path(__file__).parent.parent
        / "custom_components"
        / DOMAIN
        / "translations"
        / "en.json"
    ).read_text(encoding="utf-8")
)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/ezeep."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's snapshot format, stored in tests/snapshots/."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """A configuration folder per test: setting up installs blueprints into it.

    It is a copy of the harness's shared folder; blueprints that a run without this
    fixture left there (bench/ has none) are removed from the copy.
    """
    shutil.rmtree(
        Path(hass_tmp_config_dir, "blueprints", "automation", DOMAIN),
        ignore_errors=True,
    )
    return hass_tmp_config_dir


@pytest.fixture(autouse=True)
def fast_retries() -> Generator[None]:
    """Retry failed polls at once, so fault tests do not sleep."""
    with patch("custom_components.ezeep.helpers.RETRY_DELAYS", (0.0,)):
        yield


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncGenerator[Simulator]:
    """A running simulator with two people: two jobs for the first, one for the second.

    It listens on 127.0.0.1, the only address the test harness lets sockets reach.
    """
    sim = Simulator(PASSWORD)
    sim.add_user(USER_1, make_jobs("report", 2))
    sim.add_user(USER_2, make_jobs("slides", 1))
    await sim.start()
    yield sim
    await sim.stop()


def user_subentry(
    user_id: str, name: str = "", title: str | None = None
) -> ConfigSubentryData:
    """Sub-entry data of a person."""
    return ConfigSubentryData(
        data={CONF_USER_ID: user_id, CONF_NAME: name},
        subentry_type=SUBENTRY_TYPE_USER,
        title=title or name or "User",
        unique_id=None,
    )


def bind_readers(
    hass: HomeAssistant, entry: ConfigEntry, ha_user_id: str, readers: list[str]
) -> ConfigSubentry:
    """Bind reader devices to a Home Assistant user's panel (a "panel" sub-entry)."""
    subentry = ConfigSubentry(
        data=MappingProxyType({CONF_PANEL_USER: ha_user_id, CONF_READERS: readers}),
        subentry_type=SUBENTRY_TYPE_PANEL,
        title="Kiosk",
        unique_id=f"panel_{ha_user_id}",
    )
    assert hass.config_entries.async_add_subentry(entry, subentry)
    return subentry


def station_data(url: str) -> dict[str, Any]:
    """Config entry data of a station on the server at ``url``."""
    return {
        CONF_URL: url,
        CONF_PASSWORD: PASSWORD,
        CONF_PRINTER_ID: "",
        CONF_VERIFY_SSL: True,
    }


@pytest.fixture
def mock_config_entry(simulator: Simulator) -> MockConfigEntry:
    """A station on the simulator with two people."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        data=station_data(simulator.url),
        subentries_data=[
            user_subentry(USER_1, "Alice"),
            user_subentry(USER_2, "Bob"),
        ],
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set the station up."""
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


def subentry_id_of(entry: MockConfigEntry, user_id: str) -> str:
    """Return the sub-entry id of a person."""
    return next(
        sid
        for sid, sub in entry.subentries.items()
        if sub.data.get(CONF_USER_ID) == user_id
    )


@pytest.fixture
async def printer_sim(socket_enabled: None) -> AsyncGenerator[PrinterSimulator]:
    """A simulated HP printer (LEDM documents, event table, IPP) on 127.0.0.1, ready."""
    printer = PrinterSimulator()
    await printer.start()
    yield printer
    await printer.stop()


@pytest.fixture
def local_sockets(request: pytest.FixtureRequest) -> None:
    """Let the test create sockets, for tests without Home Assistant's fixtures.

    Home Assistant's test plugin blocks socket creation (connections stay limited to
    127.0.0.1); its own server tests request pytest-socket's socket_enabled, so do we.
    """
    with contextlib.suppress(pytest.FixtureLookupError):  # no pytest-socket: no block
        request.getfixturevalue("socket_enabled")


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    """An aiohttp session of the test's own (clients that take an injected session)."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


async def print_all(hass: HomeAssistant, **data: Any) -> ServiceResponse:
    """Call ``ezeep.print_all`` and return its response."""
    return await hass.services.async_call(
        DOMAIN, "print_all", data, blocking=True, return_response=True
    )


async def settle(hass: HomeAssistant) -> None:
    """Wait for Home Assistant, background tasks (releases) included."""
    await hass.async_block_till_done(wait_background_tasks=True)


async def wait_for(predicate: Callable[[], bool], seconds: float = 5) -> None:
    """Wait until the predicate holds (the printer and Home Assistant run meanwhile)."""
    async with asyncio.timeout(seconds):
        while not predicate():  # noqa: ASYNC110 - polling a condition of many tasks
            await asyncio.sleep(0.01)


def ledm_options(printer: PrinterSimulator, **extra: Any) -> dict[str, Any]:
    """Station options that read the simulated printer over LEDM."""
    return {
        CONF_PRINTER_SOURCE: "ledm",
        CONF_PRINTER_URL: printer.url,
        CONF_PRINTER_VERIFY_SSL: False,
        CONF_RELEASE_UNREACHABLE: False,
        **extra,
    }


async def setup_station(
    hass: HomeAssistant, entry: MockConfigEntry, options: dict[str, Any]
) -> PrinterCoordinator:
    """Set the station up with printer options; wait for the printer's first read."""
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options=options)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    printer = entry.runtime_data.printer
    assert printer is not None
    await wait_for(lambda: printer.data is not None)
    await hass.async_block_till_done()
    return printer


@pytest.fixture
async def ledm_station(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    printer_sim: PrinterSimulator,
) -> PrinterCoordinator:
    """A station whose printer is read over LEDM (polling: no event table)."""
    printer_sim.events = False
    return await setup_station(hass, mock_config_entry, ledm_options(printer_sim))


def state(hass: HomeAssistant, entity_id: str) -> str:
    """The state of an entity that must exist."""
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


async def setup_snapshot_station(
    hass: HomeAssistant,
    simulator: Simulator,
    printer_sim: PrinterSimulator,
    platform: Platform,
) -> MockConfigEntry:
    """Two people and an LEDM printer with fixed ids (unique ids hold them), one platform."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        entry_id="station_entry",
        data=station_data(simulator.url),
        subentries_data=[
            ConfigSubentryDataWithId(
                **user_subentry(USER_1, "Alice"), subentry_id="alice"
            ),
            ConfigSubentryDataWithId(**user_subentry(USER_2, "Bob"), subentry_id="bob"),
        ],
    )
    printer_sim.events = False
    with patch("custom_components.ezeep.PLATFORMS", [platform]):
        await setup_station(hass, entry, ledm_options(printer_sim))
    return entry


def logged(caplog: pytest.LogCaptureFixture, *values: str) -> list[str]:
    """Log lines of Home Assistant and the integration (not the simulator's) with a value."""
    return [
        record.getMessage()
        for record in caplog.records
        if not record.name.startswith("tests.")
        and any(value in record.getMessage() for value in values)
    ]


def assert_no_user_ids(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """No entity ID, unique ID, name or state of the station holds a person's ID."""
    for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        shown = (entity.entity_id, entity.unique_id, entity.original_name or "")
        current = hass.states.get(entity.entity_id)
        for user_id in (USER_1, USER_2, "test-user"):
            assert all(user_id not in text for text in shown), entity.entity_id
            assert user_id not in str(current), entity.entity_id


# -- flows and the registries (config flow, sub-entry flow, options flow tests) ----------


def assert_errors(result: FlowResult, errors: dict[str, str], section: str) -> None:
    """Assert a form's errors, and that each error key has an English text.

    ``section`` is where the flow's texts live in en.json: "config" for the station,
    "config_subentries.user" for people.
    """
    assert result["type"] is FlowResultType.FORM, result
    assert result["errors"] == errors
    texts = TRANSLATIONS
    for part in section.split("."):
        texts = texts[part]
    for key in errors.values():
        assert texts["error"].get(key), f"{section}.error.{key} has no translation"


def suggested(result: FlowResult, field: str) -> Any:
    """Return the suggested value a form shows for a field (None when there is none)."""
    for key in result["data_schema"].schema:
        if key == field:
            return (key.description or {}).get("suggested_value")
    raise AssertionError(f"{field} is not in the form")


def defaults(result: FlowResult) -> dict[str, Any]:
    """Return the default values of a form's fields."""
    return {
        str(key): key.default()
        for key in result["data_schema"].schema
        if callable(getattr(key, "default", None))
    }


def device_of(
    hass: HomeAssistant, entry: ConfigEntry, subentry_id: str
) -> dr.DeviceEntry | None:
    """The device of one person (identified by the sub-entry id, never the user ID)."""
    return dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, subentry_id), entry.entry_id
    )


def user_entity_ids(
    hass: HomeAssistant, entry: ConfigEntry, subentry_id: str
) -> list[str]:
    """Entity ids registered for one person."""
    return [
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.config_subentry_id == subentry_id
    ]
