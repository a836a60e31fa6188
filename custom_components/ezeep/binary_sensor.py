"""Binary sensor of a person: whether their jobs are being released."""

from __future__ import annotations

from typing import override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import EzeepConfigEntry
from .entity import EzeepUserEntity, async_setup_user_entities
from .printer_entity import async_setup_printer_binary_sensors

PARALLEL_UPDATES = 0

RELEASING = BinarySensorEntityDescription(
    key="releasing",
    translation_key="releasing",
    device_class=BinarySensorDeviceClass.RUNNING,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EzeepConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each person's releasing sensor, and the printer's problem sensor."""
    async_setup_user_entities(
        hass,
        entry,
        async_add_entities,
        lambda subentry: [EzeepReleasingSensor(entry, subentry, RELEASING)],
    )
    async_setup_printer_binary_sensors(entry, async_add_entities)


class EzeepReleasingSensor(EzeepUserEntity, BinarySensorEntity):
    """On while a release of this person runs."""

    @property
    @override
    def is_on(self) -> bool:
        """Return whether a release runs."""
        return self.release_state.running
