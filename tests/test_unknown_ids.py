"""Paper safety: the station's unknown-ID guard (hold-off per ID, sheets per hour)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import json
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.ezeep import unknown_ids as unknown_ids_module
from custom_components.ezeep.const import (
    CONF_SHEETS_PER_HOUR,
    CONF_UNKNOWN_HOLD_OFF,
    DOMAIN,
    EVENT_PRINT_ERROR,
)
from custom_components.ezeep.errors import (
    UnknownCardsLimitError,
    UnknownUserHeldOffError,
)
from custom_components.ezeep.registered_ids import (
    REGISTERED_KEY,
    SAVE_DELAY,
    STORAGE_KEY,
    RegisteredIds,
)
from custom_components.ezeep.store import STORE_KEY, EzeepStore, async_get_store
from custom_components.ezeep.tpfm import (
    TpfmInvalidPrinterError,
    TpfmUserNotAllowedError,
)
from custom_components.ezeep.unknown_ids import SHEET_SOURCE, UnknownIdGuard
from tests.conftest import (
    TRANSLATIONS,
    UNKNOWN_USER,
    USER_1,
    make_jobs,
    print_all,
    settle,
)
from tests.simulator import SimJob, Simulator

CARDS = [f"test-card-{n:02d}" for n in range(12)]


def _issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"unknown_cards_{entry.entry_id}")


def _our_log(caplog: pytest.LogCaptureFixture) -> str:
    """Everything logged but the simulator's own request log."""
    return "\n".join(
        record.getMessage()
        for record in caplog.records
        if not record.name.startswith("tests.")
    )


async def _refused(
    hass: HomeAssistant, user_id: str, source: str | None = None
) -> HomeAssistantError:
    """A refused release; each card from a source of its own unless ``source`` is given.

    (So the station's limit is reached before any source's.)
    """
    token = SHEET_SOURCE.set(source or f"reader:{user_id}")
    try:
        with pytest.raises(HomeAssistantError) as err:
            await print_all(hass, user_id=user_id)
    finally:
        SHEET_SOURCE.reset(token)
    return err.value


