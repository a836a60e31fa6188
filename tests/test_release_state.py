"""Release state per person and its coalesced listeners."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from hypothesis import given, settings, strategies as st
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ezeep.release import (
    JobOutcome,
    ReleaseEvent,
    ReleaseState,
    ReleaseStates,
)
from custom_components.ezeep.tpfm import ProgressEvent, ProgressUnit
from custom_components.ezeep.tpfm.parsing import (
    decode_text,
    parse_progress_token,
    parse_progress_type,
)
from tests.conftest import USER_1, subentry_id_of

_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(token=_TEXT, kind=st.one_of(st.none(), _TEXT), text=_TEXT)
def test_generated_progress_and_texts(token: str, kind: str | None, text: str) -> None:
    """Progress tokens, progress types and base64 texts never break the release state."""
    unit = parse_progress_type(kind)
    event = parse_progress_token(token, unit)
    state = ReleaseState(running=True)
    if event is not None:
        state.done, state.total, state.unit = event.done, event.total, event.unit
        percent = state.percent
        assert percent is None or 0 <= percent <= 100
        assert state.unit in (ProgressUnit.PAGES, ProgressUnit.PERCENT)
    assert isinstance(decode_text(text), str)


async def test_release_state_writes_are_coalesced(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Several changes of a person's release state in one loop turn: one write each."""
    releases = init_integration.runtime_data.releases
    writes: list[str] = []
    remove = releases.states.async_add_listener(
        USER_1, lambda _event: writes.append("w")
    )
    for _ in range(3):
        releases.states.async_changed(USER_1)
    assert writes == []  # deferred: a request about to be sent goes out first
    await hass.async_block_till_done()
    assert writes == ["w"]
    remove()
    releases.states.async_changed(USER_1)
    await hass.async_block_till_done()
    assert writes == ["w"]


def test_percent() -> None:
    """Percent from pages or a percentage, clamped; none while idle or unknown."""
    assert ReleaseState().percent is None
    state = ReleaseState(running=True)
    assert state.percent is None
    state.progress(ProgressEvent(3, 4, ProgressUnit.PAGES))
    assert state.percent == 75
    state.progress(ProgressEvent(9, 4, ProgressUnit.PAGES))
    assert state.percent == 100
    state.progress(ProgressEvent(3, None, ProgressUnit.PAGES))
    assert state.percent is None
    state.progress(ProgressEvent(140, None, ProgressUnit.PERCENT))
    assert state.percent == 100


def test_a_release_from_begin_to_end() -> None:
    """The state follows a release: running, the job, its progress, the last result."""
    state = ReleaseState(last_result="failed", last_job_name="old.pdf")
    state.begin()
    assert (state.running, state.job_name, state.done) == (True, None, None)
    state.start_job("a.pdf")
    assert (state.job_name, state.done, state.unit) == ("a.pdf", 0, None)
    state.start_job("a.pdf", ProgressUnit.PERCENT)
    assert state.unit is ProgressUnit.PERCENT
    state.end(None)
    assert not state.running
    assert (state.last_result, state.last_job_name) == ("failed", "old.pdf")
    state.end(JobOutcome("a.tpf", "a.pdf", 7, "completed"))
    assert (state.last_result, state.last_job_name) == ("completed", "a.pdf")
    assert state.last_finished is not None
    assert (state.job_name, state.done, state.total, state.unit) == (None,) * 4


async def test_one_listener_for_changes_and_events(hass: HomeAssistant) -> None:
    """A listener gets job events at once and state changes coalesced, as None."""
    states = ReleaseStates(hass)
    told: list[ReleaseEvent | None] = []
    remove = states.async_add_listener(USER_1, told.append)
    event = ReleaseEvent("started", {"job": "a.tpf"})
    states.async_changed(USER_1)
    states.async_event(USER_1, event)
    states.async_changed(USER_1)
    states.async_changed("someone else")
    assert told == [event]
    await hass.async_block_till_done()
    assert told == [event, None]
    remove()
    states.async_event(USER_1, event)
    assert told == [event, None]


async def test_unwatched_state_is_forgotten(hass: HomeAssistant) -> None:
    """The state of a card no entity shows is dropped; a watched one is kept."""
    states = ReleaseStates(hass)
    states.state("card").last_result = "completed"
    states.async_forget_unwatched("card")
    assert states.state("card").last_result is None
    states.async_add_listener(USER_1, lambda _event: None)
    states.state(USER_1).last_result = "completed"
    states.async_forget_unwatched(USER_1)
    assert states.state(USER_1).last_result == "completed"


async def test_last_listener_removed_forgets_the_person(hass: HomeAssistant) -> None:
    """A panel's sign-out per card keeps no empty list and no state (bounded memory)."""
    states = ReleaseStates(hass)
    for n in range(100):
        card = f"card-{n}"
        remove = states.async_add_listener(card, lambda _event: None)
        states.state(card).begin()
        states.async_forget_unwatched(card)  # a release ends while signed in: kept
        assert states.state(card).running
        remove()  # the sign-out
    assert not states._listeners
    assert not states._states


async def test_other_listeners_stay_after_a_removal(hass: HomeAssistant) -> None:
    """The entities' listener outlives a panel session's listener of the same person."""
    states = ReleaseStates(hass)
    told: list[ReleaseEvent | None] = []
    states.async_add_listener(USER_1, told.append)
    states.state(USER_1).last_result = "completed"
    remove_panel = states.async_add_listener(USER_1, lambda _event: None)
    remove_panel()
    event = ReleaseEvent("started", {"job": "a.tpf"})
    states.async_event(USER_1, event)
    assert told == [event]
    assert states.state(USER_1).last_result == "completed"
    remove_again = states.async_add_listener(USER_1, lambda _event: None)
    remove_again()
    assert told == [event]
    assert states.state(USER_1).last_result == "completed"


def test_job_outcome_as_dict() -> None:
    """The service response's form of a job."""
    assert JobOutcome("a.tpf", "a.pdf").as_dict() == {
        "job": "a.tpf",
        "name": "a.pdf",
        "proc_id": None,
        "result": "queued",
    }


async def test_entities_follow_a_person_and_stop_when_removed(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Entities that show a release listen (buttons do not); removed, they stop."""
    states = init_integration.runtime_data.releases.states
    # Pending jobs, progress, last result, releasing, the event and the to-do list.
    assert len(states._listeners[USER_1]) == 6
    hass.config_entries.async_remove_subentry(
        init_integration, subentry_id_of(init_integration, USER_1)
    )
    await hass.async_block_till_done()
    assert USER_1 not in states._listeners
    states.async_unlisten(USER_1, print)  # nothing to stop: no error
