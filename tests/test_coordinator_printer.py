"""The printer coordinator: its sources, the LEDM event table and the release guard."""

from __future__ import annotations

import asyncio
from typing import Any
from unittest.mock import patch

from homeassistant.components import automation
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ezeep.const import (
    CONF_NOT_READY_STATES,
    CONF_PRINTER_ENTITY,
    CONF_PRINTER_SOURCE,
    CONF_PRINTER_URL,
    CONF_PRINTER_VERIFY_SSL,
    CONF_RELEASE_UNREACHABLE,
    DOMAIN,
    ERROR_PRINTER_NOT_READY,
    EVENT_PRINT_ERROR,
)
from custom_components.ezeep.coordinator.printer import (
    EVENTS_SCAN_INTERVAL,
    SCAN_INTERVAL,
    PrinterCoordinator,
    PrinterNotReadyError,
)
from custom_components.ezeep.errors import ReleaseRefusedError
from custom_components.ezeep.printer import PrinterState, PrinterStatus, unreachable
from tests.conftest import (
    USER_1,
    USER_2,
    ledm_options,
    print_all,
    setup_station,
    state,
    wait_for,
)
from tests.simulator import Simulator
from tests.simulator.printer import PrinterSimulator

STATUS_PATH = "/DevMgmt/ProductStatusDyn.xml"
EVENTS_PATH = "/EventMgmt/EventTable"

STATUS = "sensor.printer_status"
PROBLEM = "binary_sensor.printer_problem"


@pytest.fixture(autouse=True)
def fresh_reads() -> Any:
    """Read the printer before every release (tests change it between calls)."""
    with patch("custom_components.ezeep.coordinator.printer.MAX_STATUS_AGE", 0):
        yield


async def test_no_source_no_printer_entities(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Without a readiness source there is no printer device and no guard."""
    assert init_integration.runtime_data.printer is None
    assert hass.states.get(STATUS) is None
    assert init_integration.runtime_data.releases.readiness_check is None


async def test_guard_refuses_then_releases(
    hass: HomeAssistant,
    ledm_station: PrinterCoordinator,
    printer_sim: PrinterSimulator,
    simulator: Simulator,
) -> None:
    """A jammed printer: nothing is released, the error names the reason.

    An ezeep_print_error event fires; once the jam is cleared the same call releases.
    """
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    printer_sim.set_scenario("jammed")
    with pytest.raises(HomeAssistantError) as err:
        await print_all(hass, user_id=USER_1, wait=True)
    assert err.value.translation_key == "printer_not_ready"
    assert err.value.translation_placeholders == {"reason": "jamInPrinter (Tray 2)"}
    assert "jamInPrinter (Tray 2)" in str(err.value)
    assert simulator.prints == []
    assert simulator.counts["GetJobList"] == 0 or len(simulator.jobs_of(USER_1)) == 2
    assert [e.data for e in errors] == [
        {
            "config_entry_id": ledm_station.config_entry.entry_id,
            "user_id": USER_1,
            "job": None,
            "name": None,
            "proc_id": None,
            "code": "printer_not_ready",
            "error": "jamInPrinter (Tray 2)",
            "os_error": None,
            "os_error_text": "",
        }
    ]
    # The refusal started no cooldown: the person taps again once the jam is cleared.
    printer_sim.set_scenario("ready")
    response = await print_all(hass, user_id=USER_1, wait=True)
    assert [job["result"] for job in response["jobs"]] == ["completed", "completed"]
    assert len(simulator.prints) == 2


async def test_force_releases_anyway(
    hass: HomeAssistant,
    ledm_station: PrinterCoordinator,
    printer_sim: PrinterSimulator,
    simulator: Simulator,
) -> None:
    """force: true skips the check (and does not even ask the printer)."""
    printer_sim.set_scenario("door_open")
    asked = printer_sim.requests["/DevMgmt/ProductStatusDyn.xml"]
    response = await print_all(hass, user_id=USER_2, wait=True, force=True)
    assert [job["result"] for job in response["jobs"]] == ["completed"]
    assert printer_sim.requests["/DevMgmt/ProductStatusDyn.xml"] == asked


@pytest.mark.parametrize(
    ("scenario", "key", "allowed"),
    [
        ("power_save", None, True),
        ("photo_tray_empty", None, True),
        ("low_toner", None, True),
        ("main_tray_empty", "printer_not_ready", False),
        ("cartridge_missing", "printer_not_ready", False),
        ("unknown_category", "printer_not_ready", False),
        ("initializing", "printer_warming_up", False),
    ],
)
async def test_guard_per_scenario(  # noqa: PLR0917 - fixtures and parameters
    hass: HomeAssistant,
    ledm_station: PrinterCoordinator,
    printer_sim: PrinterSimulator,
    simulator: Simulator,
    scenario: str,
    key: str | None,
    allowed: bool,
) -> None:
    """Sleeping printers wake for the job; warnings do not stop a release."""
    printer_sim.set_scenario(scenario)
    if allowed:
        await print_all(hass, user_id=USER_2, wait=True)
        assert len(simulator.prints) == 1
    else:
        with pytest.raises(HomeAssistantError) as err:
            await print_all(hass, user_id=USER_2, wait=True)
        assert err.value.translation_key == key
        assert simulator.prints == []


async def test_fresh_ready_status_is_reused(
    hass: HomeAssistant,
    ledm_station: PrinterCoordinator,
    printer_sim: PrinterSimulator,
    simulator: Simulator,
) -> None:
    """A ready status a moment old is not read again; an older one is."""
    asked = printer_sim.requests["/DevMgmt/ProductStatusDyn.xml"]
    with patch("custom_components.ezeep.coordinator.printer.MAX_STATUS_AGE", 60):
        await print_all(hass, user_id=USER_2, wait=True)
        assert printer_sim.requests["/DevMgmt/ProductStatusDyn.xml"] == asked
        # A not-ready status is never reused: a refusal always rests on a fresh read.
        printer_sim.set_scenario("jammed")
        await ledm_station.async_refresh()
        printer_sim.set_scenario("ready")
        await print_all(hass, user_id=USER_1, wait=True)
    assert printer_sim.requests["/DevMgmt/ProductStatusDyn.xml"] == asked + 2
    assert len(simulator.prints) == 3


async def test_button_goes_through_the_guard(
    hass: HomeAssistant,
    ledm_station: PrinterCoordinator,
    printer_sim: PrinterSimulator,
    simulator: Simulator,
) -> None:
    """Release all on a person's device is refused the same way."""
    printer_sim.set_scenario("door_open")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "button", "press", {"entity_id": "button.alice_release_all"}, blocking=True
        )
    assert err.value.translation_key == "printer_not_ready"
    assert simulator.prints == []


