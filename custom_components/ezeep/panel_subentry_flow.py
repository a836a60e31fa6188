"""Release panels of a station: which Home Assistant user's panel may use which readers.

One sub-entry per panel user (the tablet's kiosk user), made by an admin: the user and the
card reader devices whose scans sign people in at that user's panel. Nothing else binds a
reader: ``ezeep/panel/subscribe`` refuses a reader not bound to the calling user.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import (
    SOURCE_USER,
    ConfigEntry,
    ConfigSubentry,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.helpers.selector import DeviceSelector, DeviceSelectorConfig
import probatio as vol

from .const import CONF_PANEL_USER, CONF_READERS, SUBENTRY_TYPE_PANEL
from .helpers import async_list_users, user_selector


def panel_unique_id(ha_user_id: str) -> str:
    """The unique ID of a panel sub-entry: one per Home Assistant user and station."""
    return f"panel_{ha_user_id}"


def panel_subentries(entry: ConfigEntry) -> list[ConfigSubentry]:
    """The station's panel sub-entries."""
    return entry.get_subentries_of_type(SUBENTRY_TYPE_PANEL)


def _panel_schema(users: dict[str, str]) -> vol.Schema:
    """The panel form: one of the users (by name), any number of reader devices."""
    return vol.Schema(
        {
            vol.Required(CONF_PANEL_USER): user_selector(users),
            vol.Optional(CONF_READERS, default=[]): DeviceSelector(
                DeviceSelectorConfig(multiple=True)
            ),
        }
    )


class EzeepPanelSubentryFlow(ConfigSubentryFlow):
    """Add a release panel (a user and their readers), or change its readers."""

    async def async_step_panel(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Ask for the panel's Home Assistant user and its reader devices."""
        entry = self._get_entry()
        subentry = (
            None if self.source == SOURCE_USER else self._get_reconfigure_subentry()
        )
        users = await async_list_users(self.hass)
        errors: dict[str, str] = {}
        if user_input is not None:
            ha_user_id = str(user_input[CONF_PANEL_USER])
            data = {
                CONF_PANEL_USER: ha_user_id,
                CONF_READERS: list(dict.fromkeys(user_input.get(CONF_READERS, []))),
            }
            if ha_user_id not in users:
                errors[CONF_PANEL_USER] = "unknown_ha_user"
            elif self._taken(entry, ha_user_id, subentry):
                return self.async_abort(reason="already_configured")
            elif subentry is None:
                return self.async_create_entry(
                    title=users[ha_user_id],
                    data=data,
                    unique_id=panel_unique_id(ha_user_id),
                )
            else:
                return self.async_update_and_abort(
                    entry,
                    subentry,
                    title=users[ha_user_id],
                    data=data,
                    unique_id=panel_unique_id(ha_user_id),
                )
        return self.async_show_form(
            step_id="user" if subentry is None else "reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _panel_schema(users),
                user_input or (None if subentry is None else dict(subentry.data)),
            ),
            errors=errors,
        )

    async_step_user = async_step_panel
    async_step_reconfigure = async_step_panel

    @staticmethod
    def _taken(
        entry: ConfigEntry, ha_user_id: str, changed: ConfigSubentry | None
    ) -> bool:
        """Return whether another panel of the station is this user's."""
        keep = None if changed is None else changed.subentry_id
        return any(
            sub.data.get(CONF_PANEL_USER) == ha_user_id and sub.subentry_id != keep
            for sub in panel_subentries(entry)
        )
