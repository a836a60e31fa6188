"""The sensor platform: each person's sensors and the printer's (status, supply levels)."""

from __future__ import annotations

import json

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from hypothesis import given, settings, strategies as st
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.ezeep.coordinator.jobs import UserJobs
from custom_components.ezeep.coordinator.printer import (
    PrinterCoordinator,
    printer_device_identifier,
)
from custom_components.ezeep.diagnostics import async_get_config_entry_diagnostics
from custom_components.ezeep.printer import Supply
from custom_components.ezeep.release import ReleaseState
from custom_components.ezeep.sensor import SENSORS, supply_description
from custom_components.ezeep.tpfm.parsing import parse_job_list
from tests.conftest import assert_no_user_ids, setup_snapshot_station, state
from tests.simulator import Simulator
from tests.simulator.printer import MODEL, SERIAL, PrinterSimulator

STATUS = "sensor.printer_status"
PROBLEM = "binary_sensor.printer_problem"


async def test_ledm_entities(
    hass: HomeAssistant,
    ledm_station: PrinterCoordinator,
    printer_sim: PrinterSimulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Status, problem and one supply sensor per colour, on one printer device."""
    assert state(hass, STATUS) == "ready"
    assert state(hass, PROBLEM) == "off"
    levels = {
        color: state(hass, f"sensor.printer_{color}_level")
        for color in ("black", "cyan", "magenta", "yellow")
    }
    assert levels == {"black": "62", "cyan": "48", "magenta": "35", "yellow": "80"}
    black = hass.states.get("sensor.printer_black_level")
    assert black is not None
    assert black.attributes["unit_of_measurement"] == "%"
    assert black.attributes["label"] == "K"
    assert black.attributes["low_threshold"] == 10
    device = dr.async_get(hass).async_get_device_by_identifier(
        printer_device_identifier(mock_config_entry.entry_id),
        mock_config_entry.entry_id,
    )
    assert device is not None
    assert (device.model, device.serial_number, device.manufacturer) == (
        MODEL,
        SERIAL,
        "HP",
    )
    assert device.config_entry_id == mock_config_entry.entry_id
    assert device.config_subentry_id is None
    entity = er.async_get(hass).async_get(STATUS)
    assert entity is not None and entity.device_id == device.id

    printer_sim.set_scenario("jammed")
    printer_sim.supplies["K"] = 7
    await ledm_station.async_refresh()
    await hass.async_block_till_done()
    assert state(hass, STATUS) == "blocked"
    assert state(hass, PROBLEM) == "on"
    problem = hass.states.get(PROBLEM)
    assert problem is not None
    assert problem.attributes["reasons"] == ["jamInPrinter (Tray 2)"]
    assert problem.attributes["warnings"] == ["K low (7%)"]
    assert state(hass, "sensor.printer_black_level") == "7"

    diagnostics = await async_get_config_entry_diagnostics(hass, mock_config_entry)
    assert diagnostics["printer"]["state"] == "blocked"
    assert diagnostics["printer"]["source"] == "ledm"


def test_supply_names() -> None:
    """Supply sensors are named by colour; other labels by the printer's label."""
    names = {
        label: (
            supply_description(Supply(label)).translation_key,
            supply_description(Supply(label)).translation_placeholders,
        )
        for label in ("K", "C", "M", "Y", "CMY", "PK")
    }
    assert names == {
        "K": ("supply_black", None),
        "C": ("supply_cyan", None),
        "M": ("supply_magenta", None),
        "Y": ("supply_yellow", None),
        "CMY": ("supply_tricolor", None),
        "PK": ("supply", {"label": "PK"}),
    }


async def test_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    simulator: Simulator,
    printer_sim: PrinterSimulator,
) -> None:
    """IDs, names, units, attributes and states of the people's and the printer's sensors."""
    entry = await setup_snapshot_station(hass, simulator, printer_sim, Platform.SENSOR)
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)
    assert_no_user_ids(hass, entry)


_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(
        st.tuples(
            st.text(
                st.characters(exclude_characters=":\r\n", exclude_categories=("Cs",)),
                max_size=20,
            ),
            st.integers(-5, 2**40),
            st.integers(-(2**40), 2**40),
            _TEXT,
            _TEXT,
        ),
        max_size=30,
    ),
    junk=st.lists(_TEXT, max_size=5),
    visible=st.one_of(st.none(), _TEXT),
)
def test_generated_job_lists_reach_the_sensor(
    lines: list[tuple[str, int, int, str, str]], junk: list[str], visible: str | None
) -> None:
    """Any job list the server may send gives a sensor state and JSON-able attributes."""
    body = (
        "[Jobs]\r\n"
        + "".join(
            f'{name}:{size}:{created}:{created}:0:0:"{display}":"{driver}"\r\n'
            for name, size, created, display, driver in lines
        )
        + "".join(f"{j}\n" for j in junk)
    )
    job_list = parse_job_list(body, visible=visible == "1")
    jobs = UserJobs(jobs=job_list.jobs, visible=job_list.visible)
    state = ReleaseState()
    for description in SENSORS:
        value = description.value_fn(jobs, state)
        json.dumps(description.attributes_fn(jobs, state))
        assert value is None or isinstance(value, int | str)
    assert jobs.pending == len(job_list.jobs)
