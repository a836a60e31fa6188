"""The options flow's card format step (card_format_flow.py): presets, own chains, live test.

The live test shows what the chosen format makes of the last card scanned at any reader
and of a typed value, masked like the panel masks IDs (only the last 4 characters).
"""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ezeep.const import (
    CONF_CARD_FORMAT,
    CONF_CARD_FORMAT_STEPS,
    CONF_NOT_READY_STATES,
    CONF_PRINTER_ENTITY,
    CONF_PRINTER_SOURCE,
    CONF_RELEASE_UNREACHABLE,
)
from custom_components.ezeep.diagnostics import async_get_config_entry_diagnostics
from tests.conftest import logged, make_jobs, settle
from tests.simulator import Simulator
from tests.test_blueprints import add_automation, printed
from tests.test_options_flow import NUMBERS, suggested

#: An ESPHome reader's 6-byte UID and what the presets make of it.
SCANNED = "04-A2-3B-1C-5D-80"
AS_DECIMAL = "5094822927744"  # ESPHome UID -> decimal
REVERSED = "141137393984004"  # bytes reversed -> decimal


async def open_step(
    hass: HomeAssistant, entry: MockConfigEntry, **numbers: Any
) -> FlowResult:
    """Open the options and go on to the card format step."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {**NUMBERS, **numbers, "edit_card_format": True}
    )


async def submit(hass: HomeAssistant, result: FlowResult, **data: Any) -> FlowResult:
    return await hass.config_entries.options.async_configure(result["flow_id"], data)


def scan(hass: HomeAssistant, tag_id: str) -> None:
    hass.bus.async_fire("tag_scanned", {"tag_id": tag_id, "device_id": "reader-1"})


async def test_live_test_of_the_last_scan(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Scan a card, choose a format, see the masked ID ezeep will get, save."""
    caplog.set_level(logging.DEBUG, logger="custom_components.ezeep")
    scan(hass, SCANNED)
    await hass.async_block_till_done()
    result = await open_step(hass, init_integration)
    assert result["step_id"] == "card_format"
    assert result["description_placeholders"] == {
        "minutes": "5",
        "scanned": "•••••••••••••D-80",
        "scanned_id": "•••••••••••••D-80",  # as read: the stored default
        "tried": "—",
        "tried_id": "—",
    }
    assert suggested(result, CONF_CARD_FORMAT) == "as_read"
    result = await submit(hass, result, card_format="esphome_decimal")
    assert result["type"] is FlowResultType.FORM  # a new format is shown before saved
    assert result["description_placeholders"]["scanned_id"] == "•••••••••7744"
    assert result["errors"] == {}
    assert suggested(result, CONF_CARD_FORMAT_STEPS) == "drop_separators\nhex_to_dec"
    result = await submit(hass, result, card_format="esphome_decimal")
    await settle(hass)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {**NUMBERS, CONF_CARD_FORMAT: "esphome_decimal"}
    assert not logged(caplog, SCANNED, AS_DECIMAL, "5D-80", "5D80")
    diagnostics = await async_get_config_entry_diagnostics(hass, init_integration)
    assert SCANNED not in str(diagnostics)
    assert AS_DECIMAL not in str(diagnostics)


async def test_value_to_try(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A typed value is converted and shown masked; it is never saved."""
    result = await open_step(hass, init_integration)
    assert result["description_placeholders"]["scanned"] == "—"
    result = await submit(
        hass, result, card_format="reversed_decimal", card_format_try=SCANNED
    )
    placeholders = result["description_placeholders"]
    assert (placeholders["tried"], placeholders["tried_id"]) == (
        "•••••••••••••D-80",
        "•••••••••••4004",
    )
    assert suggested(result, "card_format_try") is None
    result = await submit(
        hass, result, card_format="reversed_decimal", card_format_try="test-card-7"
    )
    assert result["errors"] == {"card_format_try": "card_not_hex"}
    assert result["description_placeholders"]["tried_id"] == "—"
    result = await submit(hass, result, card_format="reversed_decimal")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {**NUMBERS, CONF_CARD_FORMAT: "reversed_decimal"}
    assert REVERSED not in str(result)


@pytest.mark.parametrize(
    ("tried", "error"),
    [
        ("x" * 257, "card_too_long"),
        ("ID=;", "card_empty"),
        ("no digits", "card_no_match"),
        ("ID=12ab;", "card_not_decimal"),
    ],
)
async def test_values_a_chain_cannot_convert(
    hass: HomeAssistant, init_integration: MockConfigEntry, tried: str, error: str
) -> None:
    """Each reason a value is refused has its own text."""
    result = await open_step(hass, init_integration)
    chain = "regex: ID=(\\w*);\ndec_to_hex"
    result = await submit(
        hass,
        result,
        card_format="custom",
        card_format_steps=chain,
        card_format_try=tried,
    )
    assert result["errors"] == {"card_format_try": error}


async def test_custom_chain(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An own chain is checked, tested and saved with its steps."""
    result = await open_step(hass, init_integration)
    result = await submit(
        hass, result, card_format="custom", card_format_steps="drop_separators\nhex2dec"
    )
    assert result["errors"] == {"card_format_steps": "invalid_chain"}
    result = await submit(
        hass, result, card_format="custom", card_format_steps="drop_separators\nhex2dec"
    )
    assert result["type"] is FlowResultType.FORM  # a chain that does not read: never
    chain = "drop_separators\nreverse_bytes\nhex_to_dec\npad_zeros: 16"
    result = await submit(
        hass,
        result,
        card_format="custom",
        card_format_steps=chain,
        card_format_try=SCANNED,
    )
    assert result["description_placeholders"]["tried_id"] == "••••••••••••4004"
    result = await submit(hass, result, card_format="custom", card_format_steps=chain)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        **NUMBERS,
        CONF_CARD_FORMAT: "custom",
        CONF_CARD_FORMAT_STEPS: chain,
    }
    await settle(hass)
    result = await open_step(hass, init_integration)
    assert suggested(result, CONF_CARD_FORMAT) == "custom"
    assert suggested(result, CONF_CARD_FORMAT_STEPS) == chain


