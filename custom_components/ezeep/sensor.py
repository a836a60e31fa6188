"""Sensors of a person: pending jobs, release progress, last result."""

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
from homeassistant.const import PERCENTAGE
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .const import MAX_JOBS_ATTRIBUTE, RESULT_CANCELED, RESULT_COMPLETED, RESULT_FAILED
from .coordinator.jobs import UserJobs
from .data import EzeepConfigEntry
from .entity import EzeepUserEntity, async_setup_user_entities
from .printer_entity import async_setup_printer_sensors
from .release import ReleaseState

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
        options=[RESULT_COMPLETED, RESULT_FAILED, RESULT_CANCELED],
        value_fn=lambda _jobs, state: state.last_result,
        attributes_fn=_result_attributes,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EzeepConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each person's sensors, and the printer's when it has a readiness source."""
    async_setup_user_entities(
        hass,
        entry,
        async_add_entities,
        lambda subentry: [
            EzeepSensor(entry, subentry, description) for description in SENSORS
        ],
    )
    async_setup_printer_sensors(entry, async_add_entities)


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
