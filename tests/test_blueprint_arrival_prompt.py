"""The arrival-prompt blueprint: ask on the phone, release on *Print all*, tell the result.

Loaded by Home Assistant's blueprint machinery from the installed copy; the phone's
notify action is a test service that records its calls; the companion app's answer is
a ``mobile_app_notification_action`` event with the notification's action id.
"""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from tests.conftest import USER_1, USER_2, settle, wait_for
from tests.simulator import Simulator
from tests.test_blueprints import add_automation, device_of, printed

PRESENCE = "binary_sensor.test_printer_room"
ANSWER = "mobile_app_notification_action"


@pytest.fixture
async def phone(hass: HomeAssistant) -> list[ServiceCall]:
    """The calls of ``notify.mobile_app_test_phone``."""
    return async_mock_service(hass, "notify", "mobile_app_test_phone")


async def prompt(
    hass: HomeAssistant, entry: MockConfigEntry, user_id: str, **inputs: Any
) -> None:
    """An automation from the blueprint, asking when the presence sensor turns on."""
    assert await async_setup_component(hass, "homeassistant", {})
    hass.states.async_set(PRESENCE, "off")
    await add_automation(
        hass,
        "arrival_prompt.yaml",
        ezeep_person=device_of(hass, entry, user_id),
        arrival=[{"trigger": "state", "entity_id": PRESENCE, "to": "on"}],
        notify_action="notify.mobile_app_test_phone",
        printer_name="the 2nd floor printer",
        **inputs,
    )


def actions(call: ServiceCall) -> dict[str, str]:
    """The notification's buttons: title -> action id."""
    return {a["title"]: a["action"] for a in call.data["data"]["actions"]}


async def arrive(
    hass: HomeAssistant, phone: list[ServiceCall], asked: int = 1
) -> dict[str, str]:
    """Turn the presence on; return the buttons of the question it asked.

    Not ``async_block_till_done``: that would wait for the run, which waits for the
    answer.
    """
    hass.states.async_set(PRESENCE, "on")
    await wait_for(lambda: len(phone) == asked)
    await asyncio.sleep(0.05)
    assert len(phone) == asked
    return actions(phone[-1])


async def unanswered(hass: HomeAssistant) -> None:
    """Let the run see an answer that is not its own (it keeps waiting)."""
    for _ in range(5):
        await asyncio.sleep(0.01)


async def test_print_all_on_the_answer(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    phone: list[ServiceCall],
) -> None:
    """Asked with the jobs' names; *Print all* prints them; the result comes back."""
    await prompt(hass, init_integration, USER_1)
    buttons = await arrive(hass, phone)
    question = phone[0].data
    assert question["message"] == (
        "2 jobs waiting at the 2nd floor printer: report 1.pdf, report 2.pdf"
    )
    assert set(buttons) == {"Print all", "Not now"}
    assert buttons["Print all"].startswith("EZEEP_PRINT_ALL_")
    assert printed(simulator) == []
    hass.bus.async_fire(ANSWER, {"action": "EZEEP_PRINT_ALL_other-run"})
    await unanswered(hass)
    assert printed(simulator) == []  # another run's button answers nothing
    hass.bus.async_fire(ANSWER, {"action": buttons["Print all"]})
    await settle(hass)
    assert printed(simulator) == ["report-1.tpf", "report-2.tpf"]
    assert [call.data["message"] for call in phone[1:]] == ["2 printed"]
    assert phone[1].data["data"] == {"tag": question["data"]["tag"]}


async def test_each_run_has_its_own_buttons(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    phone: list[ServiceCall],
) -> None:
    """*Not now* prints nothing; the next arrival asks with new action ids."""
    await prompt(hass, init_integration, USER_2)
    first = await arrive(hass, phone)
    hass.bus.async_fire(ANSWER, {"action": first["Not now"]})
    await settle(hass)
    hass.states.async_set(PRESENCE, "off")
    second = await arrive(hass, phone, asked=2)
    assert set(second.values()).isdisjoint(first.values())
    hass.bus.async_fire(ANSWER, {"action": first["Print all"]})
    await unanswered(hass)
    assert printed(simulator) == []
    hass.bus.async_fire(ANSWER, {"action": second["Print all"]})
    await settle(hass)
    assert printed(simulator) == ["slides-1.tpf"]
    assert phone[-1].data["message"] == "1 printed"


async def test_no_question_without_jobs(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    phone: list[ServiceCall],
) -> None:
    """Jobs printed elsewhere since the last poll: read again, nothing to ask."""
    simulator.users[USER_2].jobs.clear()
    await prompt(hass, init_integration, USER_2)
    hass.states.async_set(PRESENCE, "on")
    await settle(hass)
    assert phone == []


async def test_unanswered_question_is_removed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    phone: list[ServiceCall],
) -> None:
    """After the answer time the notification is cleared and a late answer prints nothing."""
    await prompt(
        hass,
        init_integration,
        USER_2,
        answer_timeout={"hours": 0, "minutes": 0, "seconds": 1},
    )
    buttons = await arrive(hass, phone)
    await settle(hass)  # the run ends after the answer time (1 s)
    assert [c.data["message"] for c in phone[1:]] == ["clear_notification"]
    hass.bus.async_fire(ANSWER, {"action": buttons["Print all"]})
    await settle(hass)
    assert printed(simulator) == []


async def test_a_refusal_is_told(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    phone: list[ServiceCall],
) -> None:
    """Released a moment ago (cooldown): the second notification says why."""
    await prompt(hass, init_integration, USER_1)
    buttons = await arrive(hass, phone)
    await hass.services.async_call(
        "ezeep", "print_all", {"user_id": USER_1, "wait": True}, blocking=True
    )
    simulator.reset_log()
    hass.bus.async_fire(ANSWER, {"action": buttons["Print all"]})
    await settle(hass)
    assert simulator.prints == []
    assert phone[-1].data["message"] == "Nothing printed: cooldown"


async def test_a_failed_job_is_told(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    phone: list[ServiceCall],
) -> None:
    """Failed jobs are named; the last one's server text is added."""
    first = simulator.users[USER_1].jobs[0]
    first.fail_code, first.error_text = 1, "Toner empty"
    await prompt(hass, init_integration, USER_1)
    buttons = await arrive(hass, phone)
    hass.bus.async_fire(ANSWER, {"action": buttons["Print all"]})
    await settle(hass)
    assert phone[-1].data["message"] == (
        "1 printed, not printed: report 1.pdf (failed)"
    )


async def test_the_last_failure_is_told(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    phone: list[ServiceCall],
) -> None:
    """The only job failed: named, with the server's text."""
    simulator.users[USER_2].jobs[0].fail_code = 4
    await prompt(hass, init_integration, USER_2)
    buttons = await arrive(hass, phone)
    hass.bus.async_fire(ANSWER, {"action": buttons["Print all"]})
    await settle(hass)
    assert phone[-1].data["message"] == (
        "0 printed, not printed: slides 1.pdf (failed): Invalid printer was specified"
    )
