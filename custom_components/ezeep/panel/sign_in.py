"""Signing in at the release panel: the card's subscription, typed IDs and reader scans.

The typed or scanned ID arrives here once per sign-in (``ezeep/panel/sign_in``, or a chosen
reader's ``tag_scanned`` event) and stays in the server's session; the card gets a token.
Refused and failed commands answer with a translated error and log nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import wraps
from typing import Any

from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import (
    async_response,
    websocket_command,
)
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv
import probatio as vol

from ..const import DOMAIN  # noqa: TID252
from ..data import EzeepConfigEntry  # noqa: TID252
from .session import (
    MAX_IDLE_TIMEOUT,
    REASON_SIGN_OUT,
    PanelError,
    PanelSession,
    PanelSubscription,
    async_get_sessions,
    async_read_jobs,
    panel_error,
)

type Handler = Callable[
    [HomeAssistant, ActiveConnection, dict[str, Any]], Awaitable[None]
]

#: Websocket error codes of the release manager's refusals, by translation key.
_CODES = {
    "release_already_releasing": "already_releasing",
    "release_cooldown": "cooldown",
    "release_rate_limited": "rate_limited",
    "printer_not_ready": "printer_not_ready",
    "printer_warming_up": "printer_not_ready",
    "printer_unreachable": "printer_not_ready",
}


def send_error(
    connection: ActiveConnection, msg_id: int, err: HomeAssistantError
) -> None:
    """Answer a command with a translated error (its code for the card's logic)."""
    key = err.translation_key or "server_error"
    code = err.code if isinstance(err, PanelError) else _CODES.get(key, key)
    connection.send_error(
        msg_id,
        code,
        str(err),
        translation_key=key,
        translation_domain=DOMAIN,
        translation_placeholders=err.translation_placeholders,
    )


def panel_command(func: Handler) -> Handler:
    """Answer a refused or failed command with its translated error (nothing is logged)."""

    @wraps(func)
    async def handler(
        hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
    ) -> None:
        try:
            await func(hass, connection, msg)
        except HomeAssistantError as err:
            send_error(connection, msg["id"], err)

    return handler


def _station(hass: HomeAssistant, entry_id: str) -> EzeepConfigEntry:
    entry = hass.config_entries.async_get_entry(entry_id)
    if (
        entry is None
        or entry.domain != DOMAIN
        or entry.state is not ConfigEntryState.LOADED
    ):
        raise panel_error("unknown_station")
    return entry


def _clean_user_id(value: str) -> str:
    user_id = value.strip()
    if not user_id or len(user_id) > 128 or ":" in user_id or not user_id.isprintable():
        raise panel_error("invalid_user_id")
    return user_id


async def _async_sign_in(
    hass: HomeAssistant, entry: EzeepConfigEntry, raw_id: str, sub: PanelSubscription
) -> tuple[PanelSession, dict[str, Any]]:
    """Sign a person in: check the ID, start a session, read their jobs."""
    user_id = _clean_user_id(raw_id)
    sessions = async_get_sessions(hass)
    sessions.unknown.check(entry.entry_id, user_id)
    coordinator = entry.runtime_data.coordinator
    name: str | None = None
    if (subentry_id := coordinator.subentry_of(user_id)) is not None:
        name = entry.subentries[subentry_id].title
        if coordinator.is_unregistered(subentry_id):
            raise panel_error("unknown_user", {"name": name}, key="user_not_registered")
    session = sessions.async_create(
        entry=entry,
        data=entry.runtime_data,
        user_id=user_id,
        connection=sub.connection,
        name=name,
        idle_timeout=sub.idle_timeout,
        send=sub.send,
    )
    try:
        jobs = await async_read_jobs(session)
    except HomeAssistantError:
        sessions.async_end(session, None)
        raise
    return session, jobs


@websocket_command({vol.Required("type"): "ezeep/panel/stations"})
@callback
def ws_stations(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """The loaded stations, for the card editor."""
    stations = [
        {"entry_id": entry.entry_id, "title": entry.title}
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
    ]
    connection.send_result(msg["id"], {"stations": stations})


@websocket_command(
    {
        vol.Required("type"): "ezeep/panel/subscribe",
        vol.Required("entry_id"): str,
        vol.Optional("reader_device_ids", default=list): [str],
        vol.Optional("idle_timeout", default=30): vol.All(
            int, vol.Range(min=5, max=MAX_IDLE_TIMEOUT)
        ),
    }
)
@async_response
@panel_command
async def ws_subscribe(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Subscribe a card to its sessions' events and its readers' scans."""
    entry = _station(hass, msg["entry_id"])
    msg_id: int = msg["id"]

    @callback
    def send(event: dict[str, Any]) -> None:
        connection.send_message(event_message(msg_id, event))

    sub = PanelSubscription(connection, entry.entry_id, msg["idle_timeout"], send)
    readers = frozenset(msg["reader_device_ids"])

    async def scanned(event: Event) -> None:
        await _async_reader_sign_in(hass, entry, sub, str(event.data.get("tag_id", "")))

    @callback
    def from_reader(data: Mapping[str, Any]) -> bool:
        return data.get("device_id") in readers

    unsub_tag = hass.bus.async_listen("tag_scanned", scanned, event_filter=from_reader)

    @callback
    def unsubscribe() -> None:
        unsub_tag()
        sessions = async_get_sessions(hass)
        sessions.subscriptions.remove(sub)
        for session in sessions:
            if session.send is send:
                sessions.async_end(session, None)

    async_get_sessions(hass).subscriptions.append(sub)
    connection.subscriptions[msg_id] = unsubscribe
    connection.send_result(msg_id)


async def _async_reader_sign_in(
    hass: HomeAssistant, entry: EzeepConfigEntry, sub: PanelSubscription, tag_id: str
) -> None:
    """A chosen reader scanned a card: sign its person in at this card (only)."""
    sessions = async_get_sessions(hass)
    for session in sessions:
        if session.send is sub.send:
            sessions.async_end(session, REASON_SIGN_OUT)
    try:
        session, jobs = await _async_sign_in(hass, entry, tag_id, sub)
    except HomeAssistantError as err:
        key = err.translation_key or "server_error"
        sub.send(
            {
                "type": "error",
                "job": None,
                "name": None,
                "code": err.code if isinstance(err, PanelError) else key,
                "error": str(err),
                "translation_key": key,
                "placeholders": err.translation_placeholders or {},
            }
        )
        return
    session.event({"type": "signed_in", "name": session.name, **jobs})


@websocket_command(
    {
        vol.Required("type"): "ezeep/panel/sign_in",
        vol.Required("entry_id"): str,
        vol.Required("user_id"): cv.string,
    }
)
@async_response
@panel_command
async def ws_sign_in(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Sign in with a typed ID."""
    entry = _station(hass, msg["entry_id"])
    sessions = async_get_sessions(hass)
    sub = sessions.subscription(connection, entry.entry_id)
    if sub is not None:  # closing the subscription (or connection) ends the session
        session, jobs = await _async_sign_in(hass, entry, msg["user_id"], sub)
    else:  # a card subscribes first; without it, events go nowhere
        sub = PanelSubscription(connection, entry.entry_id, 30, lambda _event: None)
        session, jobs = await _async_sign_in(hass, entry, msg["user_id"], sub)
        connection.subscriptions[msg["id"]] = lambda: sessions.async_end(session, None)
    connection.send_result(
        msg["id"], {"session": session.token, "name": session.name, **jobs}
    )
