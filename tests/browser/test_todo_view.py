"""A person's to-do list in Home Assistant's own to-do view, in Chromium.

The owner opens To-do lists -> Alice's *Print jobs* at phone size, sees her jobs (the held
one marked), checks one off and the simulator prints exactly that job. With
``EZEEP_SCREENSHOTS=1`` it writes docs/images/todo-list.png.

It runs after the panel tests (file order, one browser worker): its release starts the
configured person's cooldown, which the panel tests' releases must not meet.
"""

from __future__ import annotations

from collections.abc import Generator
import os
import time
from typing import Any

import aiohttp
from playwright.sync_api import Page, expect
import pytest

from .conftest import PERSON_ID, ROOT, BrowserThread, Stack, Tablet, _tablet, job
from .ha import WsClient, run_async

SCREENSHOTS = os.environ.get("EZEEP_SCREENSHOTS") == "1"
#: A phone, portrait (what the companion app shows is the same view).
PHONE = {"width": 412, "height": 780}
TODO = "todo.alice_print_jobs"


@pytest.fixture
def phone(
    browser_thread: BrowserThread, browser: Any, stack: Stack
) -> Generator[Tablet]:
    """A non-admin user's browser at phone size (the owner would get admin dialogs)."""
    yield from _tablet(browser_thread, browser, stack, stack.kiosk, viewport=PHONE)


def screenshot(page: Page, name: str) -> None:
    """Write docs/images/todo-<name>.png (only with EZEEP_SCREENSHOTS=1)."""
    if SCREENSHOTS:
        page.wait_for_timeout(700)
        clip = {"x": 0, "y": 0, "width": PHONE["width"], "height": 320}  # the list
        shot = page.screenshot(clip=clip)
        (ROOT / "docs" / "images" / f"todo-{name}.png").write_bytes(shot)


async def _bind_list_user(stack: Stack, user_name: str) -> None:
    """Make ``user_name`` the user of the person's to-do list (sub-entry reconfigure)."""
    ids: dict[str, str] = {}

    async def look_up(ws: WsClient) -> None:
        users = await ws.call("config/auth/list")
        ids["user"] = next(u["id"] for u in users if u["name"] == user_name)
        subentries = await ws.call(
            "config_entries/subentries/list", entry_id=stack.entry_id
        )
        ids["person"] = next(
            sub["subentry_id"] for sub in subentries if sub["subentry_type"] == "user"
        )

    async with aiohttp.ClientSession() as session:
        await stack.ha.websocket(session, stack.owner, look_up)
        base = "/api/config/config_entries/subentries/flow"
        flow = await stack.ha.rest(
            session,
            stack.owner,
            "POST",
            base,
            {"handler": [stack.entry_id, "user"], "subentry_id": ids["person"]},
        )
        result = await stack.ha.rest(
            session,
            stack.owner,
            "POST",
            f"{base}/{flow['flow_id']}",
            {"user_id": PERSON_ID, "name": "Alice", "list_user_id": ids["user"]},
        )
        assert result["reason"] == "reconfigure_successful", result


def _wait_quiet(stack: Stack, quiet: float = 3.0, limit: float = 30.0) -> None:
    """Wait until the station asked the server something and then nothing for a while."""
    deadline = time.monotonic() + limit
    seen, since = 0, time.monotonic()
    while time.monotonic() < deadline:
        count = len(stack.sim.log()["requests"])
        if count != seen:
            seen, since = count, time.monotonic()
        elif seen and time.monotonic() - since >= quiet:
            return
        time.sleep(0.1)
    raise AssertionError("the station did not settle after the reload")


def item(page: Page, name: str) -> Any:
    """A to-do item of the view (Home Assistant's ha-check-list-item)."""
    return page.locator("ha-check-list-item", has_text=name)


def _prints(stack: Stack) -> list[str]:
    return [p["file_name"] for p in stack.sim.log()["prints"]]


def test_check_off_prints_that_job(phone: Tablet) -> None:
    """The list shows the jobs oldest first; checking one off prints exactly that one."""
    stack = phone.stack
    stack.sim.call("visible", {"visible": "1"})
    stack.sim.set_user(
        PERSON_ID,
        [
            job(1, "Quarterly report.pdf", size=4_632_133),
            job(2, "Letter to Müller & Söhne.docx", size=11_993, on_hold=True),
            job(3, "Holiday photos.png", size=100_117, steps=3),
        ],
    )
    # Alice's list is the kiosk user's (others may not print from it). Changing the
    # person reloads the station: its first poll reads the whole list, so a job that
    # arrives already on hold is listed (otherwise every 10th poll).
    stack.sim.call("reset_log", {})
    run_async(lambda: _bind_list_user(stack, "Kiosk"))
    _wait_quiet(stack)  # the reload (its first poll) is over
    stack.sim.call("reset_log", {})
    page = phone.page
    page.goto(f"{stack.ha.url}/todo?entity_id={TODO}")
    photos = item(page, "Holiday photos.png").get_by_role("checkbox")
    expect(photos).not_to_be_checked(timeout=30_000)
    expect(item(page, "Letter to Müller")).to_contain_text("On hold · 12.0 kB · ")
    expect(item(page, "Quarterly report.pdf")).to_contain_text("4.6 MB · ")
    screenshot(page, "list")
    photos.click(force=True)  # a mouse click on the box (its styled control is on top)
    expect(page.locator("span.message")).to_have_count(0)  # no error toast
    deadline = time.monotonic() + 15
    while _prints(stack) != ["job-0003.tpf"] and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert _prints(stack) == ["job-0003.tpf"]
    expect(item(page, "Holiday photos.png")).to_have_count(0)  # printed: gone
    expect(
        item(page, "Quarterly report.pdf").get_by_role("checkbox")
    ).not_to_be_checked()
    commands = [r["cmd"] for r in stack.sim.log()["requests"]]
    assert "DeleteJob" not in commands
    assert commands.count("PrintJob") == 1


def test_a_refused_check_off_says_why(phone: Tablet) -> None:
    """Without X-FMP-Visible: 1 the check-off is refused with the translated reason."""
    stack = phone.stack
    stack.sim.call("visible", {"visible": "0"})
    stack.sim.set_user(PERSON_ID, [job(1, "Minutes.pdf", size=2_000)])
    stack.sim.call("reset_log", {})
    run_async(lambda: _bind_list_user(stack, "Kiosk"))  # the list is the kiosk's
    stack.reload_station()
    _wait_quiet(stack)  # reloaded: the first poll's list is not selectable
    stack.sim.call("reset_log", {})
    page = phone.page
    page.goto(f"{stack.ha.url}/todo?entity_id={TODO}")
    minutes = item(page, "Minutes.pdf").get_by_role("checkbox")
    expect(minutes).not_to_be_checked(timeout=30_000)
    minutes.click(force=True)
    toast = page.locator("span.message", has_text="does not allow selecting")
    expect(toast).to_be_visible(timeout=15_000)  # Home Assistant's toast of an error
    page.wait_for_timeout(500)
    assert _prints(stack) == []
    assert [r["cmd"] for r in stack.sim.log()["requests"]] == []
    # The item stays open (the frontend leaves the box it ticked ticked until reloaded).
    page.reload()
    expect(item(page, "Minutes.pdf").get_by_role("checkbox")).not_to_be_checked()
    todo = next(s for s in stack.states() if s["entity_id"] == TODO)
    assert todo["state"] == str(page.locator("ha-check-list-item").count())
