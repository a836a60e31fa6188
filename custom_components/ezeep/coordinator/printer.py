"""Printer readiness for a station: a coordinator per station and the release guard.

The source is chosen in the options (none by default): the printer's HP embedded web
server (LEDM), IPP, or another integration's entity. The coordinator polls every 60 s
for the entities; where the printer offers the LEDM event table it follows that instead
(a long poll) and polls only rarely, falling back to polling when the table fails.
Before a release a status at most ``MAX_STATUS_AGE`` old is reused, else read now.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
import time
from typing import Final, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from ..const import (
    CONF_NOT_READY_STATES,
    CONF_PRINTER_ENTITY,
    CONF_PRINTER_SOURCE,
    CONF_PRINTER_URL,
    CONF_PRINTER_VERIFY_SSL,
    CONF_RELEASE_UNREACHABLE,
    DOMAIN,
    ERROR_PRINTER_NOT_READY,
    LOGGER,
    SOURCE_ENTITY,
    SOURCE_IPP,
    SOURCE_LEDM,
)
from ..errors import ReleaseRefusedError
from ..printer import (
    DEFAULT_TIMEOUT,
    IppClient,
    LedmClient,
    PrinterError,
    PrinterInfo,
    PrinterNotSupportedError,
    PrinterState,
    PrinterStatus,
    status_from_entity_state,
    unreachable,
)

#: How often the printer entities are refreshed by polling.
SCAN_INTERVAL: Final = timedelta(seconds=60)
#: How often they are polled while the LEDM event table tells of changes.
EVENTS_SCAN_INTERVAL: Final = timedelta(minutes=10)
#: A status this old (seconds) is still good enough to release on.
MAX_STATUS_AGE: Final = 5.0
#: A long poll that comes back sooner than this (seconds) is followed by a pause.
EVENT_MIN_ROUND: Final = 1.0


class PrinterNotReadyError(ReleaseRefusedError):
    """The release guard's refusal: the printer cannot print now (``reason`` says why)."""

    def __init__(self, status: PrinterStatus) -> None:
        """Refuse because of this status; the reason is the printer's own words."""
        state = status.state
        reason = ", ".join(status.reasons) or str(state)
        super().__init__(
            ERROR_PRINTER_NOT_READY,
            translation_key=(
                "printer_warming_up"
                if state is PrinterState.WARMING_UP
                else "printer_unreachable"
                if state is PrinterState.UNREACHABLE
                else "printer_not_ready"
            ),
            error=reason,
            placeholders={"reason": reason},
        )

    @property
    def reason(self) -> str:
        """Why the printer is not ready (its own words; the event's ``error`` text)."""
        return self.error


def printer_device_identifier(entry_id: str) -> tuple[str, str]:
    """The device-registry identifier of a station's printer."""
    return (DOMAIN, f"{entry_id}_printer")


