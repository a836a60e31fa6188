"""The release panel in Chromium: a non-admin kiosk user on a real Home Assistant.

Each test signs in with a person of its own (the station's cooldown is per person). With
``EZEEP_SCREENSHOTS=1`` the tests also write docs/images/panel-*.png at tablet size.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import PERSON_ID, PERSON_NAME, READER, Tablet, job
from .panel import axe_check, job_row, message, screenshot, sign_in, type_id


def test_keypad_sign_in_and_job_list(tablet: Tablet) -> None:
    """Keypad sign-in as a non-admin user shows the person's jobs, held jobs marked."""
    sim = tablet.stack.sim
    sim.call("visible", {"visible": "1"})
    sim.set_user(
        PERSON_ID,
        [
            job(1, "Quarterly report.pdf", size=4_632_133),
            job(2, "Letter to Müller & Söhne.docx", size=11_993, on_hold=True),
            job(3, "Holiday photos.png", size=100_117),
        ],
    )
    page = tablet.page
    tablet.open()
    field = page.get_by_label("User ID")
    expect(field).to_have_attribute("type", "password")  # masked
    expect(page.get_by_role("button", name="Sign in")).to_be_disabled()
    screenshot(page, "signed-out")
    type_id(page, PERSON_ID)
    expect(field).to_have_value(PERSON_ID)
    sim.call("reset_log", {})
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=f"Hello, {PERSON_NAME}")).to_be_visible()
    commands = [req["cmd"] for req in sim.log()["requests"]]
    assert commands == ["GetJobList", "GetJobList"]  # with and without held jobs
    for name in ("Quarterly report.pdf", "Holiday photos.png"):
        expect(page.get_by_role("checkbox", name=name)).not_to_be_checked()
    held = job_row(page, "Letter to Müller & Söhne.docx")
    expect(held).to_contain_text("On hold")
    expect(held.get_by_role("checkbox")).to_have_count(0)  # release its hold first
    expect(held.get_by_role("button", name="Stop holding")).to_be_visible()
    expect(job_row(page, "Quarterly report.pdf")).to_contain_text("4.6 MB")
    expect(job_row(page, "Quarterly report.pdf")).to_contain_text("9 minutes ago")
    for name in ("Print all", "Print selected", "Sign out"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Print selected")).to_be_disabled()
    page.get_by_role("checkbox", name="Holiday photos.png").check()
    expect(page.get_by_role("button", name="Print selected")).to_be_enabled()
    screenshot(page, "jobs")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("User ID")).to_have_value("")
    expect(page.get_by_text("Quarterly report.pdf")).to_have_count(0)


def test_release_selected_prints_with_progress(tablet: Tablet) -> None:
    """Release selected prints only that job, with progress, then signs out."""
    sim = tablet.stack.sim
    sim.call("visible", {"visible": "1"})
    sim.set_user(
        "1001",
        [
            job(1, "Minutes.pdf"),
            job(2, "Slides.pptx", steps=4, step_delay=0.6),
        ],
    )
    page = tablet.page
    tablet.open()
    sign_in(tablet, "1001")
    expect(page.get_by_role("heading", name="Signed in")).to_be_visible()
    page.get_by_role("checkbox", name="Slides.pptx").check()
    page.get_by_role("button", name="Print selected").click()
    bar = page.get_by_role("progressbar", name="Slides.pptx")
    expect(bar).to_have_attribute(
        "aria-valuetext", re.compile(r"Printing · page [1-3] of 4")
    )
    expect(page.get_by_role("button", name="Cancel", exact=True)).to_be_visible()
    screenshot(page, "printing")
    expect(bar).to_have_attribute("aria-valuetext", "Printed", timeout=10_000)
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(message(page)).to_have_text("1 printed. Please take your prints.")
    expect(job_row(page, "Minutes.pdf")).to_be_visible()
    expect(job_row(page, "Slides.pptx")).to_have_count(0)
    prints = sim.log()["prints"]
    assert [(p["file_name"], p["result"]) for p in prints] == [("job-0002.tpf", 0)]
    # A few seconds after the release finished: signed out, everything gone.
    expect(message(page)).to_have_text(
        "Signed out. Please take your prints.", timeout=10_000
    )
    expect(page.get_by_text("Minutes.pdf")).to_have_count(0)


