"""Print statistics: pages and jobs printed, per person and for the whole station.

Counters (``state_class: total_increasing``) that add what the release's
:class:`~.release.PrintTally` reports for each ended job, and restore their total after a
restart or reload (``RestoreSensor``), so Home Assistant keeps long-term statistics. The
sensor platform adds them (:func:`async_setup_statistics`): the station's two on a
"Release station" device, each person's two on their device. The station counts every
release, also of cards no person is set up with; a person's count only theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_USER_ID, DOMAIN
from .data import EzeepConfigEntry
from .entity import async_setup_user_entities, person_device_info
from .release import Printed, PrintTally


@dataclass(frozen=True, kw_only=True)
class EzeepCounterDescription(SensorEntityDescription):
    """A counter of what was printed; ``count_fn`` picks its part of a job's count.

    Its unit (pages, jobs) is translated: ``entity.sensor.<key>.unit_of_measurement``.
    """

    count_fn: Callable[[Printed], int]


COUNTERS: tuple[EzeepCounterDescription, ...] = (
    EzeepCounterDescription(
        key="pages_printed",
        translation_key="pages_printed",
        state_class=SensorStateClass.TOTAL_INCREASING,
        count_fn=lambda added: added.pages,
    ),
    EzeepCounterDescription(
        key="jobs_printed",
        translation_key="jobs_printed",
        state_class=SensorStateClass.TOTAL_INCREASING,
        count_fn=lambda added: added.jobs,
    ),
)


def station_device_identifier(entry_id: str) -> tuple[str, str]:
    """The device registry identifier of a station's own device (its statistics)."""
    return (DOMAIN, f"{entry_id}_station")


def station_device_info(entry: EzeepConfigEntry) -> DeviceInfo:
    """The station's device: it holds the station's statistics."""
    return DeviceInfo(
        identifiers={station_device_identifier(entry.entry_id)},
        translation_key="station",
        manufacturer="ezeep",
        model="Pull-printing release station",
        entry_type=DeviceEntryType.SERVICE,
    )


@callback
def async_setup_statistics(
    hass: HomeAssistant,
    entry: EzeepConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the station's counters and each person's (people added later too)."""
    tally = entry.runtime_data.releases.tally
    async_add_entities(
        EzeepCounter(
            tally,
            description,
            f"{entry.entry_id}_{description.key}",
            device_info=station_device_info(entry),
        )
        for description in COUNTERS
    )

    def person(subentry: ConfigSubentry) -> list[EzeepCounter]:
        # One device info for both counters: they keep it (0.4 KB a person at 1,000).
        device_info = person_device_info(subentry)
        return [
            EzeepCounter(
                tally,
                description,
                f"{subentry.subentry_id}_{description.key}",
                user_id=subentry.data[CONF_USER_ID],
                device_info=device_info,
            )
            for description in COUNTERS
        ]

    async_setup_user_entities(hass, entry, async_add_entities, person)


class EzeepCounter(RestoreSensor):
    """Pages or jobs printed, of one person (``user_id``) or of the whole station."""

    _attr_has_entity_name = True
    entity_description: EzeepCounterDescription

    def __init__(
        self,
        tally: PrintTally,
        description: EzeepCounterDescription,
        unique_id: str,
        *,
        user_id: str | None = None,
        device_info: DeviceInfo | None = None,
    ) -> None:
        """Count for one person, or (``user_id`` None) for the station."""
        self.entity_description = description
        self._tally = tally
        self._user_id = user_id
        self._attr_unique_id = unique_id
        self._attr_device_info = device_info
        self._attr_native_value = 0

    @override
    async def async_added_to_hass(self) -> None:
        """Restore the total, then add what each ended job printed."""
        await super().async_added_to_hass()
        last = await self.async_get_last_sensor_data()
        if last is not None and isinstance(last.native_value, int | float):
            self._attr_native_value = int(last.native_value)
        self.async_on_remove(self._tally.add_listener(self._on_printed, self._user_id))

    @callback
    def _on_printed(self, added: Printed) -> None:
        count = self.entity_description.count_fn(added)
        if count:
            total = self._attr_native_value
            self._attr_native_value = (total if isinstance(total, int) else 0) + count
            self.async_write_ha_state()