async def test_unreachable_printer(
    hass: HomeAssistant,
    ledm_station: PrinterCoordinator,
    printer_sim: PrinterSimulator,
    simulator: Simulator,
) -> None:
    """An unreachable printer refuses releases, but not on its first missed answer.

    One missed answer keeps the last status; the second makes it unreachable; back,
    it is ready again.
    """
    url = printer_sim.url
    await printer_sim.stop()
    # First failure: the last status (ready) stands, the release goes ahead.
    await print_all(hass, user_id=USER_2, wait=True)
    assert len(simulator.prints) == 1
    assert state(hass, STATUS) == "ready"
    with pytest.raises(HomeAssistantError) as err:
        await print_all(hass, user_id=USER_1, wait=True)
    assert err.value.translation_key == "printer_unreachable"
    assert len(simulator.prints) == 1
    assert state(hass, STATUS) == "unreachable"
    assert state(hass, PROBLEM) == "on"
    assert hass.states.get("sensor.printer_black_level").state == "unavailable"  # type: ignore[union-attr]
    # Unreachable stays unreachable on the next failure (no "first failure" again).
    await ledm_station.async_refresh()
    assert ledm_station.data is not None
    assert ledm_station.data.state is PrinterState.UNREACHABLE
    # The printer is back on the same port.
    port = int(url.rsplit(":", 1)[1].rstrip("/"))
    await printer_sim.start(port=port)
    await ledm_station.async_refresh()
    await hass.async_block_till_done()
    assert state(hass, STATUS) == "ready"
    assert state(hass, "sensor.printer_black_level") == "62"


