"""The ezeep Blue pull-printing integration: Home Assistant as a release station."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.typing import ConfigType

from .blueprint_install import async_install_blueprints
from .card_reader import async_track_scans
from .const import (
    CONF_COOLDOWN,
    CONF_PRINTER_SOURCE,
    CONF_RATE_LIMIT,
    DEFAULT_COOLDOWN,
    DEFAULT_RATE_LIMIT,
    DOMAIN,
    SOURCE_NONE,
    signal_users_added,
)
from .coordinator.jobs import EzeepCoordinator
from .coordinator.printer import (
    async_create_printer,
    async_remove_printer_device,
    printer_device_identifier,
)
from .data import EzeepConfigEntry, EzeepData
from .helpers import async_create_client
from .job_lists import LatestLists
from .panel import async_setup_panel
from .people import People
from .registered_ids import async_get_registered
from .release import ReleaseManager
from .services import async_setup_services
from .statistics import station_device_identifier
from .store import async_get_store
from .unknown_ids import guard_for_entry

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.TODO,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the services (they exist even while no station is loaded); add blueprints."""
    async_setup_services(hass)
    async_track_scans(hass)
    await async_install_blueprints(hass)
    await async_setup_panel(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: EzeepConfigEntry) -> bool:
    """Set up a station."""
    client = await async_create_client(hass, entry)
    lists = LatestLists(async_get_store(hass).id_hash)
    people = People(entry)
    coordinator = EzeepCoordinator(hass, entry, client, lists, people)
    # Every request sent as a person passes this guard (unknown IDs print paper).
    client.guard = guard_for_entry(
        hass,
        entry,
        coordinator.is_polled,
        await async_get_registered(hass),
    )
    printer = async_create_printer(hass, entry)
    if printer is None:
        async_remove_printer_device(hass, entry)
    releases = ReleaseManager(
        hass,
        entry,
        client,
        limits=async_get_store(hass).release_limits(entry.entry_id),
        cooldown=entry.options.get(CONF_COOLDOWN, DEFAULT_COOLDOWN),
        rate_limit=entry.options.get(CONF_RATE_LIMIT, DEFAULT_RATE_LIMIT),
        refresh_user=coordinator.async_schedule_refresh_user,
        on_unknown_user=coordinator.async_mark_unregistered,
        readiness_check=printer.async_check_release if printer else None,
        lists=lists,
    )
    entry.runtime_data = EzeepData(
        client=client,
        coordinator=coordinator,
        releases=releases,
        settings=(dict(entry.data), dict(entry.options)),
        people=people,
        printer=printer,
    )
    await coordinator.async_config_entry_first_refresh()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    if printer is not None:
        # In the background: a sleeping printer answers late, an offline one not at all.
        entry.async_create_background_task(
            hass, printer.async_refresh(), f"{DOMAIN} printer first read"
        )
    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))
    return True


async def _async_entry_updated(hass: HomeAssistant, entry: EzeepConfigEntry) -> None:
    """Reload on new settings; take added and removed people in without a reload.

    A reload would break off releases in flight, so a change of sub-entries only adds the
    new people's entities (Home Assistant removes the devices of removed sub-entries).
    """
    data = entry.runtime_data
    changes = None
    if data.settings == (dict(entry.data), dict(entry.options)):
        changes = data.people.take_in(entry)
    if changes is None:  # new settings, or a person who stays was changed
        hass.config_entries.async_schedule_reload(entry.entry_id)
        return
    added, removed = changes
    for subentry_id in removed:
        data.coordinator.async_clear_unregistered(subentry_id)
    if added:
        async_dispatcher_send(hass, signal_users_added(entry.entry_id))
    if added or removed:
        await data.coordinator.async_request_refresh()


async def async_unload_entry(hass: HomeAssistant, entry: EzeepConfigEntry) -> bool:
    """Unload a station; releases in flight stop (the server finishes a started job)."""
    await entry.runtime_data.releases.async_shutdown()
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: EzeepConfigEntry) -> None:
    """Forget the limits, unknown-ID marks and repair issues of a removed station."""
    async_get_store(hass).async_forget_entry(entry.entry_id)
    (await async_get_registered(hass)).async_forget_entry(entry.entry_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: EzeepConfigEntry, device: dr.AnyDeviceEntry
) -> bool:
    """Delete a device from the UI: a person's goes with their sub-entry.

    The printer's device is refused while a readiness source is set (setting the
    source to none removes it); the station's own device (its statistics) always.
    """
    if station_device_identifier(entry.entry_id) in device.identifiers:
        return False
    if printer_device_identifier(entry.entry_id) in device.identifiers:
        return entry.options.get(CONF_PRINTER_SOURCE) in (None, SOURCE_NONE)
    for domain, subentry_id in device.identifiers:
        if domain == DOMAIN and subentry_id in entry.subentries:
            hass.config_entries.async_remove_subentry(entry, subentry_id)
    return True
