"""Binary sensors: whether a person's jobs are being released; whether the printer has a problem."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import EzeepConfigEntry
from .entity import (
    EzeepPrinterEntity,
    EzeepPrinterEntityDescription,
    EzeepUserEntity,
    async_setup_user_entities,
)
from .release import ReleaseState

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class EzeepBinarySensorEntityDescription(BinarySensorEntityDescription):
    """A binary sensor of a person, computed from their release state."""

    value_fn: Callable[[ReleaseState], bool]


#: On while a release of this person runs.
RELEASING = EzeepBinarySensorEntityDescription(
    key="releasing",
    translation_key="releasing",
    device_class=BinarySensorDeviceClass.RUNNING,
    value_fn=lambda state: state.running,
)


@dataclass(frozen=True, kw_only=True)
class EzeepPrinterBinarySensorEntityDescription(
    EzeepPrinterEntityDescription, BinarySensorEntityDescription
):
    """A binary sensor of the station's printer, computed from its status."""


#: On while the printer cannot print (blocked, unknown state, unreachable).
PRINTER_PROBLEM = EzeepPrinterBinarySensorEntityDescription(
    key="printer_problem",
    translation_key="printer_problem",
    device_class=BinarySensorDeviceClass.PROBLEM,
    value_fn=lambda status: status.has_problem,
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
        lambda subentry: [EzeepBinarySensor(entry, subentry, RELEASING)],
    )
    if (printer := entry.runtime_data.printer) is not None:
        async_add_entities([EzeepPrinterBinarySensor(printer, PRINTER_PROBLEM)])


class EzeepBinarySensor(EzeepUserEntity, BinarySensorEntity):
    """A binary sensor of one person."""

    entity_description: EzeepBinarySensorEntityDescription

    @property
    @override
    def is_on(self) -> bool:
        """Return the state."""
        return self.entity_description.value_fn(self.release_state)


class EzeepPrinterBinarySensor(EzeepPrinterEntity, BinarySensorEntity):
    """A binary sensor of the station's printer."""

    entity_description: EzeepPrinterBinarySensorEntityDescription

    @property
    @override
    def is_on(self) -> bool | None:
        """Return the state."""
        value = self.value
        return None if value is None else bool(value)