def test_delete_with_confirmation(tablet: Tablet) -> None:
    """Delete asks first; "Keep it" keeps the job, "Yes, delete" deletes it."""
    sim = tablet.stack.sim
    sim.call("visible", {"visible": "1"})
    sim.set_user("1002", [job(1, "Draft.pdf"), job(2, "Final.pdf")])
    page = tablet.page
    tablet.open()
    sign_in(tablet, "1002")
    job_row(page, "Draft.pdf").get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Delete Draft.pdf?")
    expect(dialog.get_by_role("button", name="Keep it")).to_be_focused()
    dialog.get_by_role("button", name="Keep it").click()
    expect(dialog).to_have_count(0)
    assert len(sim.log()["jobs"]["1002"]) == 2
    job_row(page, "Draft.pdf").get_by_role("button", name="Delete").click()
    page.get_by_role("button", name="Yes, delete").click()
    expect(job_row(page, "Draft.pdf")).to_have_count(0)
    expect(job_row(page, "Final.pdf")).to_be_visible()
    assert [j["file_name"] for j in sim.log()["jobs"]["1002"]] == ["job-0002.tpf"]


def test_hold_and_release_hold(tablet: Tablet) -> None:
    """Hold puts a job on hold on the server; Release hold takes it back."""
    sim = tablet.stack.sim
    sim.call("visible", {"visible": "1"})
    sim.set_user("1003", [job(1, "Poster.pdf")])
    page = tablet.page
    tablet.open()
    sign_in(tablet, "1003")
    row = job_row(page, "Poster.pdf")
    row.get_by_role("button", name="Hold Poster.pdf").click()
    expect(row).to_contain_text("On hold")
    assert sim.log()["jobs"]["1003"][0]["on_hold"] is True
    expect(page.get_by_role("button", name="Print all")).to_be_disabled()
    row.get_by_role("button", name="Stop holding").click()
    expect(row).not_to_contain_text("On hold")
    assert sim.log()["jobs"]["1003"][0]["on_hold"] is False


def test_cancel(tablet: Tablet) -> None:
    """Cancel stops the running job; it stays in the queue."""
    sim = tablet.stack.sim
    sim.call("visible", {"visible": "0"})
    sim.set_user("1004", [job(1, "Thesis.pdf", steps=50, step_delay=0.5)])
    page = tablet.page
    tablet.open()
    sign_in(tablet, "1004")
    expect(page.get_by_role("checkbox")).to_have_count(0)  # the server allows no choice
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)
    page.get_by_role("button", name="Print all").click()
    bar = page.get_by_role("progressbar", name="Thesis.pdf")
    expect(bar).to_have_attribute("aria-valuetext", re.compile("Printing"))
    page.get_by_role("button", name="Cancel", exact=True).click()
    expect(bar).to_have_attribute("aria-valuetext", "Canceled", timeout=10_000)
    prints = sim.log()["prints"]
    assert prints[-1]["result"] == 10
    assert [j["file_name"] for j in sim.log()["jobs"]["1004"]] == ["job-0001.tpf"]


def test_unknown_id_says_what_to_do(tablet: Tablet) -> None:
    """An ID the server does not know: the registration sheet and what to do with it."""
    page = tablet.page
    tablet.open()
    type_id(page, "9999")
    page.get_by_role("button", name="Sign in").click()
    alert = message(page)
    expect(alert).to_contain_text("This ID is not registered yet")
    expect(alert).to_contain_text("register your card or ID with that code")
    expect(page.get_by_label("User ID")).to_have_value("")
    assert tablet.stack.sim.log()["registration_printouts"]["9999"] == 1
    # Again at once: the station's guard holds the ID off (no second sheet) and the
    # panel says when to try again.
    type_id(page, "9999")
    page.get_by_role("button", name="Sign in").click()
    expect(alert).to_contain_text("then try again in 5 min")
    assert tablet.stack.sim.log()["registration_printouts"]["9999"] == 1


def test_card_without_station_takes_the_only_one(tablet: Tablet) -> None:
    """A card with no station set (the dashboard of scripts/develop) uses the only one."""
    tablet.stack.sim.set_user(PERSON_ID, [job(1, "Menu.pdf", size=2_000)])
    tablet.open("any-station")
    sign_in(tablet, PERSON_ID)
    expect(job_row(tablet.page, "Menu.pdf")).to_be_visible()


