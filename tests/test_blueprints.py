"""The shipped blueprints: automations made from them work (installing: test_blueprint_install)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.ezeep.const import CONF_CARD_FORMAT, DOMAIN
from tests.conftest import USER_1, USER_2, logged, make_jobs, settle, subentry_id_of
from tests.simulator import Simulator

TAG = "test-tag-1"
READER = "test-reader-device"
PRESENCE = "binary_sensor.test_printer_room"


def device_of(hass: HomeAssistant, entry: MockConfigEntry, user_id: str) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, subentry_id_of(entry, user_id)), entry.entry_id
    )
    assert device is not None
    return device.id


async def add_automation(hass: HomeAssistant, blueprint: str, **inputs: Any) -> None:
    """Create an automation from an installed blueprint, the way the UI stores it."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "id": "test",
                    "alias": "test",
                    "use_blueprint": {
                        "path": f"{DOMAIN}/{blueprint}",
                        "input": inputs,
                    },
                }
            ]
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get("automation.test")
    assert state is not None
    assert state.state == "on"


def printed(simulator: Simulator) -> list[str]:
    return [p.file_name for p in simulator.prints]


# -- Release print jobs with an NFC tag ----------------------------------------------


async def test_tag_to_person(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The chosen tag releases the chosen person's jobs; other tags do nothing."""
    await add_automation(
        hass,
        "release_on_tag.yaml",
        tag_id=TAG,
        ezeep_person=device_of(hass, init_integration, USER_1),
    )
    hass.bus.async_fire("tag_scanned", {"tag_id": "test-tag-other"})
    await settle(hass)
    assert simulator.counts["GetJobList"] == 4  # the two people's first poll
    hass.bus.async_fire("tag_scanned", {"tag_id": TAG, "device_id": READER})
    await settle(hass)
    assert printed(simulator) == ["report-1.tpf", "report-2.tpf"]


async def test_tag_from_another_reader_is_ignored(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """With readers chosen, a scan elsewhere does not release."""
    await add_automation(
        hass,
        "release_on_tag.yaml",
        tag_id=TAG,
        ezeep_person=device_of(hass, init_integration, USER_2),
        readers=[READER],
    )
    hass.bus.async_fire("tag_scanned", {"tag_id": TAG, "device_id": "test-phone"})
    await settle(hass)
    assert printed(simulator) == []
    hass.bus.async_fire("tag_scanned", {"tag_id": TAG, "device_id": READER})
    await settle(hass)
    assert printed(simulator) == ["slides-1.tpf"]


async def test_tag_id_is_the_user_id(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Card-reader mode: the scanned ID is released as the ezeep user ID, as scanned."""
    await add_automation(
        hass,
        "release_on_tag.yaml",
        release_mode="tag_is_user_id",
        readers=[READER],
        station=init_integration.entry_id,
    )
    hass.bus.async_fire("tag_scanned", {"tag_id": USER_2, "device_id": READER})
    await settle(hass)
    assert printed(simulator) == ["slides-1.tpf"]


@pytest.mark.parametrize(
    ("id_format", "scanned", "user_id"),
    [
        ("compact_lower", "TEST-CARD-7", "testcard7"),
        ("compact_upper", "te:st.ca rd-7", "TESTCARD7"),
    ],
)
async def test_tag_id_formats(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    *,
    id_format: str,
    scanned: str,
    user_id: str,
) -> None:
    """A reader's serial with separators becomes a compact ID (an unconfigured one here)."""
    simulator.add_user(user_id, make_jobs("card", 1))
    await add_automation(
        hass, "release_on_tag.yaml", release_mode="tag_is_user_id", id_format=id_format
    )
    hass.bus.async_fire("tag_scanned", {"tag_id": scanned, "device_id": READER})
    await settle(hass)
    assert printed(simulator) == ["card-1.tpf"]


async def test_tag_passes_the_stations_card_format(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Card-reader mode sends the raw tag as tag_id: the station's card format converts it.

    A scan the format cannot convert sends nothing (no registration sheet).
    """
    simulator.add_user("1947219860", make_jobs("badge", 1))
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_CARD_FORMAT: "esphome_decimal"}
    )
    await settle(hass)
    await add_automation(
        hass, "release_on_tag.yaml", release_mode="tag_is_user_id", readers=[READER]
    )
    simulator.reset_log()
    hass.bus.async_fire("tag_scanned", {"tag_id": "test-card-7", "device_id": READER})
    await settle(hass)
    assert simulator.requests == []
    assert "card format (step hex_to_dec)" in caplog.text  # the automation's error
    assert not logged(caplog, "test-card-7")
    hass.bus.async_fire("tag_scanned", {"tag_id": "74-10-37-94", "device_id": READER})
    await settle(hass)
    assert printed(simulator) == ["badge-1.tpf"]
    assert {request.user for request in simulator.requests} == {"1947219860"}


async def test_tag_is_user_id_ignores_an_empty_tag(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A scan without an ID asks the server nothing."""
    await add_automation(hass, "release_on_tag.yaml", release_mode="tag_is_user_id")
    before = simulator.counts["GetJobList"]
    hass.bus.async_fire("tag_scanned", {"tag_id": " ", "device_id": READER})
    await settle(hass)
    assert simulator.counts["GetJobList"] == before


# -- Release print jobs when a person arrives at the printer -------------------------


async def arrival_automation(
    hass: HomeAssistant, entry: MockConfigEntry, user_id: str, **inputs: Any
) -> None:
    assert await async_setup_component(hass, "homeassistant", {})
    hass.states.async_set(PRESENCE, "off")
    await add_automation(
        hass,
        "release_on_arrival.yaml",
        presence_entity=PRESENCE,
        arrived_state="on",
        ezeep_person=device_of(hass, entry, user_id),
        **inputs,
    )


async def test_arrival_releases(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Arriving releases the person's jobs (after reading them again)."""
    await arrival_automation(hass, init_integration, USER_1)
    polls = simulator.counts["GetJobList"]
    hass.states.async_set(PRESENCE, "on")
    await settle(hass)
    assert printed(simulator) == ["report-1.tpf", "report-2.tpf"]
    assert simulator.counts["GetJobList"] > polls + 1  # a refresh, then print_all's


async def test_arrival_with_no_jobs_does_not_release(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Jobs printed elsewhere since the last poll: the fresh count is 0, no release."""
    simulator.users[USER_2].jobs.clear()
    assert hass.states.get("sensor.bob_pending_jobs").state == "1"  # not polled yet
    calls = async_capture_events(hass, EVENT_CALL_SERVICE)
    await arrival_automation(hass, init_integration, USER_2)
    hass.states.async_set(PRESENCE, "on")
    await settle(hass)
    assert hass.states.get("sensor.bob_pending_jobs").state == "0"
    assert [c.data["service"] for c in calls if c.data["domain"] != "automation"] == [
        "update_entity"
    ]


async def test_arrival_without_the_condition(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Without the condition, arriving calls print_all at once, without a refresh."""
    calls = async_capture_events(hass, EVENT_CALL_SERVICE)
    await arrival_automation(
        hass, init_integration, USER_2, only_with_pending_jobs=False
    )
    hass.states.async_set(PRESENCE, "on")
    await settle(hass)
    assert [c.data["service"] for c in calls if c.data["domain"] != "automation"] == [
        "print_all"
    ]
    assert printed(simulator) == ["slides-1.tpf"]


async def test_arrival_after_a_delay(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """With a delay, only staying that long releases; passing by does not."""
    await arrival_automation(
        hass, init_integration, USER_1, delay={"hours": 0, "minutes": 0, "seconds": 30}
    )
    hass.states.async_set(PRESENCE, "on")
    await settle(hass)
    hass.states.async_set(PRESENCE, "off")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await settle(hass)
    assert printed(simulator) == []
    hass.states.async_set(PRESENCE, "on")
    await settle(hass)
    assert printed(simulator) == []
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await settle(hass)
    assert printed(simulator) == ["report-1.tpf", "report-2.tpf"]


# -- Notify on ezeep print errors ----------------------------------------------------


async def test_notify_on_error(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A failed job is notified with the job's name and the server's decoded text."""
    calls = async_mock_service(hass, "notify", "test_phone")
    await add_automation(
        hass, "notify_on_error.yaml", notify_action="notify.test_phone"
    )
    simulator.users[USER_1].jobs[0].fail_code = 4
    simulator.users[USER_1].jobs[0].fail_after = 1
    await hass.services.async_call(
        DOMAIN, "print_all", {"user_id": USER_1}, blocking=True
    )
    await settle(hass)
    assert [call.data for call in calls] == [
        {
            "title": "Print error",
            "message": "report 1.pdf failed: Invalid printer was specified",
        }
    ]


async def test_notify_on_os_error_and_refusals(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The OS error text is added; refusals are notified only when asked for."""
    calls = async_mock_service(hass, "notify", "test_phone")
    await add_automation(
        hass,
        "notify_on_error.yaml",
        notify_action="notify.test_phone",
        title="Printer",
        include_refusals=True,
    )
    job = simulator.users[USER_2].jobs[0]
    job.fail_code, job.os_error, job.os_error_text = 1, 5, "Access denied"
    await hass.services.async_call(
        DOMAIN, "print_all", {"user_id": USER_2}, blocking=True
    )
    await settle(hass)
    with pytest.raises(HomeAssistantError, match="released a moment ago"):
        await hass.services.async_call(
            DOMAIN, "print_all", {"user_id": USER_2}, blocking=True
        )
    await settle(hass)
    assert [call.data["message"] for call in calls] == [
        "slides 1.pdf failed: operating system error occurred (Access denied)",
        "A release was refused: cooldown",
    ]
    assert calls[0].data["title"] == "Printer"


async def test_refusals_are_not_notified_by_default(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A tag scanned twice does not send a notification by default."""
    calls = async_mock_service(hass, "notify", "notify")
    await add_automation(hass, "notify_on_error.yaml")
    await hass.services.async_call(
        DOMAIN, "print_all", {"user_id": USER_2}, blocking=True
    )
    await settle(hass)
    with pytest.raises(HomeAssistantError, match="released a moment ago"):
        await hass.services.async_call(
            DOMAIN, "print_all", {"user_id": USER_2}, blocking=True
        )
    await settle(hass)
    assert calls == []


async def test_notify_printer_not_ready(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A printer that is not ready is notified (it needs someone), refusals or not."""
    calls = async_mock_service(hass, "notify", "notify")
    await add_automation(hass, "notify_on_error.yaml")
    hass.bus.async_fire(
        "ezeep_print_error",
        {
            "config_entry_id": init_integration.entry_id,
            "user_id": USER_1,
            "job": None,
            "name": None,
            "proc_id": None,
            "code": "printer_not_ready",
            "error": "media-jam-error",
            "os_error": None,
            "os_error_text": "",
        },
    )
    await settle(hass)
    assert [call.data["message"] for call in calls] == [
        "The printer is not ready: media-jam-error"
    ]
