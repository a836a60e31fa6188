"""The printer device of a station: status, problem and supply-level entities.

Only created when the station has a readiness source (options). One device per station
(not per person); supply sensors are added as the printer names its consumables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator.printer import PrinterCoordinator, printer_device_identifier
from .data import EzeepConfigEntry
from .printer import PrinterState, Supply

PRINTER_STATUS = SensorEntityDescription(
    key="printer_status",
    translation_key="printer_status",
    device_class=SensorDeviceClass.ENUM,
    options=[str(state) for state in PrinterState],
)
PRINTER_PROBLEM = BinarySensorEntityDescription(
    key="printer_problem",
    translation_key="printer_problem",
    device_class=BinarySensorDeviceClass.PROBLEM,
)


class EzeepPrinterEntity(CoordinatorEntity[PrinterCoordinator]):
    """An entity of a station's printer."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: PrinterCoordinator, description: EntityDescription
    ) -> None:
        """Create the entity on the station's printer device."""
        super().__init__(coordinator)
        self.entity_description = description
        entry_id = coordinator.config_entry.entry_id
        self._attr_unique_id = f"{entry_id}_{description.key}"
        info = coordinator.info
        self._attr_device_info = DeviceInfo(
            identifiers={printer_device_identifier(entry_id)},
            translation_key="printer",
            manufacturer=info.make if info else None,
            model=info.model if info else None,
            serial_number=info.serial if info else None,
            configuration_url=coordinator.configuration_url,
        )

    @property
    @override
    def available(self) -> bool:
        """Available once the printer's status was read (or found unreachable)."""
        return super().available and self.coordinator.data is not None

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any]:
        """Blocking reasons and warnings."""
        status = self.coordinator.data
        return {
            "reasons": list(status.reasons) if status else [],
            "warnings": list(status.warnings) if status else [],
            "source": self.coordinator.source,
        }


class EzeepPrinterStatusSensor(EzeepPrinterEntity, SensorEntity):
    """The printer's state: ready, busy, sleeping, warming up, blocked ..."""

    @property
    @override
    def native_value(self) -> StateType:
        """Return the state."""
        status = self.coordinator.data
        return str(status.state) if status else None


class EzeepPrinterProblemSensor(EzeepPrinterEntity, BinarySensorEntity):
    """On while the printer cannot print (blocked, unknown state, unreachable)."""

    @property
    @override
    def is_on(self) -> bool | None:
        """Return whether there is a problem."""
        status = self.coordinator.data
        return status.has_problem if status else None


def _supply_translation_key(color: str | None) -> str:
    match color:
        case "black":
            return "supply_black"
        case "cyan":
            return "supply_cyan"
        case "magenta":
            return "supply_magenta"
        case "yellow":
            return "supply_yellow"
        case "tricolor":
            return "supply_tricolor"
    return "supply"


def supply_description(supply: Supply) -> SensorEntityDescription:
    """A supply-level sensor, named by colour (or by the printer's label)."""
    color = supply.color
    return SensorEntityDescription(
        key=f"supply_{supply.label}",
        translation_key=_supply_translation_key(color),
        translation_placeholders=None if color else {"label": supply.label},
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
    )


class EzeepSupplySensor(EzeepPrinterEntity, SensorEntity):
    """The level of one consumable in percent."""

    def __init__(self, coordinator: PrinterCoordinator, supply: Supply) -> None:
        """Create the sensor of the supply with this label."""
        super().__init__(coordinator, supply_description(supply))
        self._label = supply.label

    @property
    def supply(self) -> Supply | None:
        """The supply now (None while the printer does not report it)."""
        status = self.coordinator.data
        if status is None:
            return None
        return next((s for s in status.supplies if s.label == self._label), None)

    @property
    @override
    def available(self) -> bool:
        """Available while the printer reports this supply."""
        return super().available and self.supply is not None

    @property
    @override
    def native_value(self) -> StateType:
        """Return the level."""
        supply = self.supply
        return supply.percent if supply else None

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any]:
        """Label, type, low threshold and the printer's word for the supply's state."""
        supply = self.supply
        return {
            "label": self._label,
            "type": supply.type if supply else None,
            "low_threshold": supply.low_threshold if supply else None,
            "supply_state": supply.state if supply else None,
        }


def async_setup_printer_sensors(
    entry: EzeepConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the printer status sensor and a supply sensor per consumable reported."""
    coordinator = entry.runtime_data.printer
    if coordinator is None:
        return
    async_add_entities([EzeepPrinterStatusSensor(coordinator, PRINTER_STATUS)])
    added: set[str] = set()

    @callback
    def add_supplies() -> None:
        status = coordinator.data
        if status is None:
            return
        new = [s for s in status.supplies if s.label not in added]
        added.update(s.label for s in new)
        if new:
            async_add_entities([EzeepSupplySensor(coordinator, s) for s in new])

    add_supplies()
    entry.async_on_unload(coordinator.async_add_listener(add_supplies))


def async_setup_printer_binary_sensors(
    entry: EzeepConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the printer problem sensor."""
    coordinator = entry.runtime_data.printer
    if coordinator is not None:
        async_add_entities([EzeepPrinterProblemSensor(coordinator, PRINTER_PROBLEM)])
