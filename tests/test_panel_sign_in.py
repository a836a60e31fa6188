"""Signing in at the release panel: typed IDs, reader scans, unknown IDs (non-admin)."""

from __future__ import annotations

import asyncio
import logging

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ezeep.card_reader import recent_scan
from custom_components.ezeep.const import CONF_CARD_FORMAT, CONF_SHEETS_PER_HOUR
from custom_components.ezeep.panel.session import async_get_sessions
from tests.conftest import UNKNOWN_USER, USER_1, USER_2, logged, make_jobs, settle
from tests.simulator import SimJob, Simulator
from tests.test_panel_websocket import PanelClient, panel_fixture, requests  # noqa: F401 - the panel fixture


async def test_stations(panel: PanelClient, init_integration: MockConfigEntry) -> None:
    """The card editor lists the loaded stations."""
    result = await panel.call("ezeep/panel/stations")
    assert result == {
        "stations": [{"entry_id": init_integration.entry_id, "title": "127.0.0.1"}]
    }


async def test_sign_in_reads_jobs_with_held(
    panel: PanelClient, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A sign-in reads the list with and without held jobs; the held one is marked."""
    simulator.add_job(
        USER_1, SimJob("held.tpf", "Held.pdf", created=1_600_000_000, on_hold=True)
    )
    simulator.reset_log()
    result = await panel.sign_in(init_integration.entry_id, f"  {USER_1} ")
    assert requests(simulator) == ["GetJobList", "GetJobList"]
    assert result["name"] == "Alice"
    assert result["selectable"] is False
    assert [job["job"] for job in result["jobs"]] == [
        "held.tpf",
        "report-1.tpf",
        "report-2.tpf",
    ]
    held, first = result["jobs"][:2]
    assert held["on_hold"] is True
    assert first == {
        "job": "report-1.tpf",
        "name": "report 1.pdf",
        "size": 1000,
        "created": "2023-11-14T22:14:20+00:00",
        "on_hold": False,
    }
    assert set(result) == {"session", "name", "jobs", "selectable"}


async def test_sign_in_reads_both_lists_in_one_round_trip(
    panel: PanelClient, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A person the server knows: both lists are asked at once (they overlap)."""
    simulator.reset_log()
    simulator.stall("GetJobList", 0.5)
    result = await panel.sign_in(init_integration.entry_id, USER_1)
    assert len(result["jobs"]) == 2
    assert sorted(
        str(r.params.get("ShowPutOnHoldJobs")) for r in simulator.requests
    ) == [
        "1",
        "None",
    ]
    assert simulator.max_in_flight == 2


async def test_sign_in_unconfigured_card_and_visible(
    panel: PanelClient, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A card nobody is set up with has no name; X-FMP-Visible: 1 makes jobs selectable."""
    simulator.visible = "1"
    simulator.add_user("card-42", make_jobs("memo", 1))
    result = await panel.sign_in(init_integration.entry_id, "card-42")
    assert result["name"] is None
    assert result["selectable"] is True


async def test_unknown_id_asked_once(
    panel: PanelClient, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """An unknown ID prints one registration sheet; a retry within the hold-off asks nothing."""
    error = await panel.error(
        "ezeep/panel/sign_in", entry_id=init_integration.entry_id, user_id=UNKNOWN_USER
    )
    assert error["code"] == "unknown_user"
    assert error["translation_key"] == "unknown_user"
    simulator.reset_log()
    error = await panel.error(
        "ezeep/panel/sign_in", entry_id=init_integration.entry_id, user_id=UNKNOWN_USER
    )
    assert error["code"] == "unknown_user"
    assert error["translation_key"] == "unknown_user_hold_off"
    assert error["translation_placeholders"] == {"minutes": "5"}
    assert requests(simulator) == []
    assert simulator.registration_printouts[UNKNOWN_USER] == 0


async def test_unknown_cards_limit(
    hass: HomeAssistant,
    panel: PanelClient,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """The station's sheet limit holds every unknown card off and says when to retry."""
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_SHEETS_PER_HOUR: 1}
    )
    await settle(hass)
    entry_id = init_integration.entry_id
    error = await panel.error("ezeep/panel/sign_in", entry_id=entry_id, user_id="c-1")
    assert error["translation_key"] == "unknown_user"
    simulator.reset_log()
    error = await panel.error("ezeep/panel/sign_in", entry_id=entry_id, user_id="c-2")
    assert error["code"] == "unknown_user"
    assert error["translation_key"] == "unknown_cards_limit"
    assert error["translation_placeholders"] == {"minutes": "60"}
    assert requests(simulator) == []
    assert "c-2" not in "".join(panel.received)


