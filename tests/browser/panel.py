"""What the release panel's browser tests share: signing in, finding rows, checking axe."""

from __future__ import annotations

import os
import time
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from .conftest import ROOT, Tablet

SCREENSHOTS = os.environ.get("EZEEP_SCREENSHOTS") == "1"


def screenshot(page: Page, name: str) -> None:
    """Write docs/images/panel-<name>.png (only with EZEEP_SCREENSHOTS=1)."""
    if SCREENSHOTS:
        page.wait_for_timeout(700)  # the frontend's "Loading" overlay fades out
        # Bytes, not path=: Playwright would write the file on a thread of its own.
        (ROOT / "docs" / "images" / f"panel-{name}.png").write_bytes(page.screenshot())


def type_id(page: Page, user_id: str) -> None:
    """Type an ID on the on-screen keypad."""
    for char in user_id:
        page.get_by_role("button", name=char, exact=True).click()


def sign_in(tablet: Tablet, user_id: str, *, sign_in: str = "Sign in") -> float:
    """Sign in on the keypad; return the milliseconds until the jobs were shown."""
    page = tablet.page
    type_id(page, user_id)
    start = time.perf_counter()
    page.get_by_role("button", name=sign_in, exact=True).click()
    page.locator(".signed-in").wait_for()
    return (time.perf_counter() - start) * 1000


def job_row(page: Page, name: str) -> Any:
    """The list item of a job."""
    return page.get_by_role("listitem", name=name)


def message(page: Page) -> Any:
    """The message the panel shows (errors and results)."""
    return page.locator("ezeep-release-panel .message")


#: axe-core's rules for WCAG 2.2 A and AA (and its best practices).
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": [
            "wcag2a",
            "wcag2aa",
            "wcag21a",
            "wcag21aa",
            "wcag22aa",
            "best-practice",
        ],
    },
}
#: Every state's axe result (rule ids by impact), for the report of a test run.
AXE_RESULTS: dict[str, dict[str, list[str]]] = {}


def axe_check(page: Page, state: str) -> None:
    """Run axe-core: no serious or critical violation inside the card in this state.

    The card sits deep in the frontend's shadow roots, so axe checks the whole page and
    only the card's nodes count (a node's target names every shadow host on its way).
    """
    page.wait_for_timeout(300)  # transitions end
    results = Axe().run(page, options=AXE_OPTIONS)
    found: dict[str, list[str]] = {}
    for violation in results.response["violations"]:
        nodes = [
            node
            for node in violation["nodes"]
            if any("ezeep-release-panel" in str(part) for part in node["target"])
        ]
        if nodes:
            impact = violation["impact"] or "none"
            found.setdefault(impact, []).append(
                f"{violation['id']} {[n['target'][-1] for n in nodes][:3]}"
            )
    AXE_RESULTS[state] = found
    bad = {k: v for k, v in found.items() if k in ("serious", "critical")}
    assert not bad, f"{state}: {bad}"
    print(f"axe {state}: {found or 'no violations'}")
