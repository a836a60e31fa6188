"""Release admission: one person at a time, cooldown, rate window, kept across reloads."""

from __future__ import annotations

import asyncio

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.ezeep.const import EVENT_PRINT_ERROR
from custom_components.ezeep.errors import (
    ReleaseBusyError,
    ReleaseCooldownError,
    ReleaseRateLimitedError,
)
from custom_components.ezeep.release import admission as admission_module
from custom_components.ezeep.release.admission import ReleaseAdmission
from custom_components.ezeep.store import ReleaseLimits
from tests.conftest import USER_1, make_jobs, print_all, settle
from tests.simulator import Simulator


async def test_cooldown_and_busy(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A second release while one runs, or within the cooldown, is refused and reported."""
    simulator.users[USER_1].jobs[0].step_delay = 0.05
    errors = async_capture_events(hass, EVENT_PRINT_ERROR)
    await print_all(hass, user_id=USER_1)
    with pytest.raises(HomeAssistantError) as busy:
        await print_all(hass, user_id=USER_1)
    assert busy.value.translation_key == "release_already_releasing"
    await settle(hass)
    with pytest.raises(HomeAssistantError) as cooldown:
        await print_all(hass, user_id=USER_1)
    assert cooldown.value.translation_key == "release_cooldown"
    assert [e.data["code"] for e in errors] == ["already_releasing", "cooldown"]
    assert len(simulator.prints) == 2
    assert simulator.counts["GetJobList"] > 0


async def test_rate_limit(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The station refuses more releases a minute than its rate limit, across people."""
    releases = init_integration.runtime_data.releases
    releases.admission.rate_limit = 2
    for n in range(3):
        simulator.add_user(f"test-card-{n}", make_jobs("x", 1))
    await print_all(hass, user_id="test-card-0", wait=True)
    await print_all(hass, user_id="test-card-1", wait=True)
    with pytest.raises(HomeAssistantError) as err:
        await print_all(hass, user_id="test-card-2", wait=True)
    assert err.value.translation_key == "release_rate_limited"
    assert len(simulator.prints) == 2


async def test_cooldown_survives_a_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A reload (new options, a reauth) does not reset the cooldown: no second release."""
    simulator.users[USER_1].jobs[0].step_delay = 0.2
    await print_all(hass, user_id=USER_1)
    await asyncio.wait_for(simulator.wait_running(), 5)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(HomeAssistantError) as err:
        await print_all(hass, user_id=USER_1)
    assert err.value.translation_key == "release_cooldown"
    assert simulator.counts["PrintJob"] == 1


class _Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    """Admission's clock, moved by the test."""
    fake = _Clock()
    monkeypatch.setattr(admission_module.time, "monotonic", fake)
    return fake


def test_one_person_at_a_time(clock: _Clock) -> None:
    """A second release of the same person is refused while the first runs."""
    admission = ReleaseAdmission(ReleaseLimits(), 0, 10)
    admission.admit("a")
    assert admission.is_active("a")
    with pytest.raises(ReleaseBusyError):
        admission.admit("a")
    admission.admit("b")
    admission.done("a")
    assert not admission.is_active("a")
    admission.admit("a")


def test_cooldown_counts_from_the_end(clock: _Clock) -> None:
    """The cooldown starts when a release ends; the refusal tells the seconds left."""
    admission = ReleaseAdmission(ReleaseLimits(), 10, 10)
    admission.admit("a")
    clock.now += 30
    admission.done("a")
    clock.now += 2.5
    with pytest.raises(ReleaseCooldownError) as err:
        admission.admit("a")
    assert err.value.translation_placeholders == {"seconds": "8"}
    clock.now += 7.5
    admission.admit("a")


def test_rate_window(clock: _Clock) -> None:
    """At most rate_limit starts a minute, across people; the window slides."""
    admission = ReleaseAdmission(ReleaseLimits(), 0, 2)
    admission.admit("a")
    clock.now += 30
    admission.admit("b")
    with pytest.raises(ReleaseRateLimitedError) as err:
        admission.admit("c")
    assert err.value.translation_placeholders == {"limit": "2"}
    clock.now += 30
    admission.admit("c")


def test_limits_outlive_the_admission(clock: _Clock) -> None:
    """A new admission on the same limits (a reload) keeps cooldowns and the window."""
    limits = ReleaseLimits()
    first = ReleaseAdmission(limits, 10, 1)
    first.admit("a")
    first.done("a")
    second = ReleaseAdmission(limits, 10, 5)
    with pytest.raises(ReleaseCooldownError):
        second.admit("a")
    assert not second.is_active("a")


def test_expired_cooldowns_are_forgotten(clock: _Clock) -> None:
    """Cooldowns that ran out are dropped, so many cards do not grow memory."""
    limits = ReleaseLimits()
    admission = ReleaseAdmission(limits, 5, 100)
    for card in ("a", "b", "c"):
        admission.admit(card)
        admission.done(card)
    clock.now += 5
    admission.admit("d")
    assert set(limits.last_activity) == {"d"}


def test_cooldown_per_job(clock: _Clock) -> None:
    """Chosen jobs: the cooldown is per job, and the person's cooldown is not touched."""
    limits = ReleaseLimits()
    admission = ReleaseAdmission(limits, 10, 10)
    admission.admit("a", ("j1",))
    assert limits.last_activity == {}
    admission.done("a", ["j1"])
    assert set(limits.last_activity) == {"a"}  # it started a job: the person's mark too
    clock.now += 4
    with pytest.raises(ReleaseCooldownError) as err:
        admission.admit("a", ("j2", "j1"))
    assert err.value.translation_placeholders == {"seconds": "7"}
    with pytest.raises(ReleaseCooldownError):
        admission.admit("a")  # releasing all would print j1 again
    admission.admit("a", ("j2",))  # another job of the same person
    admission.done("a", [])  # it did not start: no cooldown for it
    admission.admit("a", ("j2",))
    admission.done("a", [])
    clock.now += 6
    admission.admit("a")  # the person's cooldown ran out
    admission.done("a")
    admission.admit("b", ("j1",))  # the same file name of another person
    clock.now += 10
    admission.done("b", [])
    admission.admit("c")
    assert limits.job_activity == {}


def test_release_of_all_marks_each_started_job(clock: _Clock) -> None:
    """A release of all that printed j1 refuses j1 alone within the cooldown."""
    limits = ReleaseLimits()
    admission = ReleaseAdmission(limits, 10, 10)
    admission.admit("a")
    admission.done("a", ["j1"])
    clock.now += 4
    with pytest.raises(ReleaseCooldownError):
        admission.admit("a", ("j1",))
    admission.admit("a", ("j2",))  # a job it did not print


def test_release_that_started_nothing_uses_no_limit(clock: _Clock) -> None:
    """Nothing started: the rate-window place is given back and no cooldown is left."""
    limits = ReleaseLimits()
    admission = ReleaseAdmission(limits, 10, 1)
    for _ in range(3):
        admission.admit("a")
        admission.done("a", [])
        admission.admit("a", ("j1",))
        admission.done("a", [])
    assert limits.last_activity == {}
    assert not limits.starts
    admission.admit("b")
    admission.done("b", ["j1"])
    with pytest.raises(ReleaseRateLimitedError):
        admission.admit("c")  # a release that printed keeps its place
    with pytest.raises(ReleaseCooldownError):
        admission.admit("b")


def test_nothing_started_keeps_an_earlier_mark(clock: _Clock) -> None:
    """A single job that did not start leaves the person's earlier mark as it was."""
    limits = ReleaseLimits()
    admission = ReleaseAdmission(limits, 10, 10)
    admission.admit("a")
    admission.done("a", ["j1"])
    clock.now += 5
    admission.admit("a", ("j2",))
    admission.done("a", [])
    assert limits.last_activity == {"a": 1000.0}