@pytest.mark.parametrize("user_id", ["", "   ", "a:b", "tab\there", "x" * 129])
async def test_invalid_user_id_sends_nothing(
    panel: PanelClient,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    user_id: str,
) -> None:
    """An ID the protocol cannot carry is refused before any request."""
    simulator.reset_log()
    error = await panel.error(
        "ezeep/panel/sign_in", entry_id=init_integration.entry_id, user_id=user_id
    )
    assert error["code"] == "invalid_user_id"
    assert requests(simulator) == []


async def test_unknown_station(panel: PanelClient) -> None:
    """A card set up for a station that is gone says so."""
    error = await panel.error("ezeep/panel/sign_in", entry_id="nope", user_id=USER_1)
    assert error["code"] == "unknown_station"
    error = await panel.error("ezeep/panel/subscribe", entry_id="nope")
    assert error["code"] == "unknown_station"


async def test_reader_sign_in(
    hass: HomeAssistant, panel: PanelClient, init_integration: MockConfigEntry
) -> None:
    """A chosen reader's scan signs its person in at this card; other readers do nothing."""
    client = panel
    await client.subscribe(init_integration.entry_id, reader_device_ids=["reader-1"])
    hass.bus.async_fire("tag_scanned", {"tag_id": USER_1, "device_id": "reader-2"})
    hass.bus.async_fire("tag_scanned", {"tag_id": USER_1, "device_id": "reader-1"})
    signed_in = await client.event("signed_in")
    assert signed_in["name"] == "Alice"
    assert [job["job"] for job in signed_in["jobs"]] == ["report-1.tpf", "report-2.tpf"]
    assert (await client.call("ezeep/panel/jobs", session=signed_in["session"]))["jobs"]
    hass.bus.async_fire(
        "tag_scanned", {"tag_id": UNKNOWN_USER, "device_id": "reader-1"}
    )
    assert (await client.event("signed_out"))["reason"] == "sign_out"
    error = await client.event("error")
    assert error["code"] == "unknown_user"
    assert error["translation_key"] == "unknown_user"


