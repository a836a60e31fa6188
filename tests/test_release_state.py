"""Release state per person and its coalesced listeners."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from hypothesis import given, settings, strategies as st
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ezeep.release import ReleaseState
from custom_components.ezeep.tpfm import ProgressUnit
from custom_components.ezeep.tpfm.parsing import (
    decode_text,
    parse_progress_token,
    parse_progress_type,
)
from tests.conftest import USER_1

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
