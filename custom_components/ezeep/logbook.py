"""Logbook entries for printed, canceled, deleted and failed jobs.

Messages name the job and the person's sub-entry title ("A card" for an ID no person is
configured with), never the user ID: the logbook is shown to every user of Home Assistant.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from homeassistant.components.logbook import async_log_entry
from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.const import Platform
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .const import (
    DOMAIN,
    ERROR_BUSY,
    ERROR_COOLDOWN,
    ERROR_PRINTER_NOT_READY,
    ERROR_RATE_LIMITED,
    EVENT_PRINT_ERROR,
    EVENT_PRINT_PROGRESS,
    RESULT_CANCELED,
    RESULT_COMPLETED,
    RESULT_DELETED,
)
from .data import people_of

#: The logbook's name for a job of an ID that no person of the station has.
UNKNOWN_PERSON: Final = "A card"
#: Codes of releases refused before anything was sent.
_REFUSALS: Final = frozenset(
    {ERROR_BUSY, ERROR_COOLDOWN, ERROR_PRINTER_NOT_READY, ERROR_RATE_LIMITED}
)
_FINISHED: Final = frozenset({RESULT_COMPLETED, RESULT_CANCELED, RESULT_DELETED})


def _person(hass: HomeAssistant, data: Mapping[str, Any]) -> tuple[str, str | None]:
    """Return the name to show for an event's user ID, and their event entity's ID."""
    entry = hass.config_entries.async_get_entry(str(data.get("config_entry_id")))
    if entry is None or entry.domain != DOMAIN:
        return UNKNOWN_PERSON, None
    user_id = data.get("user_id")
    person = people_of(entry).of(user_id) if isinstance(user_id, str) else None
    if person is None:
        return UNKNOWN_PERSON, None
    entity_id = er.async_get(hass).async_get_entity_id(
        Platform.EVENT, DOMAIN, f"{person.subentry_id}_release"
    )
    return person.name, entity_id


def _job(data: Mapping[str, Any]) -> str:
    return str(data.get("name") or data.get("job") or "")


def finished_message(data: Mapping[str, Any]) -> str:
    """Describe a completed, canceled or deleted job: "report.pdf printed, 10 pages"."""
    job = _job(data)
    if data.get("status") == RESULT_CANCELED:
        return f"{job} canceled"
    if data.get("status") == RESULT_DELETED:
        return f"{job} deleted"
    pages = (
        (data.get("total") or data.get("done")) if data.get("unit") == "pages" else 0
    )
    if not pages:
        return f"{job} printed"
    return f"{job} printed, {pages} page{'' if pages == 1 else 's'}"


def error_message(data: Mapping[str, Any]) -> str:
    """Describe a failed job: "report.pdf failed: Invalid printer was specified"."""
    code = data.get("code")
    text = str(data.get("error") or f"error {code}")
    if os_error_text := data.get("os_error_text"):
        text = f"{text} ({os_error_text})"
    if code in _REFUSALS:
        return f"release refused: {text}"
    job = _job(data)
    return f"{job} failed: {text}" if job else f"release failed: {text}"


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, Any]]], None],
) -> None:
    """Describe print errors, and log printed and canceled jobs.

    ``ezeep_print_progress`` fires for every page, and the logbook cannot skip some
    events of a type it describes. So only errors are described; a completed or
    canceled job gets an entry of its own when it happens (from here on, while the
    logbook is loaded).
    """

    @callback
    def describe_error(event: Event) -> dict[str, Any]:
        name, entity_id = _person(hass, event.data)
        description = {
            LOGBOOK_ENTRY_NAME: name,
            LOGBOOK_ENTRY_MESSAGE: error_message(event.data),
        }
        if entity_id is not None:
            description[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
        return description

    @callback
    def log_finished(event: Event) -> None:
        name, entity_id = _person(hass, event.data)
        async_log_entry(
            hass,
            name,
            finished_message(event.data),
            DOMAIN,
            entity_id,
            event.context,
        )

    @callback
    def is_finished(data: Mapping[str, Any]) -> bool:
        return data.get("status") in _FINISHED

    async_describe_event(DOMAIN, EVENT_PRINT_ERROR, describe_error)
    hass.bus.async_listen(EVENT_PRINT_PROGRESS, log_finished, is_finished)