async def test_release_when_unreachable(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    socket_enabled: None,
) -> None:
    """With "release anyway", an unreachable printer does not stop a release."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={
            CONF_PRINTER_SOURCE: "ledm",
            CONF_PRINTER_URL: "http://127.0.0.1:9/",
            CONF_PRINTER_VERIFY_SSL: False,
            CONF_RELEASE_UNREACHABLE: True,
        },
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    printer = mock_config_entry.runtime_data.printer
    assert printer is not None
    await print_all(hass, user_id=USER_2, wait=True)
    assert len(simulator.prints) == 1
    assert printer.data is not None
    assert printer.data.state is PrinterState.UNREACHABLE


async def test_slow_first_answer(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    printer_sim: PrinterSimulator,
    simulator: Simulator,
) -> None:
    """A sleeping printer that misses its first answer is not marked offline."""
    printer_sim.events = False
    printer_sim.fall_asleep(1.0)
    with patch("custom_components.ezeep.coordinator.printer.DEFAULT_TIMEOUT", 0.3):
        mock_config_entry.add_to_hass(hass)
        hass.config_entries.async_update_entry(
            mock_config_entry, options=ledm_options(printer_sim)
        )
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        printer = mock_config_entry.runtime_data.printer
        assert printer is not None
        await wait_for(lambda: printer._failures == 1)
        await hass.async_block_till_done()
        # Nothing known yet, but not "unreachable".
        assert state(hass, STATUS) == "unavailable"
        await asyncio.sleep(0.8)  # the printer is awake now
        await printer.async_refresh()
        await hass.async_block_till_done()
        assert state(hass, STATUS) == "ready"


async def test_entity_source(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Another integration's entity: its "not ready" states block, at once."""
    hass.states.async_set("sensor.office_printer", "idle")
    printer = await setup_station(
        hass,
        mock_config_entry,
        {
            CONF_PRINTER_SOURCE: "entity",
            CONF_PRINTER_ENTITY: "sensor.office_printer",
            CONF_NOT_READY_STATES: ["stopped", "Paper jam"],
            CONF_RELEASE_UNREACHABLE: False,
        },
    )
    assert printer.update_interval is None
    assert state(hass, STATUS) == "ready"
    assert hass.states.get("sensor.printer_black_level") is None

    hass.states.async_set("sensor.office_printer", "paper jam")
    await hass.async_block_till_done()
    assert state(hass, STATUS) == "blocked"
    with pytest.raises(HomeAssistantError) as err:
        await print_all(hass, user_id=USER_1)
    assert err.value.translation_placeholders == {"reason": "paper jam"}

    hass.states.async_set("sensor.office_printer", "unavailable")
    await hass.async_block_till_done()
    assert state(hass, STATUS) == "unreachable"
    with pytest.raises(HomeAssistantError) as err:
        await print_all(hass, user_id=USER_1)
    assert err.value.translation_key == "printer_unreachable"

    hass.states.async_set("sensor.office_printer", "printing")
    await hass.async_block_till_done()
    await print_all(hass, user_id=USER_1, wait=True)
    assert len(simulator.prints) == 2


async def test_ipp_source(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    printer_sim: PrinterSimulator,
    simulator: Simulator,
) -> None:
    """IPP: state, reasons and marker levels."""
    printer = await setup_station(
        hass,
        mock_config_entry,
        {
            CONF_PRINTER_SOURCE: "ipp",
            CONF_PRINTER_URL: printer_sim.ipp_url,
            CONF_PRINTER_VERIFY_SSL: False,
            CONF_RELEASE_UNREACHABLE: False,
        },
    )
    assert printer.events_supported is False
    assert state(hass, STATUS) == "ready"
    assert state(hass, "sensor.printer_magenta_level") == "35"
    printer_sim.set_scenario("jammed")
    with pytest.raises(HomeAssistantError) as err:
        await print_all(hass, user_id=USER_1)
    assert err.value.translation_placeholders == {"reason": "media-jam-error"}
    assert state(hass, STATUS) == "blocked"


async def test_event_table_replaces_polling(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    printer_sim: PrinterSimulator,
    simulator: Simulator,
) -> None:
    """With the event table, a change shows at once and polling slows down."""
    printer = await setup_station(hass, mock_config_entry, ledm_options(printer_sim))
    await wait_for(lambda: printer.events_supported is True)
    assert printer.update_interval == EVENTS_SCAN_INTERVAL
    printer_sim.set_scenario("door_open")
    await wait_for(lambda: hass.states.get(STATUS).state == "blocked")  # type: ignore[union-attr]
    printer_sim.set_scenario("ready")
    await wait_for(lambda: hass.states.get(STATUS).state == "ready")  # type: ignore[union-attr]
    # The printer goes away: the long poll fails and polling takes over again.
    await printer_sim.stop()
    await wait_for(lambda: printer.update_interval == SCAN_INTERVAL)
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)


