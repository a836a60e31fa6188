"""Who is who at a station (people.py): one object for every "which person has this ID"."""

from __future__ import annotations

from types import MappingProxyType

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ezeep.const import (
    CONF_NAME,
    CONF_PRINTER_ID,
    CONF_USER_ID,
    DOMAIN,
    SUBENTRY_TYPE_USER,
)
from custom_components.ezeep.logbook import UNKNOWN_PERSON, _person
from custom_components.ezeep.people import People
from tests.conftest import (
    USER_1,
    USER_2,
    bind_readers,
    make_jobs,
    settle,
    station_data,
    subentry_id_of,
    user_subentry,
)
from tests.simulator import Simulator

CAROL = "test-user-3"


def _station(url: str = "http://127.0.0.1:1/", printer: str = "") -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        data={**station_data(url), CONF_PRINTER_ID: printer},
        subentries_data=[user_subentry(USER_1, "Alice"), user_subentry(USER_2, "Bob")],
    )


def _carol() -> ConfigSubentry:
    return ConfigSubentry(
        data=MappingProxyType({CONF_USER_ID: CAROL, CONF_NAME: "Carol"}),
        subentry_type=SUBENTRY_TYPE_USER,
        title="Carol",
        unique_id=None,
    )


async def test_lookups_and_the_printer(hass: HomeAssistant) -> None:
    """By ID and by sub-entry; other sub-entry types are nobody; one printer rule."""
    entry = _station(printer=" printer-7 ")
    entry.add_to_hass(hass)
    bind_readers(hass, entry, "kiosk-user", ["reader-1"])  # a "panel" sub-entry
    people = People(entry)
    alice = people.of(USER_1)
    assert alice is not None
    assert (alice.name, alice.user_id) == ("Alice", USER_1)
    assert people.get(alice.subentry_id) == alice
    assert people.of("card-0000") is None
    assert len(people) == 2
    assert [person.name for person in people] == ["Alice", "Bob"]
    assert people.printer == "printer-7"
    assert people.printer_for(None) == "printer-7"
    assert people.printer_for("  ") == "printer-7"
    assert people.printer_for(" printer-9 ") == "printer-9"
    assert People(_station()).printer_for(None) is None


async def test_take_in_added_removed_and_changed(hass: HomeAssistant) -> None:
    """Added and removed people are taken in; a changed person means a reload."""
    entry = _station()
    entry.add_to_hass(hass)
    people = People(entry)
    carol = _carol()
    hass.config_entries.async_add_subentry(entry, carol)
    assert people.take_in(entry) == ({carol.subentry_id}, set())
    assert people.of(CAROL) is not None
    bob = subentry_id_of(entry, USER_2)
    hass.config_entries.async_remove_subentry(entry, bob)
    assert people.take_in(entry) == (set(), {bob})
    assert people.of(USER_2) is None
    hass.config_entries.async_update_subentry(
        entry, entry.subentries[carol.subentry_id], title="Caroline"
    )
    assert people.take_in(entry) is None  # the station reloads: nothing taken in
    assert people.get(carol.subentry_id).name == "Carol"


async def test_a_person_added_while_loaded_is_known_everywhere(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Added without a reload: polled, treated as configured, named in the logbook."""
    simulator.add_user(CAROL, make_jobs("memo", 1))
    entry = _station(simulator.url)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    runtime = entry.runtime_data
    assert not runtime.coordinator.is_polled(CAROL)
    assert _person(hass, {"config_entry_id": entry.entry_id, "user_id": CAROL}) == (
        UNKNOWN_PERSON,
        None,
    )
    hass.config_entries.async_add_subentry(entry, _carol())
    await settle(hass)
    assert entry.runtime_data is runtime  # no reload
    assert runtime.coordinator.is_polled(CAROL)
    name, entity_id = _person(
        hass, {"config_entry_id": entry.entry_id, "user_id": CAROL}
    )
    assert name == "Carol"
    assert entity_id == "event.carol_release"
    assert hass.states.get("sensor.carol_pending_jobs").state == "1"