def test_idle_sign_out(tablet: Tablet) -> None:
    """Without activity the panel signs out after its idle timeout (5 s here)."""
    sim = tablet.stack.sim
    sim.set_user("1005", [job(1, "Invoice.pdf")])
    page = tablet.page
    tablet.open("idle")
    sign_in(tablet, "1005")
    expect(job_row(page, "Invoice.pdf")).to_be_visible()
    expect(message(page)).to_contain_text(
        "Signed out after 5 seconds without activity", timeout=9_000
    )
    expect(page.get_by_text("Invoice.pdf")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_german_texts(tablet_de: Tablet) -> None:
    """A user whose Home Assistant language is German gets the panel in German."""
    tablet = tablet_de
    sim = tablet.stack.sim
    sim.call("visible", {"visible": "1"})
    sim.set_user("1006", [job(1, "Rechnung.pdf", on_hold=True)])
    page = tablet.page
    tablet.open()
    expect(page.get_by_label("Benutzer-ID")).to_be_visible()
    expect(page.get_by_role("button", name="Rücktaste")).to_be_visible()
    sign_in(tablet, "1006", sign_in="Anmelden")
    expect(page.get_by_role("heading", name="Angemeldet")).to_be_visible()
    row = job_row(page, "Rechnung.pdf")
    expect(row).to_contain_text("Zurückgehalten")
    expect(row.get_by_role("button", name="Löschen")).to_be_visible()
    expect(page.get_by_role("button", name="Alle drucken")).to_be_disabled()
    page.get_by_role("button", name="Abmelden").click()
    type_id(page, "9998")
    page.get_by_role("button", name="Anmelden").click()
    expect(message(page)).to_contain_text("Registrierungscode")


def test_id_is_nowhere_in_the_browser_or_home_assistant(tablet: Tablet) -> None:
    """The typed ID is not in the URL, browser storage, entity states or the log."""
    stack = tablet.stack
    user_id = "31415926"
    stack.sim.set_user(user_id, [job(1, "Private.pdf")])
    page = tablet.page
    tablet.open()
    sign_in(tablet, user_id)
    expect(job_row(page, "Private.pdf")).to_be_visible()
    storage = page.evaluate(
        "() => JSON.stringify([{...localStorage}, {...sessionStorage}])"
    )
    assert user_id not in page.url
    assert user_id not in storage
    assert "hassTokens" in storage  # the storage was read
    assert user_id not in page.content()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("User ID")).to_have_value("")
    assert user_id not in str(stack.states())
    assert user_id not in stack.ha.output()


def test_keyboard_and_card_picker(tablet: Tablet) -> None:
    """A physical keyboard works; the card is in the card picker with its editor."""
    tablet.stack.sim.set_user(PERSON_ID, [job(1, "Agenda.pdf")])
    page = tablet.page
    tablet.open()
    field = page.get_by_label("User ID")
    field.focus()
    page.keyboard.type(PERSON_ID)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Hello, {PERSON_NAME}")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign out")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("User ID")).to_have_value("")
    picker = page.evaluate(
        """async () => {
            const card = customElements.get("ezeep-release-panel");
            const entry = window.customCards.find((c) => c.type === "ezeep-release-panel");
            const hass = document.querySelector("home-assistant").hass;
            const stub = await card.getStubConfig(hass);
            const editor = await card.getConfigElement();
            editor.hass = hass;
            editor.setConfig(stub);
            document.body.appendChild(editor);
            await editor.updateComplete;
            const form = editor.shadowRoot.querySelector("ha-form");
            const fields = form.schema.map((field) => field.name);
            editor.remove();
            return { name: entry.name, stub, fields };
        }"""
    )
    assert picker["name"] == "ezeep release panel"
    assert picker["stub"] == {
        "entry_id": tablet.stack.entry_id,
        "reader_device_ids": [],
        "idle_timeout": 30,
        "keypad": "digits",
        "mask_id": True,
        "release_all_on_sign_in": False,
    }
    assert picker["fields"] == [
        "entry_id",
        "reader_device_ids",
        "idle_timeout",
        "keypad",
        "mask_id",
        "release_all_on_sign_in",
    ]


def test_reader_sign_in(tablet: Tablet) -> None:
    """A card scanned by the chosen reader signs its person in at this panel."""
    stack = tablet.stack
    stack.sim.set_user("1007", [job(1, "Badge photo.png")])
    page = tablet.page
    tablet.open("reader")
    expect(page.get_by_text("Hold your card to the reader")).to_be_visible()
    stack.fire("tag_scanned", {"tag_id": "1007", "device_id": "another-reader"})
    stack.fire("tag_scanned", {"tag_id": "1007", "device_id": READER})
    expect(page.get_by_role("heading", name="Signed in")).to_be_visible()
    expect(job_row(page, "Badge photo.png")).to_be_visible()
    stack.fire("tag_scanned", {"tag_id": "9997", "device_id": READER})
    expect(message(page)).to_contain_text("registration code")
    expect(page.get_by_text("Badge photo.png")).to_have_count(0)


