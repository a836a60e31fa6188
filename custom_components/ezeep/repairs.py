"""Repair flow for a person whose ID the server did not know."""

from __future__ import annotations

from typing import override

from homeassistant.components.repairs import (
    ConfirmRepairFlow,
    RepairsFlow,
    RepairsFlowResult,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .const import CONF_USER_ID, DOMAIN
from .data import EzeepConfigEntry
from .store import UNKNOWN_USER_ISSUE_PREFIX, async_get_store


class UnknownUserRepairFlow(ConfirmRepairFlow):
    """The person says they registered: poll their ID again."""

    def __init__(self, entry_id: str, subentry_id: str) -> None:
        """Remember whom the issue is about."""
        super().__init__()
        self._entry_id = entry_id
        self._subentry_id = subentry_id

    @override
    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """On confirmation, let the coordinator ask for the ID once more.

        The mark outlives reloads, so it is cleared even while the station is not loaded
        (it then asks when it loads). A loaded station asks at once: if the server still
        does not know the ID, the poll has opened the issue again, and the flow aborts so
        that finishing it does not delete that issue.
        """
        if user_input is not None:
            store = async_get_store(self.hass)
            entry: EzeepConfigEntry | None = self.hass.config_entries.async_get_entry(
                self._entry_id
            )
            person = entry.subentries.get(self._subentry_id) if entry else None
            # They say they registered: their ID's hold-off ends too.
            store.async_clear_unknown(
                self._entry_id,
                self._subentry_id,
                person.data[CONF_USER_ID] if person else None,
            )
            if entry is not None and entry.state is ConfigEntryState.LOADED:
                await entry.runtime_data.coordinator.async_refresh()
                if store.is_marked(self._entry_id, self._subentry_id):
                    subentry = entry.subentries.get(self._subentry_id)
                    return self.async_abort(
                        reason="still_unknown",
                        description_placeholders={
                            "name": subentry.title if subentry else ""
                        },
                    )
        return await super().async_step_confirm(user_input)


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Create the fix flow of an ezeep repair issue."""
    assert data is not None and issue_id.startswith(UNKNOWN_USER_ISSUE_PREFIX), DOMAIN
    return UnknownUserRepairFlow(str(data["entry_id"]), str(data["subentry_id"]))