async def test_no_event_table_keeps_polling(
    hass: HomeAssistant,
    ledm_station: PrinterCoordinator,
) -> None:
    """A printer without the event table is polled every minute."""
    await wait_for(lambda: ledm_station.events_supported is False)
    assert ledm_station.update_interval == SCAN_INTERVAL


async def test_tag_scan_releases_only_when_the_jam_is_cleared(
    hass: HomeAssistant,
    ledm_station: PrinterCoordinator,
    printer_sim: PrinterSimulator,
    simulator: Simulator,
) -> None:
    """Done when: jammed, a tag scan releases nothing and shows why; cleared, it prints."""
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "alias": "Release on tag",
                "triggers": {"trigger": "event", "event_type": "tag_scanned"},
                "actions": {
                    "action": "ezeep.print_all",
                    "data": {"user_id": "{{ trigger.event.data.tag_id }}"},
                },
            }
        },
    )
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    printer_sim.set_scenario("jammed")
    hass.bus.async_fire("tag_scanned", {"tag_id": USER_1})
    await hass.async_block_till_done()
    await wait_for(lambda: bool(errors))
    assert simulator.prints == []
    assert errors[0].data["code"] == "printer_not_ready"
    assert errors[0].data["error"] == "jamInPrinter (Tray 2)"
    assert state(hass, STATUS) == "blocked"
    assert hass.states.get(PROBLEM).attributes["reasons"] == ["jamInPrinter (Tray 2)"]  # type: ignore[union-attr]

    printer_sim.set_scenario("ready")
    hass.bus.async_fire("tag_scanned", {"tag_id": USER_1})
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [p.file_name for p in simulator.prints] == ["report-1.tpf", "report-2.tpf"]
    assert state(hass, STATUS) == "ready"
    assert len(errors) == 1


async def test_bad_stored_url_skips_the_printer(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A hand-edited, invalid printer URL does not break the station."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={CONF_PRINTER_SOURCE: "ipp", CONF_PRINTER_URL: "nonsense"},
    )
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.runtime_data.printer is None
    assert "printer URL is not valid" in caplog.text


@pytest.mark.parametrize(
    ("status", "key", "reason"),
    [
        (
            PrinterStatus(PrinterState.BLOCKED, reasons=("jam", "door open")),
            "printer_not_ready",
            "jam, door open",
        ),
        (PrinterStatus(PrinterState.WARMING_UP), "printer_warming_up", "warming_up"),
        (unreachable("timed out"), "printer_unreachable", "timed out"),
    ],
)
def test_not_ready_error(status: PrinterStatus, key: str, reason: str) -> None:
    """The guard's refusal is a ReleaseRefusedError with the event's code and text."""
    err = PrinterNotReadyError(status)
    assert isinstance(err, ReleaseRefusedError)
    assert err.code == ERROR_PRINTER_NOT_READY == "printer_not_ready"
    assert err.translation_domain == DOMAIN
    assert err.translation_key == key
    assert err.translation_placeholders == {"reason": reason}
    assert err.error == err.reason == reason


async def test_printer_read_in_flight_at_unload_starts_no_event_follower(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    printer_sim: PrinterSimulator,
    simulator: Simulator,
) -> None:
    """A release's printer read outlives the unload: it starts no event-table long poll.

    The entry's background tasks were cancelled at the unload; one started after it
    would long-poll the printer until Home Assistant stops (beside a reloaded station's).
    """
    printer = await setup_station(hass, mock_config_entry, ledm_options(printer_sim))
    await wait_for(lambda: printer.events_supported is True)
    printer_sim.fall_asleep(0.5)
    status_reads = printer_sim.requests[STATUS_PATH]
    with patch("custom_components.ezeep.coordinator.printer.MAX_STATUS_AGE", 0):
        call = hass.async_create_task(print_all(hass, user_id=USER_1))
        await wait_for(lambda: printer_sim.requests[STATUS_PATH] > status_reads)
        assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
        events_asked = printer_sim.requests[EVENTS_PATH]
        await asyncio.wait_for(call, 5)
    await asyncio.sleep(0.3)
    assert printer_sim.requests[EVENTS_PATH] == events_asked
    assert simulator.counts["PrintJob"] == 0