async def test_a_scan_the_format_cannot_convert(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The form warns that such scans would be refused; saving is still possible."""
    scan(hass, "test-card-7")
    await hass.async_block_till_done()
    result = await open_step(hass, init_integration)
    assert result["errors"] == {}  # as read converts anything
    result = await submit(hass, result, card_format="esphome_hex")
    assert result["errors"] == {"base": "scanned_not_convertible"}
    assert result["description_placeholders"]["scanned_id"] == "—"
    result = await submit(hass, result, card_format="esphome_hex")
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_card_format_kept_by_the_other_steps(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Saving the options without the card format step keeps the stored format."""
    stored = {CONF_CARD_FORMAT: "custom", CONF_CARD_FORMAT_STEPS: "lower"}
    hass.config_entries.async_update_entry(init_integration, options=stored)
    await settle(hass)
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await submit(hass, result, **NUMBERS)
    assert result["data"] == {**NUMBERS, **stored}
    await settle(hass)
    hass.states.async_set("sensor.office_printer", "idle")
    result = await open_step(hass, init_integration, printer_source="entity")
    assert result["step_id"] == "printer_entity"
    result = await submit(hass, result, printer_entity_id="sensor.office_printer")
    assert result["step_id"] == "card_format"
    assert suggested(result, CONF_CARD_FORMAT_STEPS) == "lower"
    result = await submit(hass, result, card_format="custom", card_format_steps="lower")
    assert result["data"] == {
        **NUMBERS,
        CONF_PRINTER_SOURCE: "entity",
        CONF_PRINTER_ENTITY: "sensor.office_printer",
        CONF_NOT_READY_STATES: [],
        CONF_RELEASE_UNREACHABLE: False,
        **stored,
    }


async def test_an_id_ezeep_cannot_be_asked_with(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A result with a colon would be refused by every action: the test says so."""
    result = await open_step(hass, init_integration)
    result = await submit(hass, result, card_format="as_read", card_format_try="04:A2")
    assert result["errors"] == {"card_format_try": "card_invalid_id"}


async def test_a_stored_preset_this_version_lacks(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A preset name the form does not offer (any more) is shown as "as read"."""
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_CARD_FORMAT: "gone_in_a_later_version"}
    )
    await settle(hass)
    result = await open_step(hass, init_integration)
    assert suggested(result, CONF_CARD_FORMAT) == "as_read"


async def test_newcomer_sets_the_format_once_then_scans_release(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The issue's "done when": an ESPHome reader's UID, the format set once, scans print."""
    simulator.add_user(AS_DECIMAL, make_jobs("thesis", 2))
    await add_automation(
        hass, "release_on_tag.yaml", release_mode="tag_is_user_id", readers=["reader-1"]
    )
    simulator.add_user(SCANNED, [])  # what the server would see without a format
    scan(hass, SCANNED)
    await settle(hass)
    assert printed(simulator) == []  # as read: the server does not know that ID's jobs
    result = await open_step(hass, init_integration)
    result = await submit(hass, result, card_format="esphome_decimal")
    assert result["description_placeholders"]["scanned_id"] == "•••••••••7744"
    result = await submit(hass, result, card_format="esphome_decimal")
    await settle(hass)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    scan(hass, SCANNED)
    await settle(hass)
    assert printed(simulator) == ["thesis-1.tpf", "thesis-2.tpf"]


async def test_a_card_scanned_while_the_form_is_open(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A scan after the form was shown is shown before anything is saved."""
    result = await open_step(hass, init_integration)
    assert result["description_placeholders"]["scanned"] == "—"
    scan(hass, SCANNED)
    await hass.async_block_till_done()
    result = await submit(hass, result, card_format="as_read")
    assert result["type"] is FlowResultType.FORM
    assert result["description_placeholders"]["scanned_id"] == "•••••••••••••D-80"
    result = await submit(hass, result, card_format="as_read")
    assert result["type"] is FlowResultType.CREATE_ENTRY
