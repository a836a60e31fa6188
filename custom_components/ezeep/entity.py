"""Base entities: one device per person (user sub-entry), one for the station's printer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, override

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_USER_ID, DOMAIN, SUBENTRY_TYPE_USER, signal_users_added
from .coordinator.jobs import EzeepCoordinator, UserJobs
from .coordinator.printer import PrinterCoordinator, printer_device_identifier
from .data import EzeepConfigEntry
from .printer import PrinterStatus
from .release import ReleaseEvent, ReleaseManager, ReleaseState


def person_device_info(subentry: ConfigSubentry) -> DeviceInfo:
    """The device of a person (a user sub-entry); it never holds the user ID."""
    return _device_info(subentry.subentry_id, subentry.title)


def _device_info(subentry_id: str, name: str) -> DeviceInfo:
    return DeviceInfo(
        identifiers={(DOMAIN, subentry_id)},
        name=name,
        manufacturer="ezeep",
        model="Pull-printing user",
        entry_type=DeviceEntryType.SERVICE,
    )


class EzeepUserEntity(CoordinatorEntity[EzeepCoordinator]):
    """An entity of one person of a station."""

    _attr_has_entity_name = True
    #: Whether the entity shows the release state (is written when it changes).
    _follows_release: ClassVar[bool] = True

    def __init__(
        self,
        entry: EzeepConfigEntry,
        subentry: ConfigSubentry,
        description: EntityDescription,
    ) -> None:
        """Create the entity; its unique id and device never contain the user ID."""
        # The context: a poll tells only the entities of people whose jobs changed.
        super().__init__(entry.runtime_data.coordinator, context=subentry.subentry_id)
        self.entity_description = description
        self._releases: ReleaseManager = entry.runtime_data.releases
        self._subentry_id = subentry.subentry_id
        self._user_id: str = subentry.data[CONF_USER_ID]
        self._attr_unique_id = f"{subentry.subentry_id}_{description.key}"
        self._device_name = subentry.title

    @property
    @override
    def device_info(self) -> DeviceInfo:
        """The person's device, made when asked (Home Assistant asks when adding).

        Not kept per entity: at 1,000 people that was 7,000 dicts for one use each.
        """
        return _device_info(self._subentry_id, self._device_name)

    @property
    @override
    def available(self) -> bool:
        """Available while the server answers for this person."""
        return super().available and self._subentry_id in self.coordinator.data

    @property
    def user_jobs(self) -> UserJobs | None:
        """This person's jobs from the last poll."""
        return self.coordinator.data.get(self._subentry_id)

    @property
    def release_state(self) -> ReleaseState:
        """This person's release state."""
        return self._releases.state(self._user_id)

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the release state as well as the coordinator (unless it shows none)."""
        await super().async_added_to_hass()
        if self._follows_release:
            self._releases.states.async_listen(self._user_id, self._on_release)

    @override
    async def async_will_remove_from_hass(self) -> None:
        """Stop following the release state."""
        await super().async_will_remove_from_hass()
        if self._follows_release:
            self._releases.states.async_unlisten(self._user_id, self._on_release)

    @callback
    def _on_release(self, event: ReleaseEvent | None) -> None:
        """Write the state when the release state changed (``None``); skip job events."""
        if event is None:
            self.async_write_ha_state()


def async_setup_user_entities(
    hass: HomeAssistant,
    entry: EzeepConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    create: Callable[[ConfigSubentry], Iterable[Entity]],
) -> None:
    """Add each person's entities now, and those of people added later."""
    added: set[str] = set()

    @callback
    def add_new() -> None:
        for subentry in entry.get_subentries_of_type(SUBENTRY_TYPE_USER):
            if subentry.subentry_id in added:
                continue
            added.add(subentry.subentry_id)
            async_add_entities(
                create(subentry), config_subentry_id=subentry.subentry_id
            )

    add_new()
    entry.async_on_unload(
        async_dispatcher_connect(hass, signal_users_added(entry.entry_id), add_new)
    )


def printer_attributes(status: PrinterStatus, source: str) -> Mapping[str, Any]:
    """The attributes of the printer's status and problem entities."""
    return {
        "reasons": list(status.reasons),
        "warnings": list(status.warnings),
        "source": source,
    }


@dataclass(frozen=True, kw_only=True)
class EzeepPrinterEntityDescription(EntityDescription):
    """An entity of a station's printer, computed from the printer's status."""

    value_fn: Callable[[PrinterStatus], StateType]
    attributes_fn: Callable[[PrinterStatus, str], Mapping[str, Any] | None] = (
        printer_attributes
    )
    available_fn: Callable[[PrinterStatus], bool] = lambda _status: True


class EzeepPrinterEntity(CoordinatorEntity[PrinterCoordinator]):
    """An entity of a station's printer (one device per station, not per person).

    Only created when the station has a readiness source (options).
    """

    _attr_has_entity_name = True
    entity_description: EzeepPrinterEntityDescription

    def __init__(
        self,
        coordinator: PrinterCoordinator,
        description: EzeepPrinterEntityDescription,
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
        status = self.coordinator.data
        return (
            super().available
            and status is not None
            and self.entity_description.available_fn(status)
        )

    @property
    def value(self) -> StateType:
        """The entity's value, computed from the printer's status."""
        status = self.coordinator.data
        return None if status is None else self.entity_description.value_fn(status)

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Return the attributes."""
        status = self.coordinator.data
        if status is None:
            return None
        return self.entity_description.attributes_fn(status, self.coordinator.source)
