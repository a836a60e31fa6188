"""The browser tests' Home Assistant: its frontend loads fully for the kiosk user."""

from __future__ import annotations

from .conftest import DASHBOARD, Tablet


def test_dashboard_loads_for_the_kiosk_user(tablet: Tablet) -> None:
    """The real frontend gets past "Loading..." and shows the release dashboard."""
    page = tablet.page
    page.goto(f"{tablet.stack.ha.url}/{DASHBOARD}/panel")
    page.locator("hui-view, hui-panel-view").first.wait_for(state="attached")
    assert f"/{DASHBOARD}/panel" in page.url