async def test_unregistered_person_refused(
    hass: HomeAssistant,
    panel: PanelClient,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A configured person the server did not know is refused without asking again."""
    del simulator.users[USER_2]
    error = await panel.error(
        "ezeep/panel/sign_in", entry_id=init_integration.entry_id, user_id=USER_2
    )
    assert error["code"] == "unknown_user"
    simulator.reset_log()
    error = await panel.error(
        "ezeep/panel/sign_in", entry_id=init_integration.entry_id, user_id=USER_2
    )
    assert error["translation_key"] == "user_not_registered"
    assert error["translation_placeholders"] == {"name": "Bob"}
    assert requests(simulator) == []


@pytest.mark.parametrize("user_id", [4711, {"id": "test-card"}, ["test-card"]])
async def test_sign_in_id_that_is_not_text(
    panel: PanelClient,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
    user_id: object,
) -> None:
    """A value that is not text is refused as an invalid ID, and never logged."""
    caplog.set_level(logging.DEBUG, logger="custom_components.ezeep")
    simulator.reset_log()
    error = await panel.error(
        "ezeep/panel/sign_in", entry_id=init_integration.entry_id, user_id=user_id
    )
    assert error["code"] == "invalid_user_id"
    assert requests(simulator) == []
    assert "4711" not in caplog.text
    assert "test-card" not in caplog.text


async def test_reader_scan_after_the_station_unloaded(
    hass: HomeAssistant,
    panel: PanelClient,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A scan at a card whose station was unloaded says so; nothing crashes or is sent."""
    await panel.subscribe(init_integration.entry_id, reader_device_ids=["reader-1"])
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    simulator.reset_log()
    hass.bus.async_fire("tag_scanned", {"tag_id": USER_1, "device_id": "reader-1"})
    error = await panel.event("error")
    assert error["code"] == "unknown_station"
    assert requests(simulator) == []
    assert "Error doing job" not in caplog.text


async def _drain(hass: HomeAssistant, panel: PanelClient, simulator: Simulator) -> None:
    """Let every pending sign-in finish and receive what it sent."""
    await simulator.wait_idle()
    await settle(hass)
    await panel.call("ezeep/panel/stations")  # every earlier message is in by now


async def test_slow_reader_sign_in_overtaken_by_a_newer_scan(
    hass: HomeAssistant,
    panel: PanelClient,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Scan A (slow server), then scan B: the card gets B's sign-in only, never A's."""
    await panel.subscribe(init_integration.entry_id, reader_device_ids=["reader-1"])
    simulator.stall_user(USER_1, 0.5)
    hass.bus.async_fire("tag_scanned", {"tag_id": USER_1, "device_id": "reader-1"})
    await asyncio.sleep(0.1)
    hass.bus.async_fire("tag_scanned", {"tag_id": USER_2, "device_id": "reader-1"})
    signed_in = await panel.event("signed_in")
    await _drain(hass, panel, simulator)
    assert signed_in["name"] == "Bob"
    assert [s.token for s in async_get_sessions(hass)] == [signed_in["session"]]
    # A's sign-in ended without a word: no signed_in with a dead token, no error.
    assert [e for e in panel.events if e["type"] in ("signed_in", "error")] == []


async def test_typed_sign_in_overtaken_by_a_scan(
    hass: HomeAssistant,
    panel: PanelClient,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """A typed sign-in pending while a reader signs B in: A's answer is session_expired."""
    await panel.subscribe(init_integration.entry_id, reader_device_ids=["reader-1"])
    simulator.stall_user(USER_1, 0.5)
    typed = await panel.start(
        "ezeep/panel/sign_in", entry_id=init_integration.entry_id, user_id=USER_1
    )
    await asyncio.sleep(0.1)
    hass.bus.async_fire("tag_scanned", {"tag_id": USER_2, "device_id": "reader-1"})
    answer = await panel.answer(typed)
    assert not answer["success"], answer
    assert answer["error"]["code"] == "session_expired"
    signed_in = await panel.event("signed_in")
    assert signed_in["name"] == "Bob"
    assert [s.token for s in async_get_sessions(hass)] == [signed_in["session"]]


async def test_slow_scan_overtaken_by_a_typed_sign_in(
    hass: HomeAssistant,
    panel: PanelClient,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Scan A (slow), then B types an ID at the card: B stays signed in, A never shows."""
    await panel.subscribe(init_integration.entry_id, reader_device_ids=["reader-1"])
    # A's list takes 2 s: long enough that B's sign-in ends first even on a busy machine.
    simulator.stall_user(USER_1, 2.0)
    hass.bus.async_fire("tag_scanned", {"tag_id": USER_1, "device_id": "reader-1"})
    await asyncio.sleep(0.1)
    result = await panel.sign_in(init_integration.entry_id, USER_2)
    assert result["name"] == "Bob"
    await _drain(hass, panel, simulator)
    assert [s.token for s in async_get_sessions(hass)] == [result["session"]]
    assert [e for e in panel.events if e["type"] in ("signed_in", "error")] == []


async def test_sheet_limit_per_source(
    hass: HomeAssistant,
    panel: PanelClient,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Typed unknown IDs use up the typing user's share (3 of 10), not the station's.

    The reader bound to this user's panel is a source of its own.
    """
    entry_id = init_integration.entry_id
    for card in ("test-card-a", "test-card-b", "test-card-c"):
        error = await panel.error(
            "ezeep/panel/sign_in", entry_id=entry_id, user_id=card
        )
        assert error["translation_key"] == "unknown_user"
    simulator.reset_log()
    error = await panel.error(
        "ezeep/panel/sign_in", entry_id=entry_id, user_id="test-card-d"
    )
    assert error["translation_key"] == "unknown_cards_limit"
    assert requests(simulator) == []
    await panel.subscribe(entry_id, reader_device_ids=["reader-1"])
    hass.bus.async_fire(
        "tag_scanned", {"tag_id": "test-card-d", "device_id": "reader-1"}
    )
    assert (await panel.event("error"))["translation_key"] == "unknown_user"
    assert simulator.registration_printouts == {"test-card-d": 1}


# -- card readers: a reader's value passes the station's card format ---------------------

#: An ESPHome reader's UID, and the ID the server knows for it (ESPHome UID -> decimal).
SCANNED, CARD_ID = "74-10-37-94", "1947219860"


@pytest.fixture
async def card_station(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> str:
    """The station converts reader values with "ESPHome UID -> decimal"; its entry id."""
    simulator.add_user(CARD_ID, make_jobs("badge", 1))
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_CARD_FORMAT: "esphome_decimal"}
    )
    await settle(hass)
    simulator.reset_log()
    return init_integration.entry_id


async def test_reader_scan_is_converted(
    hass: HomeAssistant,
    panel: PanelClient,
    card_station: str,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bound reader's scan signs in the person the converted ID belongs to."""
    caplog.set_level(logging.DEBUG, logger="custom_components.ezeep")
    await panel.subscribe(card_station, reader_device_ids=["reader-1"])
    hass.bus.async_fire("tag_scanned", {"tag_id": SCANNED, "device_id": "reader-1"})
    signed_in = await panel.event("signed_in")
    assert [job["job"] for job in signed_in["jobs"]] == ["badge-1.tpf"]
    assert {request.user for request in simulator.requests} == {CARD_ID}
    for value in (SCANNED, CARD_ID):
        assert value not in "".join(panel.received)
        assert not logged(caplog, value)


async def test_keyboard_reader_converted_keypad_as_typed(
    hass: HomeAssistant, panel: PanelClient, card_station: str, simulator: Simulator
) -> None:
    """``source: reader`` is converted (and offered to the live test); typed IDs are not."""
    result = await panel.call(
        "ezeep/panel/sign_in", entry_id=card_station, user_id=SCANNED, source="reader"
    )
    assert [job["job"] for job in result["jobs"]] == ["badge-1.tpf"]
    assert {request.user for request in simulator.requests} == {CARD_ID}
    assert recent_scan(hass) == SCANNED
    # Not hex: converting would refuse them. Typed, they go as typed.
    assert (await panel.sign_in(card_station, USER_1))["name"] == "Alice"
    result = await panel.call(
        "ezeep/panel/sign_in", entry_id=card_station, user_id=USER_2, source="keypad"
    )
    assert result["name"] == "Bob"
    assert recent_scan(hass) == SCANNED


async def test_unconvertible_reader_values_send_nothing(
    hass: HomeAssistant, panel: PanelClient, card_station: str, simulator: Simulator
) -> None:
    """A value the format cannot convert is refused with its translated error."""
    await panel.subscribe(card_station, reader_device_ids=["reader-1"])
    hass.bus.async_fire(
        "tag_scanned", {"tag_id": "test-card-0042", "device_id": "reader-1"}
    )
    scanned = await panel.event("error")
    typed = await panel.error(
        "ezeep/panel/sign_in",
        entry_id=card_station,
        user_id="test-card-0042",
        source="reader",
    )
    assert (scanned["code"], scanned["translation_key"], scanned["placeholders"]) == (
        "card_not_convertible",
        "card_not_convertible",
        {"step": "hex_to_dec"},
    )
    assert (typed["code"], typed["translation_placeholders"]) == (
        "card_not_convertible",
        {"step": "hex_to_dec"},
    )
    assert requests(simulator) == []
    assert dict(simulator.registration_printouts) == {}


@pytest.mark.parametrize(
    ("user_id", "source", "code"),
    [
        ("", "reader", "invalid_user_id"),
        (" \r\n", "reader", "invalid_user_id"),
        (4711, "reader", "invalid_user_id"),
        ("1" * 257, "reader", "invalid_user_id"),
        (SCANNED, "usb", "invalid_format"),
    ],
    ids=["empty", "line_end", "not_text", "too_long", "unknown_source"],
)
async def test_reader_sign_in_bad_input(
    panel: PanelClient,
    card_station: str,
    simulator: Simulator,
    *,
    user_id: object,
    source: str,
    code: str,
) -> None:
    """No value, a value that is not text or too long, an unknown source: refused."""
    error = await panel.error(
        "ezeep/panel/sign_in", entry_id=card_station, user_id=user_id, source=source
    )
    assert error["code"] == code
    assert requests(simulator) == []
