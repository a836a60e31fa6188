"""The options flow: polling, cooldown, rate limit and the printer's readiness source."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType, InvalidData
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ezeep.const import (
    CONF_COOLDOWN,
    CONF_NOT_READY_STATES,
    CONF_PRINTER_ENTITY,
    CONF_PRINTER_SOURCE,
    CONF_PRINTER_URL,
    CONF_PRINTER_VERIFY_SSL,
    CONF_RATE_LIMIT,
    CONF_RELEASE_FROM_TODO,
    CONF_RELEASE_UNREACHABLE,
    CONF_SCAN_INTERVAL,
    CONF_SHEETS_PER_HOUR,
    CONF_UNKNOWN_HOLD_OFF,
    DEFAULT_COOLDOWN,
    DEFAULT_RATE_LIMIT,
    DEFAULT_SCAN_INTERVAL,
    DEFAULT_SHEETS_PER_HOUR,
    DEFAULT_UNKNOWN_HOLD_OFF,
)
from tests.simulator.printer import PrinterSimulator

NUMBERS = {
    CONF_SCAN_INTERVAL: 60,
    CONF_COOLDOWN: 10,
    CONF_RATE_LIMIT: 30,
    CONF_UNKNOWN_HOLD_OFF: 5,
    CONF_SHEETS_PER_HOUR: 10,
    CONF_RELEASE_FROM_TODO: True,  # the first step's switch, beside the numbers
}


async def start(
    hass: HomeAssistant, entry: MockConfigEntry, source: str | None
) -> FlowResult:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    data = dict(NUMBERS)
    if source is not None:
        data[CONF_PRINTER_SOURCE] = source
    return await hass.config_entries.options.async_configure(result["flow_id"], data)


def defaults(result: FlowResult) -> dict[str, Any]:
    """Return the default values of a form's fields."""
    return {
        str(key): key.default()
        for key in result["data_schema"].schema
        if callable(getattr(key, "default", None))
    }


def suggested(result: FlowResult, field: str) -> Any:
    for key in result["data_schema"].schema:
        if key == field:
            return (key.description or {}).get("suggested_value")
    raise AssertionError(field)


async def test_ledm_source(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    printer_sim: PrinterSimulator,
) -> None:
    """LEDM: the URL is checked against the printer and stored; the station reloads."""
    printer_sim.events = False
    result = await start(hass, init_integration, "ledm")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "printer_url"
    assert result["description_placeholders"] == {"example": "https://192.0.2.10/"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_PRINTER_URL: printer_sim.url + "index.html",
            CONF_PRINTER_VERIFY_SSL: False,
            CONF_RELEASE_UNREACHABLE: True,
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {
        **NUMBERS,
        CONF_PRINTER_SOURCE: "ledm",
        CONF_PRINTER_URL: printer_sim.url,
        CONF_PRINTER_VERIFY_SSL: False,
        CONF_RELEASE_UNREACHABLE: True,
    }
    assert init_integration.state is ConfigEntryState.LOADED
    printer = init_integration.runtime_data.printer
    assert printer is not None
    assert printer.release_when_unreachable

    # Opening the options again suggests what is stored.
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert suggested(result, CONF_PRINTER_SOURCE) == "ledm"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**NUMBERS, CONF_PRINTER_SOURCE: "ledm"}
    )
    assert suggested(result, CONF_PRINTER_URL) == printer_sim.url
    assert suggested(result, CONF_RELEASE_UNREACHABLE) is True

    # Back to none: the printer options go, and so does the guard.
    result = await start(hass, init_integration, "none")
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == NUMBERS
    assert init_integration.runtime_data.printer is None


@pytest.mark.parametrize(
    ("source", "url", "error"),
    [
        ("ledm", "ipp://127.0.0.1/ipp/print", "invalid_printer_url"),
        ("ledm", "http://user:secret@127.0.0.1/", "invalid_printer_url"),
        ("ledm", "http://[::1", "invalid_printer_url"),
        ("ipp", "https://127.0.0.1/", "invalid_printer_url"),
        ("ledm", "http://127.0.0.1:9/", "printer_cannot_connect"),
    ],
)
async def test_bad_urls(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    source: str,
    url: str,
    error: str,
) -> None:
    """Wrong schemes, credentials, unparsable URLs and closed ports are form errors."""
    result = await start(hass, init_integration, source)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PRINTER_URL: url}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert suggested(result, CONF_PRINTER_URL) == url


async def test_not_supported_and_timeout(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    printer_sim: PrinterSimulator,
) -> None:
    """A printer without LEDM (404), without IPP at the path, or too slow to answer."""
    printer_sim.not_found = True
    for source, url, error in (
        ("ledm", printer_sim.url, "ledm_not_supported"),
        ("ipp", printer_sim.ipp_url, "ipp_not_supported"),
    ):
        result = await start(hass, init_integration, source)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_PRINTER_URL: url}
        )
        assert result["errors"] == {"base": error}
    printer_sim.not_found = False
    printer_sim.fall_asleep(1.0)
    with patch("custom_components.ezeep.coordinator.printer.DEFAULT_TIMEOUT", 0.2):
        result = await start(hass, init_integration, "ledm")
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_PRINTER_URL: printer_sim.url}
        )
    assert result["errors"] == {"base": "printer_timeout"}
    # A sleeping printer answers the next try.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PRINTER_URL: printer_sim.url}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_invalid_response(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    printer_sim: PrinterSimulator,
) -> None:
    """An answer that is no printer status is refused."""
    with patch.object(
        PrinterSimulator, "product_status_xml", lambda _self: "<html>login</html>"
    ):
        result = await start(hass, init_integration, "ledm")
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_PRINTER_URL: printer_sim.url}
        )
    assert result["errors"] == {"base": "printer_invalid_response"}


