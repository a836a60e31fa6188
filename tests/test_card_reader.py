"""card_reader.py: the station's card format for a reader's value, and the last scan."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.ezeep.card_reader import (
    async_remember_scan,
    async_track_scans,
    convert_tag,
    recent_scan,
)
from custom_components.ezeep.const import CONF_CARD_FORMAT, CONF_CARD_FORMAT_STEPS
from custom_components.ezeep.validation import MissingUserIdError


async def test_last_scan_is_kept_for_five_minutes(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Any reader's scan is offered to the live test for 5 minutes, then forgotten."""
    assert recent_scan(hass) is None
    hass.bus.async_fire("tag_scanned", {"tag_id": "74-10-37-94", "device_id": "x"})
    await hass.async_block_till_done()
    assert recent_scan(hass) == "74-10-37-94"
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=4))
    hass.bus.async_fire("tag_scanned", {"tag_id": "04-A2-3B-1C"})
    await hass.async_block_till_done()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=4, seconds=30))
    await hass.async_block_till_done()
    assert recent_scan(hass) == "04-A2-3B-1C"  # the newer scan restarted the 5 minutes
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=9, seconds=1))
    await hass.async_block_till_done()
    assert recent_scan(hass) is None


@pytest.mark.parametrize("tag_id", [None, "", "   ", 4711, ["74-10"]])
async def test_scans_without_a_value_are_ignored(
    hass: HomeAssistant, init_integration: MockConfigEntry, tag_id: object
) -> None:
    """A scan without a text value does not replace the last one."""
    async_remember_scan(hass, "74-10-37-94")
    hass.bus.async_fire("tag_scanned", {"tag_id": tag_id})
    await hass.async_block_till_done()
    assert recent_scan(hass) == "74-10-37-94"


async def test_nothing_is_kept_before_the_integration_is_set_up(
    hass: HomeAssistant,
) -> None:
    """Without the integration no scan is remembered."""
    async_remember_scan(hass, "74-10-37-94")
    assert recent_scan(hass) is None


def test_convert_tag_with_the_stations_format() -> None:
    """The stored preset or chain converts; what it cannot is a translated refusal."""
    entry = MockConfigEntry(domain="ezeep", options={CONF_CARD_FORMAT: "esphome_hex"})
    assert convert_tag(entry, "74-10-37-94") == "74103794"
    assert convert_tag(MockConfigEntry(domain="ezeep"), " 74-10 ") == "74-10"
    custom = MockConfigEntry(
        domain="ezeep",
        options={CONF_CARD_FORMAT: "custom", CONF_CARD_FORMAT_STEPS: "regex: ^(\\d+)$"},
    )
    with pytest.raises(ServiceValidationError) as err:
        convert_tag(custom, "74-10")
    assert err.value.translation_key == "card_not_convertible"
    assert err.value.translation_placeholders == {"step": "regex"}
    with pytest.raises(MissingUserIdError):
        convert_tag(custom, " ")


def test_a_stored_chain_that_does_not_read_refuses_everything() -> None:
    """A chain no longer valid (a later version dropped a step) sends nothing."""
    entry = MockConfigEntry(
        domain="ezeep",
        options={CONF_CARD_FORMAT: "custom", CONF_CARD_FORMAT_STEPS: "ascii_enc"},
    )
    with pytest.raises(ServiceValidationError) as err:
        convert_tag(entry, "74-10")
    assert err.value.translation_placeholders == {"step": "chain"}


async def test_scans_are_tracked_once(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Setting up the tracker again adds no second listener."""
    listeners = hass.bus.async_listeners().get("tag_scanned", 0)
    async_track_scans(hass)
    assert hass.bus.async_listeners().get("tag_scanned", 0) == listeners
