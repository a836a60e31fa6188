"""Diagnostics: the station's state with the password, URL credentials and user IDs redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from yarl import URL

from .const import (
    CONF_PASSWORD,
    CONF_READERS,
    CONF_URL,
    CONF_USER_ID,
    SUBENTRY_TYPE_PANEL,
)
from .coordinator.printer import PrinterCoordinator
from .data import EzeepConfigEntry, people_of
from .store import async_get_store

TO_REDACT = {CONF_PASSWORD, CONF_USER_ID, "unique_id", "title"}


def _without_credentials(url: Any) -> str:
    """Return the URL without a user name or password in it."""
    try:
        return str(URL(str(url)).with_user(None))
    except ValueError:
        return REDACTED


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: EzeepConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a station, loaded or not (setup failures need them most)."""
    data = async_redact_data(dict(entry.data), TO_REDACT)
    if CONF_URL in data:
        data[CONF_URL] = _without_credentials(data[CONF_URL])
    diagnostics: dict[str, Any] = {
        "entry": {
            "state": entry.state.value,
            "data": data,
            "options": dict(entry.options),
        },
    }
    # Release panels by number and reader count: no user or device IDs.
    diagnostics["panels"] = [
        {"panel": number, "readers": len(subentry.data.get(CONF_READERS, []))}
        for number, subentry in enumerate(
            entry.get_subentries_of_type(SUBENTRY_TYPE_PANEL), start=1
        )
    ]
    # People are numbered: their IDs and names (sub-entry titles) stay out.
    people = [person.subentry_id for person in people_of(entry)]
    if entry.state is not ConfigEntryState.LOADED:
        store = async_get_store(hass)
        diagnostics["users"] = [
            {
                "user": number,
                "unregistered": store.is_marked(entry.entry_id, subentry_id),
            }
            for number, subentry_id in enumerate(people, start=1)
        ]
        return diagnostics

    runtime = entry.runtime_data
    coordinator = runtime.coordinator
    diagnostics["server"] = {"url": _without_credentials(runtime.client.base_url)}
    diagnostics["coordinator"] = {
        "last_update_success": coordinator.last_update_success,
        "update_interval": str(coordinator.update_interval),
    }
    diagnostics["users"] = [
        _person(entry, number, subentry_id)
        for number, subentry_id in enumerate(people, start=1)
    ]
    if runtime.printer is not None:
        diagnostics["printer"] = _printer_diagnostics(runtime.printer)
    return diagnostics


def _person(entry: EzeepConfigEntry, number: int, subentry_id: str) -> dict[str, Any]:
    """A person of a loaded station, by number: their counts and release state."""
    coordinator = entry.runtime_data.coordinator
    jobs = coordinator.data.get(subentry_id) if coordinator.data else None
    person = entry.runtime_data.people.get(subentry_id)
    state = entry.runtime_data.releases.state(person.user_id if person else "")
    return {
        "user": number,
        "polled": subentry_id in coordinator.users(),
        "unregistered": coordinator.is_unregistered(subentry_id),
        "pending_jobs": jobs.pending if jobs else None,
        "held_jobs": (len(jobs.jobs) - jobs.pending) if jobs else None,
        "visible": jobs.visible if jobs else None,
        "releasing": state.running,
        "last_result": state.last_result,
    }


def _printer_diagnostics(coordinator: PrinterCoordinator) -> dict[str, Any]:
    """The printer part (no URL: it may name the network)."""
    status = coordinator.data
    return {
        "source": coordinator.source,
        "events_supported": coordinator.events_supported,
        "update_interval": str(coordinator.update_interval),
        "release_when_unreachable": coordinator.release_when_unreachable,
        "state": status.state if status else None,
        "reasons": list(status.reasons) if status else None,
        "warnings": list(status.warnings) if status else None,
        "supplies": [
            {"label": s.label, "percent": s.percent, "state": s.state}
            for s in status.supplies
        ]
        if status
        else None,
        "model": coordinator.info.model if coordinator.info else None,
    }
