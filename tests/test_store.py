"""The domain-wide store: unknown-card marks with their repair issues, release limits."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from custom_components.ezeep.const import DOMAIN
from custom_components.ezeep.store import async_get_store, unknown_user_issue_id


async def test_one_store(hass: HomeAssistant) -> None:
    """The store is created once and shared."""
    assert async_get_store(hass) is async_get_store(hass)


async def test_mark_and_clear(hass: HomeAssistant) -> None:
    """A mark opens the repair issue once; clearing it deletes the issue."""
    store = async_get_store(hass)
    issues = ir.async_get(hass)
    issue_id = unknown_user_issue_id("sub-1")
    assert not store.is_marked("entry-1", "sub-1")
    assert store.async_mark_unknown("entry-1", "sub-1", "Bob")
    assert not store.async_mark_unknown("entry-1", "sub-1", "Bob")
    assert store.is_marked("entry-1", "sub-1")
    assert not store.is_marked("entry-2", "sub-1")
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {"name": "Bob"}
    assert issue.data == {"entry_id": "entry-1", "subentry_id": "sub-1"}
    assert issue.is_fixable
    store.async_clear_unknown("entry-1", "sub-1")
    assert not store.is_marked("entry-1", "sub-1")
    assert issues.async_get_issue(DOMAIN, issue_id) is None


async def test_release_limits_per_entry(hass: HomeAssistant) -> None:
    """Each station has its own limits, the same object on every ask."""
    store = async_get_store(hass)
    limits = store.release_limits("entry-1")
    limits.last_activity["x"] = 1.0
    assert store.release_limits("entry-1") is limits
    assert store.release_limits("entry-2") is not limits


async def test_forget_entry(hass: HomeAssistant) -> None:
    """A removed station's marks, issues and limits go; another station's stay."""
    store = async_get_store(hass)
    store.async_mark_unknown("entry-1", "sub-1", "Bob")
    store.async_mark_unknown("entry-2", "sub-2", "Eve")
    limits = store.release_limits("entry-1")
    store.async_forget_entry("entry-1")
    assert not store.is_marked("entry-1", "sub-1")
    assert store.is_marked("entry-2", "sub-2")
    assert (
        ir.async_get(hass).async_get_issue(DOMAIN, unknown_user_issue_id("sub-1"))
        is None
    )
    assert ir.async_get(hass).async_get_issue(DOMAIN, unknown_user_issue_id("sub-2"))
    assert store.release_limits("entry-1") is not limits
