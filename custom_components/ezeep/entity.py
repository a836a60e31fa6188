"""Base entity: one device per person (user sub-entry)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import override

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_USER_ID, DOMAIN, SUBENTRY_TYPE_USER, signal_users_added
from .coordinator.jobs import EzeepCoordinator, UserJobs
from .data import EzeepConfigEntry
from .release import ReleaseEvent, ReleaseManager, ReleaseState


class EzeepUserEntity(CoordinatorEntity[EzeepCoordinator]):
    """An entity of one person of a station."""

    _attr_has_entity_name = True

    def __init__(
        self,
        entry: EzeepConfigEntry,
        subentry: ConfigSubentry,
        description: EntityDescription,
    ) -> None:
        """Create the entity; its unique id and device never contain the user ID."""
        super().__init__(entry.runtime_data.coordinator)
        self.entity_description = description
        self._releases: ReleaseManager = entry.runtime_data.releases
        self._subentry_id = subentry.subentry_id
        self._user_id: str = subentry.data[CONF_USER_ID]
        self._attr_unique_id = f"{subentry.subentry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, subentry.subentry_id)},
            name=subentry.title,
            manufacturer="ezeep",
            model="Pull-printing user",
            entry_type=DeviceEntryType.SERVICE,
        )

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
        """Follow the release state as well as the coordinator."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self._releases.states.async_add_listener(self._user_id, self._on_release)
        )

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
