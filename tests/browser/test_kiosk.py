"""The release panel as a kiosk: real Home Assistant, the simulator, Chromium.

It recovers by itself, takes keyboard-mode readers, tells the truth about every release,
keeps its actions consistent, and passes axe-core on every state.
"""

from __future__ import annotations

import json
import re
import time

from playwright.sync_api import expect

from .conftest import READER, Tablet, job
from .panel import axe_check, job_row, message, sign_in, type_id


def test_keyboard_reader_at_10_ms_signs_in_without_a_touch(tablet: Tablet) -> None:
    """Digits at 10 ms a key plus Enter sign in, also over someone signed in."""
    sim = tablet.stack.sim
    sim.set_user("1101", [job(1, "Reader one.pdf")])
    sim.set_user("1102", [job(1, "Reader two.pdf")])
    page = tablet.page
    tablet.open()
    field = page.get_by_label("User ID")
    expect(field).to_be_focused()  # nobody clicked: the field holds the focus
    expect(field).to_have_attribute("inputmode", "none")  # no on-screen keyboard
    page.keyboard.type("1101", delay=10)
    page.keyboard.press("Enter")
    expect(job_row(page, "Reader one.pdf")).to_be_visible()
    # Someone else's card while 1101 is signed in (focus on the heading, not the field).
    page.keyboard.type("1102", delay=10)
    page.keyboard.press("Enter")
    expect(job_row(page, "Reader two.pdf")).to_be_visible()
    expect(page.get_by_text("Reader one.pdf")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()
    expect(field).to_be_focused()  # back for the next card
    # A person typing slowly while signed in is no card reader.
    sign_in(tablet, "1101")
    page.keyboard.type("1102", delay=150)
    page.keyboard.press("Enter")
    page.wait_for_timeout(1_000)
    expect(job_row(page, "Reader one.pdf")).to_be_visible()


def test_tick_hold_then_print_selected_prints_nothing(tablet: Tablet) -> None:
    """A job held after it was ticked leaves the selection: nothing is printed."""
    sim = tablet.stack.sim
    sim.call("visible", {"visible": "1"})
    sim.set_user("1103", [job(1, "Contract.pdf"), job(2, "Annex.pdf")])
    page = tablet.page
    tablet.open()
    sign_in(tablet, "1103")
    page.get_by_role("checkbox", name="Contract.pdf").check()
    expect(page.get_by_role("button", name="Print selected")).to_be_enabled()
    sim.call("reset_log", {})
    job_row(page, "Contract.pdf").get_by_role(
        "button", name="Hold Contract.pdf"
    ).click()
    expect(job_row(page, "Contract.pdf")).to_contain_text("On hold")
    # The pressed button was disabled while pending: the focus did not drop to the body.
    assert page.evaluate("document.activeElement !== document.body")
    expect(page.get_by_role("button", name="Print selected")).to_be_disabled()
    page.get_by_role("button", name="Print selected").click(force=True)
    page.wait_for_timeout(1_000)
    assert [r["cmd"] for r in sim.log()["requests"]].count("PrintJob") == 0
    assert sim.log()["prints"] == [] or all(
        p["file_name"] != "job-0001.tpf" for p in sim.log()["prints"]
    )


def test_release_by_an_automation_ends_cleanly(tablet: Tablet) -> None:
    """ezeep.print_all run by the admin while the person is signed in: progress, summary."""
    stack = tablet.stack
    stack.sim.call("visible", {"visible": "0"})
    stack.sim.set_user("1104", [job(1, "Handout.pdf", steps=3, step_delay=0.4)])
    page = tablet.page
    tablet.open()
    sign_in(tablet, "1104")
    stack.call_service(
        "ezeep", "print_all", {"user_id": "1104", "config_entry_id": stack.entry_id}
    )
    bar = page.get_by_role("progressbar", name="Handout.pdf")
    expect(bar).to_have_attribute("aria-valuetext", re.compile("Printing|Starting"))
    expect(page.get_by_role("button", name="Cancel", exact=True)).to_be_visible()
    expect(bar).to_have_attribute("aria-valuetext", "Printed", timeout=15_000)
    expect(message(page)).to_have_text("1 printed. Please take your prints.")
    expect(page.get_by_role("button", name="Cancel", exact=True)).to_have_count(0)
    expect(message(page)).to_have_text(
        "Signed out. Please take your prints.", timeout=10_000
    )


def test_delete_right_after_a_release(tablet: Tablet) -> None:
    """A Delete confirmed seconds after a release deletes (the tap kept the session)."""
    sim = tablet.stack.sim
    sim.call("visible", {"visible": "1"})
    sim.set_user("1105", [job(1, "Lunch.pdf"), job(2, "Old menu.pdf")])
    page = tablet.page
    tablet.open()
    sign_in(tablet, "1105")
    page.get_by_role("checkbox", name="Lunch.pdf").check()
    page.get_by_role("button", name="Print selected").click()
    expect(message(page)).to_contain_text("1 printed", timeout=10_000)
    job_row(page, "Old menu.pdf").get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible()
    page.wait_for_timeout(6_000)  # longer than the 5 s sign-out after a release
    dialog.get_by_role("button", name="Yes, delete").click()
    expect(job_row(page, "Old menu.pdf")).to_have_count(0)
    assert sim.log()["jobs"]["1105"] == []


def test_idle_warning_and_stay_signed_in(tablet: Tablet) -> None:
    """10 s before the idle sign-out a warning offers to stay; staying keeps the session."""
    tablet.stack.sim.set_user("1106", [job(1, "Slides.pdf")])
    page = tablet.page
    tablet.open("warn")
    sign_in(tablet, "1106")
    start = time.monotonic()
    warning = page.locator("ezeep-release-panel .warning")
    expect(warning).to_contain_text("signed out in 10 seconds", timeout=15_000)
    assert time.monotonic() - start >= 9
    axe_check(page, "idle warning")
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_have_count(0)
    page.wait_for_timeout(12_000)  # past the first sign-out time
    expect(job_row(page, "Slides.pdf")).to_be_visible()


def test_axe_on_every_state(tablet: Tablet) -> None:
    """No serious or critical axe-core violation in any state of the panel."""
    sim = tablet.stack.sim
    sim.call("visible", {"visible": "1"})
    sim.set_user(
        "1107", [job(1, "Poster.pdf", steps=4, step_delay=0.5), job(2, "Note.pdf")]
    )
    page = tablet.page
    tablet.open()
    axe_check(page, "signed out")
    type_id(page, "11")
    axe_check(page, "typing")
    type_id(page, "07")
    page.get_by_role("button", name="Sign in").click()
    expect(job_row(page, "Poster.pdf")).to_be_visible()
    axe_check(page, "jobs")
    job_row(page, "Note.pdf").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("button", name="Keep it")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Keep it")).to_be_focused()  # modal
    axe_check(page, "confirmation")
    page.get_by_role("button", name="Keep it").click()
    page.get_by_role("checkbox", name="Poster.pdf").check()
    page.get_by_role("button", name="Print selected").click()
    bar = page.get_by_role("progressbar", name="Poster.pdf")
    expect(bar).to_have_attribute("aria-valuetext", re.compile("Printing"))
    axe_check(page, "printing")
    expect(message(page)).to_contain_text("1 printed", timeout=10_000)
    axe_check(page, "result")
    page.get_by_role("button", name="Sign out").click()
    type_id(page, "9996")
    page.get_by_role("button", name="Sign in").click()
    expect(message(page)).to_contain_text("registration code")
    axe_check(page, "error")


def test_restart_with_a_slow_server_recovers_without_a_touch(tablet: Tablet) -> None:
    """A restart while the ezeep server answers only after 20 s needs no touch.

    The panel says the station is starting, then a reader scan and a release with
    progress work, with no reload.
    """
    stack = tablet.stack
    sim = stack.sim
    sim.call("visible", {"visible": "0"})
    sim.set_user("1108", [job(1, "After restart.pdf", steps=3, step_delay=0.4)])
    page = tablet.page
    tablet.open("reader")
    expect(page.get_by_text("Hold your card to the reader")).to_be_visible()
    sim.call("stall", {"cmd": "*", "seconds": 20})
    try:
        stack.restart()
        expect(page.get_by_text("The release station is starting")).to_be_visible(
            timeout=60_000
        )
        expect(page.get_by_role("button", name="Sign in")).to_be_disabled()
        expect(message(page)).to_have_count(0)  # nobody was signed in: no "lost" note
        axe_check(page, "station starting")
        time.sleep(20)  # the server answers nothing for 20 s (every request stalls)
    finally:
        sim.call("stall", {"cmd": "*", "seconds": 0})
    expect(page.get_by_text("Hold your card to the reader")).to_be_visible(
        timeout=120_000
    )
    stack.fire("tag_scanned", {"tag_id": "1108", "device_id": READER})
    expect(job_row(page, "After restart.pdf")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Print all").click()
    bar = page.get_by_role("progressbar", name="After restart.pdf")
    expect(bar).to_have_attribute("aria-valuetext", re.compile("Printing · page"))
    expect(bar).to_have_attribute("aria-valuetext", "Printed", timeout=15_000)
    expect(message(page)).to_have_text("1 printed. Please take your prints.")


def test_what_loading_and_a_sign_in_cost(tablet: Tablet) -> None:
    """Loading subscribes once; a sign-in is one command (one round trip).

    Every file of the card comes from one versioned path; the server is asked both job
    lists (with and without held jobs).
    """
    sim = tablet.stack.sim
    sim.set_user("1109", [job(1, "Costs.pdf")])
    page = tablet.page
    sent: list[str] = []
    files: list[str] = []
    page.on(
        "websocket",
        lambda ws: ws.on("framesent", lambda frame: sent.append(str(frame))),
    )
    page.on(
        "request",
        lambda request: (
            files.append(request.url) if "/ezeep_static/" in request.url else None
        ),
    )
    tablet.open()
    expect(page.get_by_label("User ID")).to_be_focused()
    panel = [json.loads(f)["type"] for f in sent if '"ezeep/panel/' in f]
    assert panel == ["ezeep/panel/subscribe"]
    versions = {re.sub(r".*/ezeep_static/([^/]+)/.*", r"\1", url) for url in files}
    assert len(versions) == 1, files
    assert not [url for url in files if url.endswith("/editor.js")]  # loaded on demand
    print(f"card files loaded: {len(files)}")  # the report's figures
    sent.clear()
    sim.call("reset_log", {})
    sign_in(tablet, "1109")
    expect(job_row(page, "Costs.pdf")).to_be_visible()
    panel = [json.loads(f)["type"] for f in sent if '"ezeep/panel/' in f]
    assert panel == ["ezeep/panel/sign_in"]
    assert [r["cmd"] for r in sim.log()["requests"]] == ["GetJobList", "GetJobList"]