def test_late_answer_leaves_the_next_person_alone(tablet: Tablet) -> None:
    """A's hold is answered after B's card was scanned: B's screen stays as it is."""
    stack = tablet.stack
    sim = stack.sim
    sim.call("visible", {"visible": "1"})
    sim.set_user("1008", [job(1, "Old slides.pdf")])
    sim.set_user("1009", [job(1, "New slides.pdf")])
    page = tablet.page
    tablet.open("reader")
    sign_in(tablet, "1008")
    sim.call("stall", {"cmd": "SetJobProperties", "seconds": 2})
    try:
        row = job_row(page, "Old slides.pdf")
        row.get_by_role("button", name="Hold Old slides.pdf").click()
        stack.fire("tag_scanned", {"tag_id": "1009", "device_id": READER})
        expect(job_row(page, "New slides.pdf")).to_be_visible()
        page.wait_for_timeout(3_000)  # A's answer has come (and was dropped)
    finally:
        sim.call("stall", {"cmd": "SetJobProperties", "seconds": 0})
    expect(job_row(page, "New slides.pdf")).to_be_visible()
    expect(page.get_by_text("Old slides.pdf")).to_have_count(0)
    expect(message(page)).to_have_count(0)


def test_session_ended_on_the_server_clears_the_card(tablet: Tablet) -> None:
    """A reload ends the session without a word: the next tap finds out and clears."""
    stack = tablet.stack
    stack.sim.set_user("1010", [job(1, "Timetable.pdf")])
    page = tablet.page
    tablet.open()
    sign_in(tablet, "1010")
    stack.reload_station()
    page.wait_for_timeout(5_500)  # the card tells the server at most every 5 s
    page.locator(".signed-in h2").click()
    expect(message(page)).to_contain_text("signed out", timeout=5_000)
    expect(page.get_by_text("Timetable.pdf")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_landscape_dark(tablet_landscape: Tablet) -> None:
    """At 1280x800 in the dark theme the keypad and the actions fit without scrolling."""
    tablet = tablet_landscape
    tablet.stack.sim.call("visible", {"visible": "1"})
    tablet.stack.sim.set_user("1008", [job(n, f"Chapter {n}.pdf") for n in range(1, 5)])
    page = tablet.page
    tablet.open()
    expect(page.get_by_role("button", name="Sign in")).to_be_in_viewport(ratio=1)
    axe_check(page, "signed out, dark")
    sign_in(tablet, "1008")
    job_row(page, "Chapter 2.pdf").get_by_role("button", name="Hold").click()
    expect(job_row(page, "Chapter 2.pdf")).to_contain_text("On hold")
    axe_check(page, "jobs, dark")
    for name in ("Print all", "Print selected", "Sign out"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_in_viewport(
            ratio=1
        )
    background = page.locator("ezeep-release-panel ha-card").evaluate(
        "card => getComputedStyle(card).backgroundColor"
    )
    red, green, blue = (int(v) for v in re.findall(r"\d+", background)[:3])
    assert red + green + blue < 3 * 100, background  # dark


def test_reader_not_bound_is_refused(tablet: Tablet) -> None:
    """A card set up with a reader the admin did not bind to this user says so."""
    stack = tablet.stack
    stack.sim.set_user("1010", [job(1, "Taken over.pdf")])
    page = tablet.page
    tablet.open("foreign-reader")
    expect(page.get_by_text("This card reader is not set up")).to_be_visible()
    stack.fire("tag_scanned", {"tag_id": "1010", "device_id": "another-reader"})
    page.wait_for_timeout(1_000)
    expect(page.get_by_text("Taken over.pdf")).to_have_count(0)


def test_editor_offers_the_bound_readers(tablet: Tablet) -> None:
    """The card's editor, run as the kiosk user, offers the readers bound to it."""
    page = tablet.page
    tablet.open("panel")
    expect(page.get_by_label("User ID")).to_be_visible()
    selector = page.evaluate(
        """async () => {
            const card = customElements.get("ezeep-release-panel");
            const hass = document.querySelector("home-assistant").hass;
            const editor = await card.getConfigElement();
            editor.hass = hass;
            editor.setConfig(await card.getStubConfig(hass));
            document.body.appendChild(editor);
            for (let i = 0; i < 50 && !editor._readers; i++) {
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
            await editor.updateComplete;
            const form = editor.shadowRoot.querySelector("ha-form");
            const field = form.schema.find((f) => f.name === "reader_device_ids");
            editor.remove();
            return field.selector;
        }"""
    )
    assert selector == {
        "select": {
            "multiple": True,
            "mode": "list",
            "options": [{"value": READER, "label": READER}],
        }
    }
