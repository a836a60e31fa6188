"""Sensors of a person (pending jobs, release progress, last result) and of the printer.

The printer's sensors (its status, one level per consumable) exist when the station has
a readiness source; supply sensors are added as the printer names its consumables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .const import (
    MAX_JOBS_ATTRIBUTE,
    RESULT_CANCELED,
    RESULT_COMPLETED,
    RESULT_DELETED,
    RESULT_FAILED,
)
from .coordinator.jobs import UserJobs
from .coordinator.printer import PrinterCoordinator
from .data import EzeepConfigEntry
from .entity import (
    EzeepPrinterEntity,
    EzeepPrinterEntityDescription,
    EzeepUserEntity,
    async_setup_user_entities,
)
from .printer import PrinterState, PrinterStatus, Supply
from .release import ReleaseState
from .statistics import async_setup_statistics

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class EzeepSensorEntityDescription(SensorEntityDescription):
    """A sensor of a person, computed from their jobs and their release state."""

    value_fn: Callable[[UserJobs | None, ReleaseState], StateType]
    attributes_fn: Callable[
        [UserJobs | None, ReleaseState], Mapping[str, Any] | None
    ] = lambda _jobs, _state: None


def _jobs_attribute(jobs: UserJobs | None, _state: ReleaseState) -> Mapping[str, Any]:
    if jobs is None:
        return {"jobs": []}
    return {
        "jobs": [
            {
                "name": job.name,
                "size": job.size,
                "created": job.created.isoformat(),
                "on_hold": job.on_hold,
            }
            for job in jobs.jobs[:MAX_JOBS_ATTRIBUTE]
        ]
    }


def _progress_attributes(
    _jobs: UserJobs | None, state: ReleaseState
) -> Mapping[str, Any]:
    return {
        "job": state.job_name,
        "done": state.done,
        "total": state.total,
        "unit": str(state.unit) if state.unit else None,
    }


def _result_attributes(
    _jobs: UserJobs | None, state: ReleaseState
) -> Mapping[str, Any]:
    return {
        "job": state.last_job_name,
        "error": state.last_error,
        "finished": state.last_finished.isoformat() if state.last_finished else None,
    }


SENSORS: tuple[EzeepSensorEntityDescription, ...] = (
    EzeepSensorEntityDescription(
        key="pending_jobs",
        translation_key="pending_jobs",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda jobs, _state: jobs.pending if jobs else None,
        attributes_fn=_jobs_attribute,
    ),
    EzeepSensorEntityDescription(
        key="release_progress",
        translation_key="release_progress",
        native_unit_of_measurement=PERCENTAGE,
        value_fn=lambda _jobs, state: state.percent,
        attributes_fn=_progress_attributes,
    ),
    EzeepSensorEntityDescription(
        key="last_result",
        translation_key="last_result",
        device_class=SensorDeviceClass.ENUM,
        options=[RESULT_COMPLETED, RESULT_FAILED, RESULT_CANCELED, RESULT_DELETED],
        value_fn=lambda _jobs, state: state.last_result,
        attributes_fn=_result_attributes,
    ),
)


@dataclass(frozen=True, kw_only=True)
class EzeepPrinterSensorEntityDescription(
    EzeepPrinterEntityDescription, SensorEntityDescription
):
    """A sensor of the station's printer, computed from its status."""


PRINTER_STATUS = EzeepPrinterSensorEntityDescription(
    key="printer_status",
    translation_key="printer_status",
    device_class=SensorDeviceClass.ENUM,
    options=[str(state) for state in PrinterState],
    value_fn=lambda status: str(status.state),
)


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


def _supply(status: PrinterStatus, label: str) -> Supply | None:
    """The supply with this label now (None while the printer does not report it)."""
    return next((s for s in status.supplies if s.label == label), None)


def _supply_attributes(label: str, supply: Supply | None) -> Mapping[str, Any]:
    """Label, type, low threshold and the printer's word for the supply's state."""
    return {
        "label": label,
        "type": supply.type if supply else None,
        "low_threshold": supply.low_threshold if supply else None,
        "supply_state": supply.state if supply else None,
    }


def supply_description(supply: Supply) -> EzeepPrinterSensorEntityDescription:
    """A consumable's level in percent, named by colour (or by the printer's label).

    Available while the printer reports the consumable. Diagnostic: about the printer,
    not the release station (quality_scale.yaml, entity-category).
    """
    color, label = supply.color, supply.label
    return EzeepPrinterSensorEntityDescription(
        key=f"supply_{label}",
        translation_key=_supply_translation_key(color),
        translation_placeholders=None if color else {"label": label},
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda status: s.percent if (s := _supply(status, label)) else None,
        available_fn=lambda status: _supply(status, label) is not None,
        attributes_fn=lambda status, _source: _supply_attributes(
            label, _supply(status, label)
        ),
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EzeepConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each person's sensors, the print statistics, and the printer's sensors.

    The printer's exist when the station has a readiness source.
    """
    async_setup_statistics(hass, entry, async_add_entities)
    async_setup_user_entities(
        hass,
        entry,
        async_add_entities,
        lambda subentry: [
            EzeepSensor(entry, subentry, description) for description in SENSORS
        ],
    )
    if (printer := entry.runtime_data.printer) is not None:
        _async_setup_printer(entry, printer, async_add_entities)


def _async_setup_printer(
    entry: EzeepConfigEntry,
    printer: PrinterCoordinator,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the printer's status sensor and a supply sensor per consumable reported."""
    async_add_entities([EzeepPrinterSensor(printer, PRINTER_STATUS)])
    added: set[str] = set()

    @callback
    def add_supplies() -> None:
        status = printer.data
        if status is None:
            return
        new = [s for s in status.supplies if s.label not in added]
        added.update(s.label for s in new)
        if new:
            async_add_entities(
                [EzeepPrinterSensor(printer, supply_description(s)) for s in new]
            )

    add_supplies()
    entry.async_on_unload(printer.async_add_listener(add_supplies))


class EzeepSensor(EzeepUserEntity, SensorEntity):
    """A sensor of one person."""

    entity_description: EzeepSensorEntityDescription

    @property
    @override
    def native_value(self) -> StateType:
        """Return the state."""
        return self.entity_description.value_fn(self.user_jobs, self.release_state)

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Return the attributes."""
        return self.entity_description.attributes_fn(self.user_jobs, self.release_state)


class EzeepPrinterSensor(EzeepPrinterEntity, SensorEntity):
    """A sensor of the station's printer."""

    entity_description: EzeepPrinterSensorEntityDescription

    @property
    @override
    def native_value(self) -> StateType:
        """Return the state."""
        return self.value