@callback
def async_remove_printer_device(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Remove the station's printer device and its entities (no readiness source now).

    Left in place they would stay unavailable for good; with a source set again the
    device comes back with the next setup.
    """
    registry = dr.async_get(hass)
    device = registry.async_get_device_by_identifier(
        printer_device_identifier(entry.entry_id), entry.entry_id
    )
    if device is not None:
        registry.async_remove_device(device.id)


class PrinterCoordinator(DataUpdateCoordinator[PrinterStatus | None]):
    """Reads one station's printer status; never fails (an unreadable printer is a state)."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        source: str,
        read: Callable[[], Awaitable[PrinterStatus]],
        *,
        ledm: LedmClient | None = None,
        release_when_unreachable: bool = False,
        configuration_url: str | None = None,
    ) -> None:
        """Create the coordinator; ``read`` raises PrinterError when it cannot read."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} printer",
            update_interval=None if source == SOURCE_ENTITY else SCAN_INTERVAL,
            always_update=False,
        )
        self.source = source
        self._read = read
        self._ledm = ledm
        self.release_when_unreachable = release_when_unreachable
        self.configuration_url = configuration_url
        self._failures = 0
        self._read_at: float | None = None
        self._release_lock = asyncio.Lock()
        self._events_task: asyncio.Task[None] | None = None
        #: Set on shutdown (unload): a read still in flight starts no event follower.
        self._closed = False
        #: None: not tried yet; False: the printer has no usable event table.
        self.events_supported: bool | None = None if ledm is not None else False
        self._info: PrinterInfo | None = None

    # -- reading ---------------------------------------------------------------------

    @override
    async def _async_update_data(self) -> PrinterStatus | None:
        try:
            status = await self._read()
        except PrinterError as err:
            self._failures += 1
            if self._failures == 1 and (
                self.data is None or self.data.state is not PrinterState.UNREACHABLE
            ):
                # A sleeping printer may miss one answer: not offline yet (keep what
                # is known; before the first answer nothing is).
                LOGGER.debug(
                    "Printer did not answer (%s); keeping its last status", err
                )
                return self.data
            if self._failures <= 2:
                LOGGER.warning("The printer cannot be reached: %s", err)
            return unreachable(str(err) or type(err).__name__)
        if self._failures >= 2:
            LOGGER.info("The printer can be reached again")
        self._failures = 0
        self._read_at = time.monotonic()
        if status.info is not None and status.info != self._info:
            self._info = status.info
            self._update_device(status.info)
        self._follow_events()
        return status

    def _update_device(self, info: PrinterInfo) -> None:
        registry = dr.async_get(self.hass)
        device = registry.async_get_device_by_identifier(
            printer_device_identifier(self.config_entry.entry_id),
            self.config_entry.entry_id,
        )
        if device is not None:
            registry.async_update_device(
                device.id,
                manufacturer=info.make,
                model=info.model,
                serial_number=info.serial,
            )

    @property
    def info(self) -> PrinterInfo | None:
        """What the printer said about itself (make, model, serial)."""
        return self._info

    async def async_status_for_release(self) -> PrinterStatus:
        """Return a status at most ``MAX_STATUS_AGE`` old, reading the printer if needed.

        Only a releasable status is reused: a refusal is always based on a fresh read
        (someone who just cleared a jam and taps again must not be refused on old news).
        """
        async with self._release_lock:
            if (
                self.source != SOURCE_ENTITY
                and self.data is not None
                and self.data.releasable
                and self._read_at is not None
                and time.monotonic() - self._read_at <= MAX_STATUS_AGE
            ):
                return self.data
            await self.async_refresh()
            return self.data or unreachable("no status")

    async def async_check_release(self) -> None:
        """The release guard: return to go ahead, raise PrinterNotReadyError to refuse."""
        status = await self.async_status_for_release()
        state = status.state
        if status.releasable:
            return
        if state is PrinterState.UNREACHABLE and self.release_when_unreachable:
            LOGGER.info("Releasing although the printer cannot be reached (as set)")
            return
        raise PrinterNotReadyError(status)

    # -- the LEDM event table --------------------------------------------------------

    @override
    async def async_shutdown(self) -> None:
        """Stop refreshing; the entry cancels the event follower's task."""
        self._closed = True
        await super().async_shutdown()

    def _follow_events(self) -> None:
        if (
            self._closed
            or self._ledm is None
            or self.events_supported is False
            or (self._events_task is not None and not self._events_task.done())
        ):
            return
        self._events_task = self.config_entry.async_create_background_task(
            self.hass, self._async_follow_events(self._ledm), f"{DOMAIN} printer events"
        )

    async def _async_follow_events(self, ledm: LedmClient) -> None:
        """Refresh when the event table changes; poll again if it stops working."""
        etag: str | None = None
        try:
            while True:
                started = time.monotonic()
                new_etag = await ledm.wait_for_event(etag)
                if etag is None:
                    self.events_supported = True
                    self.update_interval = EVENTS_SCAN_INTERVAL
                    LOGGER.debug("Following the printer's event table")
                elif new_etag != etag:
                    await self.async_refresh()
                elif time.monotonic() - started < EVENT_MIN_ROUND:
                    await asyncio.sleep(EVENT_MIN_ROUND)
                etag = new_etag
        except PrinterNotSupportedError:
            self.events_supported = False
            LOGGER.debug("The printer has no usable event table: polling its status")
        except PrinterError as err:
            LOGGER.debug("Event table failed (%s): polling until it answers again", err)
        finally:
            self.update_interval = SCAN_INTERVAL

    # -- the entity source -----------------------------------------------------------

    @callback
    def async_follow_entity(self, entity_id: str) -> Callable[[], None]:
        """Update at once whenever the source entity changes."""

        @callback
        def changed(_event: Event[EventStateChangedData]) -> None:
            self.hass.async_create_task(self.async_refresh(), eager_start=True)

        return async_track_state_change_event(self.hass, [entity_id], changed)


def async_create_printer(
    hass: HomeAssistant, entry: ConfigEntry
) -> PrinterCoordinator | None:
    """Create the station's printer coordinator from its options (None: no source)."""
    options = entry.options
    source = options.get(CONF_PRINTER_SOURCE)
    release_when_unreachable = bool(options.get(CONF_RELEASE_UNREACHABLE, False))
    if source in (SOURCE_LEDM, SOURCE_IPP):
        verify = bool(options.get(CONF_PRINTER_VERIFY_SSL, False))
        try:
            client = make_printer_client(
                hass, source, str(options.get(CONF_PRINTER_URL, "")), verify
            )
        except ValueError:
            # Only a hand-edited entry gets here: the options flow checks the URL.
            LOGGER.error("The printer URL is not valid; set it again in the options")
            return None
        ledm = client if isinstance(client, LedmClient) else None
        return PrinterCoordinator(
            hass,
            entry,
            source,
            client.status,
            ledm=ledm,
            release_when_unreachable=release_when_unreachable,
            configuration_url=ledm.base_url if ledm else None,
        )
    if source == SOURCE_ENTITY:
        entity_id = str(options.get(CONF_PRINTER_ENTITY, ""))
        not_ready = [str(s) for s in options.get(CONF_NOT_READY_STATES, [])]

        async def read_entity() -> PrinterStatus:
            state = hass.states.get(entity_id)
            return status_from_entity_state(
                entity_id, state.state if state else None, not_ready
            )

        coordinator = PrinterCoordinator(
            hass,
            entry,
            source,
            read_entity,
            release_when_unreachable=release_when_unreachable,
        )
        entry.async_on_unload(coordinator.async_follow_entity(entity_id))
        return coordinator
    return None


def make_printer_client(
    hass: HomeAssistant, source: str, url: str, verify_ssl: bool
) -> LedmClient | IppClient:
    """Create the LEDM or IPP client of a printer URL (ValueError for a bad URL)."""
    session = async_get_clientsession(hass, verify_ssl=verify_ssl)
    if source == SOURCE_LEDM:
        return LedmClient(session, url, verify_ssl=verify_ssl, timeout=DEFAULT_TIMEOUT)
    return IppClient(session, url, verify_ssl=verify_ssl, timeout=DEFAULT_TIMEOUT)
