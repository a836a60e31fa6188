"""Buttons of a person: release all their jobs, cancel the running release."""

from __future__ import annotations

from typing import override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import EzeepConfigEntry
from .entity import EzeepUserEntity, async_setup_user_entities
from .errors import translate_errors

PARALLEL_UPDATES = 0

RELEASE_ALL = ButtonEntityDescription(key="release_all", translation_key="release_all")
CANCEL_RELEASE = ButtonEntityDescription(
    key="cancel_release", translation_key="cancel_release"
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EzeepConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each person's buttons."""
    async_setup_user_entities(
        hass,
        entry,
        async_add_entities,
        lambda subentry: [
            EzeepReleaseAllButton(entry, subentry, RELEASE_ALL),
            EzeepCancelButton(entry, subentry, CANCEL_RELEASE),
        ],
    )


class EzeepReleaseAllButton(EzeepUserEntity, ButtonEntity):
    """Releases all of this person's jobs, as ``ezeep.print_all`` does."""

    _follows_release = False  # a button shows nothing of a release

    @override
    async def async_press(self) -> None:
        """Start the release (in the background)."""
        with translate_errors():
            await self._releases.async_release(
                self._user_id,
                printer_id=self.coordinator.people.printer,
            )


class EzeepCancelButton(EzeepUserEntity, ButtonEntity):
    """Cancels this person's running release."""

    _follows_release = False

    @override
    async def async_press(self) -> None:
        """Cancel the running job and drop the queued rest."""
        await self._releases.async_cancel_user(self._user_id)
