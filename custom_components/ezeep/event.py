"""Event entity of a person: their jobs starting, completing, failing, canceled, deleted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import (
    RESULT_CANCELED,
    RESULT_COMPLETED,
    RESULT_DELETED,
    RESULT_FAILED,
    STATUS_STARTED,
)
from .data import EzeepConfigEntry
from .entity import EzeepUserEntity, async_setup_user_entities
from .release import ReleaseEvent

PARALLEL_UPDATES = 0

EVENT_TYPES: Final = [
    STATUS_STARTED,
    RESULT_COMPLETED,
    RESULT_FAILED,
    RESULT_CANCELED,
    RESULT_DELETED,
]
#: Event data shown as attributes; never the user ID or the config entry.
_ATTRIBUTES: Final = {
    STATUS_STARTED: ("job", "file_name", "proc_id", "unit"),
    RESULT_COMPLETED: ("job", "file_name", "proc_id", "done", "total", "unit"),
    RESULT_CANCELED: ("job", "file_name", "proc_id", "done", "total", "unit"),
    RESULT_FAILED: ("job", "file_name", "proc_id", "code", "error", "os_error_text"),
    RESULT_DELETED: ("job", "file_name"),
}

RELEASE = EventEntityDescription(
    key="release", translation_key="release", event_types=EVENT_TYPES
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EzeepConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each person's release event entity."""
    async_setup_user_entities(
        hass,
        entry,
        async_add_entities,
        lambda subentry: [EzeepReleaseEvent(entry, subentry, RELEASE)],
    )


def event_attributes(event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the attributes of an event entity's event from a bus event's data.

    ``job`` is the name people know the job by (its display name, else its file name);
    ``file_name`` is the server's name of it.
    """
    values = {
        **data,
        "job": data.get("name") or data.get("job"),
        "file_name": data.get("job"),
    }
    return {key: values.get(key) for key in _ATTRIBUTES[event_type]}


class EzeepReleaseEvent(EzeepUserEntity, EventEntity):
    """Fires when one of this person's jobs starts, completes, fails, is canceled or deleted."""

    @callback
    @override
    def _on_release(self, event: ReleaseEvent | None) -> None:
        """Fire this person's job events (the release state does not show here)."""
        if event is not None and event.event_type in EVENT_TYPES:
            self._trigger_event(
                event.event_type, event_attributes(event.event_type, event.data)
            )
            self.async_write_ha_state()