async def test_ipp_source(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    printer_sim: PrinterSimulator,
) -> None:
    """IPP: the printer URL is stored as given."""
    result = await start(hass, init_integration, "ipp")
    assert result["description_placeholders"] == {
        "example": "ipp://192.0.2.10/ipp/print"
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PRINTER_URL: printer_sim.ipp_url}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options[CONF_PRINTER_URL] == printer_sim.ipp_url
    assert init_integration.options[CONF_RELEASE_UNREACHABLE] is False


async def test_entity_source(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An entity of another integration, with its "not ready" states."""
    result = await start(hass, init_integration, "entity")
    assert result["step_id"] == "printer_entity"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PRINTER_ENTITY: "sensor.nothing_here"}
    )
    assert result["errors"] == {"base": "entity_not_found"}
    hass.states.async_set("sensor.office_printer", "idle")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_PRINTER_ENTITY: "sensor.office_printer",
            CONF_NOT_READY_STATES: ["stopped", " paper jam ", "stopped", ""],
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {
        **NUMBERS,
        CONF_PRINTER_SOURCE: "entity",
        CONF_PRINTER_ENTITY: "sensor.office_printer",
        CONF_NOT_READY_STATES: ["stopped", "paper jam"],
        CONF_RELEASE_UNREACHABLE: False,
    }
    assert hass.states.get("sensor.printer_status").state == "ready"  # type: ignore[union-attr]
    result = await start(hass, init_integration, "entity")
    assert suggested(result, CONF_NOT_READY_STATES) == ["stopped", "paper jam"]


async def test_options_defaults(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The options form shows the defaults of a new station."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert defaults(result) == {
        CONF_SCAN_INTERVAL: DEFAULT_SCAN_INTERVAL,
        CONF_COOLDOWN: DEFAULT_COOLDOWN,
        CONF_RATE_LIMIT: DEFAULT_RATE_LIMIT,
        CONF_UNKNOWN_HOLD_OFF: DEFAULT_UNKNOWN_HOLD_OFF,
        CONF_SHEETS_PER_HOUR: DEFAULT_SHEETS_PER_HOUR,
        CONF_RELEASE_FROM_TODO: True,
    }
    coordinator = init_integration.runtime_data.coordinator
    assert coordinator.update_interval == timedelta(seconds=DEFAULT_SCAN_INTERVAL)


async def test_options_update_and_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """New options are stored, and the reloaded coordinator polls at the new interval."""
    entry = init_integration
    coordinator = entry.runtime_data.coordinator
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_SCAN_INTERVAL: 30,
            CONF_COOLDOWN: 0,
            CONF_RATE_LIMIT: 5.0,
            CONF_UNKNOWN_HOLD_OFF: 60,
            CONF_SHEETS_PER_HOUR: 1,
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_SCAN_INTERVAL: 30,
        CONF_COOLDOWN: 0,
        CONF_RATE_LIMIT: 5,
        CONF_UNKNOWN_HOLD_OFF: 60,
        CONF_SHEETS_PER_HOUR: 1,
        CONF_RELEASE_FROM_TODO: True,  # the default (a form sends it)
    }
    numbers = {k: v for k, v in entry.options.items() if k != CONF_RELEASE_FROM_TODO}
    assert all(type(value) is int for value in numbers.values())
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.coordinator is not coordinator
    assert entry.runtime_data.coordinator.update_interval == timedelta(seconds=30)

    # The form now suggests the stored values.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert suggested(result, CONF_SCAN_INTERVAL) == 30
    assert suggested(result, CONF_RATE_LIMIT) == 5
    assert suggested(result, CONF_UNKNOWN_HOLD_OFF) == 60
    assert entry.runtime_data.client.guard.hold_off == 3600


@pytest.mark.parametrize(
    "user_input",
    [
        {CONF_SCAN_INTERVAL: 14, CONF_COOLDOWN: 10, CONF_RATE_LIMIT: 30},
        {CONF_SCAN_INTERVAL: 3601, CONF_COOLDOWN: 10, CONF_RATE_LIMIT: 30},
        {CONF_SCAN_INTERVAL: 60, CONF_COOLDOWN: -1, CONF_RATE_LIMIT: 30},
        {CONF_SCAN_INTERVAL: 60, CONF_COOLDOWN: 10, CONF_RATE_LIMIT: 0},
        {**NUMBERS, CONF_UNKNOWN_HOLD_OFF: 0},
        {**NUMBERS, CONF_UNKNOWN_HOLD_OFF: 61},
        {**NUMBERS, CONF_SHEETS_PER_HOUR: 0},
        {**NUMBERS, CONF_SHEETS_PER_HOUR: 101},
    ],
    ids=[
        "scan_14",
        "scan_3601",
        "cooldown_negative",
        "rate_0",
        "hold_off_0",
        "hold_off_61",
        "sheets_0",
        "sheets_101",
    ],
)
async def test_options_out_of_range_rejected(
    hass: HomeAssistant, init_integration: MockConfigEntry, user_input: dict[str, Any]
) -> None:
    """Values outside the selectors' ranges are refused by the form's schema."""
    entry = init_integration
    result = await hass.config_entries.options.async_init(entry.entry_id)
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(result["flow_id"], user_input)
    assert entry.options == {}


async def test_release_from_todo_off(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The to-do switch is stored as a boolean (not a number) and reloads the station."""
    old = init_integration.runtime_data
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**NUMBERS, CONF_RELEASE_FROM_TODO: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.options[CONF_RELEASE_FROM_TODO] is False
    assert init_integration.runtime_data is not old