async def test_card_scanned_every_second_for_two_minutes(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One unknown card on the reader for two minutes: one registration sheet."""
    caplog.set_level(logging.DEBUG)
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    keys = []
    for _ in range(120):
        freezer.tick(1)
        keys.append((await _refused(hass, UNKNOWN_USER)).translation_key)
    assert simulator.registration_printouts == {UNKNOWN_USER: 1}
    assert keys[0] == "unknown_user"  # the server's answer
    # The guard is asked before the cooldown: every later scan says when to try again.
    assert set(keys[1:]) == {"unknown_user_hold_off"}
    assert errors[0].data["code"] == 3
    held_off = [e.data for e in errors[1:] if e.data["code"] == "unknown_user"]
    assert held_off and all(d["job"] is None for d in held_off)
    assert UNKNOWN_USER not in _our_log(caplog)


async def test_held_off_card_takes_no_place_in_the_rate_window(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A card the guard refuses starts no cooldown and uses none of the station's rate."""
    admission = init_integration.runtime_data.releases.admission
    admission.rate_limit = 2
    await _refused(hass, UNKNOWN_USER)  # asks the server once: one place in the window
    for _ in range(5):
        assert (await _refused(hass, UNKNOWN_USER)).translation_key == (
            "unknown_user_hold_off"
        )
    response = await print_all(hass, user_id=USER_1, wait=True)
    assert {job["result"] for job in response["jobs"]} == {"completed"}
    assert simulator.registration_printouts == {UNKNOWN_USER: 1}


async def test_hold_off_refusal_is_translated(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A release within the hold-off: nothing is sent; the message says when to retry."""
    await _refused(hass, UNKNOWN_USER)
    asked = simulator.counts["GetJobList"]
    freezer.tick(61)
    err = await _refused(hass, UNKNOWN_USER)
    assert isinstance(err.__cause__, UnknownUserHeldOffError)
    assert err.translation_key == "unknown_user_hold_off"
    assert err.translation_placeholders == {"minutes": "4"}
    text = TRANSLATIONS["exceptions"]["unknown_user_hold_off"]["message"]
    assert str(err) == text.format(minutes=4).removesuffix(".")
    assert "registration code was printed" in str(err)
    assert simulator.counts["GetJobList"] == asked


async def test_hold_off_expires_then_a_registered_card_releases(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """After the hold-off the ID is asked again: registered meanwhile, it releases."""
    await _refused(hass, UNKNOWN_USER)
    simulator.add_user(UNKNOWN_USER, make_jobs("badge", 1))
    freezer.tick(299)
    assert (await _refused(hass, UNKNOWN_USER)).translation_key == (
        "unknown_user_hold_off"
    )
    freezer.tick(11)  # past the hold-off and the cooldown of the refused release
    response = await print_all(hass, user_id=UNKNOWN_USER, wait=True)
    assert response is not None
    assert [job["result"] for job in response["jobs"]] == ["completed"]
    assert simulator.registration_printouts == {UNKNOWN_USER: 1}


async def test_many_unknown_cards_reach_the_station_limit(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Ten sheets an hour: further unknown cards are refused unasked; one issue says so."""
    caplog.set_level(logging.DEBUG)
    for card in CARDS[:10]:
        assert (await _refused(hass, card)).translation_key == "unknown_user"
    asked = simulator.counts["GetJobList"]
    for card in CARDS[10:]:
        err = await _refused(hass, card)
        assert err.translation_key == "unknown_cards_limit"
        assert isinstance(err.__cause__, UnknownCardsLimitError)
        assert err.translation_placeholders == {"minutes": "60"}
    assert simulator.counts["GetJobList"] == asked
    assert sum(simulator.registration_printouts.values()) == 10
    issue = _issue(hass, init_integration)
    assert issue is not None
    assert not issue.is_fixable
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_key == "unknown_cards"
    assert issue.translation_placeholders == {"station": "127.0.0.1", "limit": "10"}
    assert len(ir.async_get(hass).issues) == 1
    # People the server knows still release.
    response = await print_all(hass, user_id=USER_1, wait=True)
    assert response is not None
    assert [job["result"] for job in response["jobs"]] == ["completed"] * 2
    assert all(card not in _our_log(caplog) for card in CARDS)

    freezer.tick(timedelta(hours=1))
    async_fire_time_changed(hass)
    await settle(hass)
    assert _issue(hass, init_integration) is None
    assert (await _refused(hass, "test-card-new")).translation_key == "unknown_user"
    assert sum(simulator.registration_printouts.values()) == 11


async def test_limit_issue_stays_while_the_window_is_full(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The issue is checked when the oldest sheet leaves the hour; full again: it stays."""
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_SHEETS_PER_HOUR: 2}
    )
    await settle(hass)
    await _refused(hass, CARDS[0])
    freezer.tick(timedelta(minutes=30))
    await _refused(hass, CARDS[1])
    assert (await _refused(hass, CARDS[2])).translation_key == "unknown_cards_limit"
    assert _issue(hass, init_integration) is not None
    # A sheet of a configured person (counted, not refused) keeps the window full.
    memory = async_get_store(hass).unknown_ids(init_integration.entry_id)
    freezer.tick(timedelta(minutes=29))
    memory.sheets.append(unknown_ids_module.time.monotonic())
    freezer.tick(timedelta(minutes=1))
    async_fire_time_changed(hass)
    await settle(hass)
    assert _issue(hass, init_integration) is not None
    freezer.tick(timedelta(minutes=31))
    async_fire_time_changed(hass)
    await settle(hass)
    assert _issue(hass, init_integration) is None


async def test_reload_keeps_the_limits(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A reload (new options) forgets neither the held-off IDs nor the sheets."""
    await _refused(hass, UNKNOWN_USER)
    hass.config_entries.async_update_entry(
        init_integration,
        options={CONF_UNKNOWN_HOLD_OFF: 1, CONF_SHEETS_PER_HOUR: 1},
    )
    await settle(hass)
    assert init_integration.state is ConfigEntryState.LOADED
    freezer.tick(30)
    assert (await _refused(hass, UNKNOWN_USER)).translation_key == (
        "unknown_user_hold_off"
    )
    # The sheet before the reload counts against the new limit of one an hour.
    assert (await _refused(hass, CARDS[0])).translation_key == "unknown_cards_limit"
    assert simulator.registration_printouts == {UNKNOWN_USER: 1}


async def test_removed_station_forgets_its_memory(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Removing the station drops its memory, its timer and its issue."""
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_SHEETS_PER_HOUR: 1}
    )
    await settle(hass)
    await _refused(hass, CARDS[0])
    await _refused(hass, CARDS[1])
    assert _issue(hass, init_integration) is not None
    assert await hass.config_entries.async_remove(init_integration.entry_id)
    await settle(hass)
    assert _issue(hass, init_integration) is None
    memory = async_get_store(hass).unknown_ids(init_integration.entry_id)
    assert not memory.sheets
    assert memory.issue_timer is None


async def test_a_restart_forgets(hass: HomeAssistant) -> None:
    """Each run has its own hash key: nothing of a run can be matched after a restart."""
    first, second = EzeepStore(hass), EzeepStore(hass)
    assert first.id_hash(UNKNOWN_USER) != second.id_hash(UNKNOWN_USER)
    assert UNKNOWN_USER.encode() not in first.id_hash(UNKNOWN_USER)
    assert first.id_hash(UNKNOWN_USER) == first.id_hash(UNKNOWN_USER)


def _guard(hass: HomeAssistant, *, configured: bool = False) -> UnknownIdGuard:
    return UnknownIdGuard(
        hass,
        "entry",
        station="Office",
        hold_off_minutes=5,
        sheets_per_hour=1,
        is_configured=lambda _user_id: configured,
        registered=RegisteredIds(hass),
    )


async def test_memory_is_bounded(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many cards: the held-off and known IDs are LRUs with a hard cap."""
    monkeypatch.setattr(unknown_ids_module, "MAX_HELD_IDS", 3)
    monkeypatch.setattr(unknown_ids_module, "MAX_KNOWN_IDS", 2)
    guard = _guard(hass)
    memory = async_get_store(hass).unknown_ids("entry")
    for card in CARDS:
        guard.answered(card, TpfmUserNotAllowedError())
        guard.answered(card + "-ok", None)
    assert len(memory.held) == 3
    assert len(memory.known) == 2
    assert all(len(key) == 16 for key in [*memory.held, *memory.known])


async def test_configured_people_pass_the_limit(hass: HomeAssistant) -> None:
    """With the limit reached, a configured person the server knows is still sent."""
    guard = _guard(hass, configured=True)
    guard.answered(CARDS[0], TpfmUserNotAllowedError())
    guard.before(USER_1)
    with pytest.raises(UnknownUserHeldOffError):
        guard.before(CARDS[0])


async def test_other_answers_change_nothing(hass: HomeAssistant) -> None:
    """An error that is not about the ID (a bad printer) neither holds off nor knows."""
    guard = _guard(hass)
    guard.answered(CARDS[0], TpfmInvalidPrinterError())
    memory = async_get_store(hass).unknown_ids("entry")
    assert not memory.held
    assert not memory.known
    assert not memory.sheets
    guard.before(CARDS[0])


async def test_code_3_for_a_registered_id_is_a_refused_command(
    hass: HomeAssistant,
) -> None:
    """X-FMP-Return 3 for an ID the server accepted: not held off, no sheet counted."""
    guard = _guard(hass)
    memory = async_get_store(hass).unknown_ids("entry")
    assert not guard.may_retry(USER_1)
    guard.answered(USER_1, None)
    assert guard.may_retry(USER_1)
    guard.answered(USER_1, TpfmUserNotAllowedError())
    assert not memory.held
    assert not memory.sheets
    assert guard.may_retry(USER_1)
    guard.before(USER_1)
    guard.answered(CARDS[0], TpfmUserNotAllowedError())  # never accepted: unknown
    assert not guard.may_retry(CARDS[0])
    assert len(memory.sheets) == 1


async def test_one_request_in_flight_per_unknown_card(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A release and two list reads for one unknown card at the same instant: one sheet.

    The first request goes out; the others wait for its answer and follow it (held off
    as unknown), so nothing else reaches the server.
    """
    simulator.stall_user(UNKNOWN_USER, 0.3)
    simulator.reset_log()
    results = await asyncio.gather(
        print_all(hass, user_id=UNKNOWN_USER),
        *(
            hass.services.async_call(
                DOMAIN,
                "get_jobs",
                {"user_id": UNKNOWN_USER},
                blocking=True,
                return_response=True,
            )
            for _ in range(2)
        ),
        return_exceptions=True,
    )
    assert all(isinstance(result, HomeAssistantError) for result in results), results
    keys = sorted(str(result.translation_key) for result in results)  # type: ignore[union-attr]
    assert keys == ["unknown_user", "unknown_user_hold_off", "unknown_user_hold_off"]
    assert simulator.registration_printouts[UNKNOWN_USER] == 1
    assert [request.cmd for request in simulator.requests] == ["GetJobList"]


async def test_waiting_request_follows_a_registered_answer(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Two reads at once for a card not yet seen but registered: both are answered."""
    simulator.add_user("test-card-new", make_jobs("memo", 1))
    simulator.stall_user("test-card-new", 0.3)
    simulator.reset_log()
    results = await asyncio.gather(
        *(
            hass.services.async_call(
                DOMAIN,
                "get_jobs",
                {"user_id": "test-card-new"},
                blocking=True,
                return_response=True,
            )
            for _ in range(2)
        )
    )
    assert [len(result["jobs"]) for result in results] == [1, 1]  # type: ignore[arg-type]
    assert [request.cmd for request in simulator.requests] == ["GetJobList"] * 4


async def test_registered_id_passes_the_limit_after_a_restart(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """A card the server accepted before a restart still releases at a full station."""
    card = "test-card-0042"
    simulator.add_user(card, make_jobs("visitor", 1))
    await print_all(hass, user_id=card, wait=True)
    freezer.tick(timedelta(seconds=SAVE_DELAY + 1))
    async_fire_time_changed(hass)
    await settle(hass)
    stored = hass_storage[STORAGE_KEY]["data"]
    assert card not in json.dumps(stored)
    assert [len(prints) for prints in stored["stations"].values()] == [1]
    # A restart: the run's memory (and its hash key) is gone, the file stays.
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    hass.data.pop(STORE_KEY)
    hass.data.pop(REGISTERED_KEY)
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_SHEETS_PER_HOUR: 1}
    )
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await settle(hass)
    assert (await _refused(hass, CARDS[0])).translation_key == "unknown_user"
    assert (await _refused(hass, CARDS[1])).translation_key == "unknown_cards_limit"
    simulator.add_job(card, SimJob("second.tpf", "Second.pdf"))
    response = await print_all(hass, user_id=card, wait=True)
    assert [job["result"] for job in response["jobs"]] == ["completed"]  # type: ignore[index]


async def test_one_source_cannot_use_up_the_station(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """3 sheets (a third of 10) per source; the 4th card of one source is refused.

    It is refused unasked, while the station's other sources still get a sheet.
    """
    for card in CARDS[:3]:
        key = (await _refused(hass, card, source="user:desk")).translation_key
        assert key == "unknown_user"
    simulator.reset_log()
    err = await _refused(hass, CARDS[3], source="user:desk")
    assert err.translation_key == "unknown_cards_limit"
    assert simulator.requests == []
    assert _issue(hass, init_integration) is None  # the station is not full
    err = await _refused(hass, CARDS[3], source="reader:front")
    assert err.translation_key == "unknown_user"
    assert simulator.registration_printouts == {CARDS[3]: 1}
    # People the server knows are never refused by a source's limit.
    token = SHEET_SOURCE.set("user:desk")
    try:
        response = await print_all(hass, user_id=USER_1, wait=True)
    finally:
        SHEET_SOURCE.reset(token)
    assert [job["result"] for job in response["jobs"]] == ["completed"] * 2  # type: ignore[index]


async def test_a_task_with_the_turn_keeps_it(hass: HomeAssistant) -> None:
    """Asking for the turn again in the same task neither waits nor strands a waiter."""
    guard = _guard(hass)
    await guard.turn(CARDS[0])
    waiter = asyncio.create_task(guard.turn(CARDS[0]))
    await asyncio.sleep(0)
    assert not waiter.done()
    await guard.turn(CARDS[0])  # returns at once: this task has the turn
    guard.answered(CARDS[0], None)
    guard.done(CARDS[0])
    await asyncio.wait_for(waiter, 1)
