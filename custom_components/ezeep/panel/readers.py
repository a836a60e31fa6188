"""Readers bound to panels: only an admin decides which reader signs in at whose panel.

A reader's scans sign people in at the panels of the Home Assistant users it is bound to
(a "panel" sub-entry of the station, see panel_subentry_flow.py). Device IDs are visible to
every user, so the reader list a card sends is checked against those bindings when it
subscribes, and again at every scan (an admin may unbind a reader meanwhile).
"""

from __future__ import annotations

from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from ..const import CONF_PANEL_USER, CONF_READERS
from ..data import EzeepConfigEntry
from ..panel_subentry_flow import panel_subentries
from .session import PanelError


def bound_readers(entry: EzeepConfigEntry, connection: ActiveConnection) -> set[str]:
    """The reader device IDs an admin bound to this connection's Home Assistant user."""
    ha_user_id = connection.user.id
    return {
        str(device_id)
        for sub in panel_subentries(entry)
        if sub.data.get(CONF_PANEL_USER) == ha_user_id
        for device_id in sub.data.get(CONF_READERS, [])
    }


def check_readers(
    entry: EzeepConfigEntry, connection: ActiveConnection, requested: list[str]
) -> frozenset[str]:
    """The readers a card may listen to: those asked for, or all bound when none are.

    Raises:
        PanelError: ``reader_not_bound``, a reader not bound to the calling user.

    """
    bound = bound_readers(entry, connection)
    if not requested:
        return frozenset(bound)
    if not bound.issuperset(requested):
        raise PanelError("reader_not_bound")
    return frozenset(requested)


def reader_names(
    hass: HomeAssistant, device_ids: set[str]
) -> list[dict[str, str | None]]:
    """The readers as the card's editor lists them: device ID and name, by ID."""
    devices = dr.async_get(hass)
    readers: list[dict[str, str | None]] = []
    for device_id in sorted(device_ids):
        device = devices.async_get(device_id)
        name = None if device is None else (device.name_by_user or device.name)
        readers.append({"device_id": device_id, "name": name})
    return readers
