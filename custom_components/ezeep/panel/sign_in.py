"""Signing in at the release panel: the card's subscription, typed IDs and reader scans.

The typed or scanned ID arrives here once per sign-in (``ezeep/panel/sign_in``, or a chosen
reader's ``tag_scanned`` event) and stays in the server's session; the card gets a token.
A reader's value (a chosen reader's scan, or ``sign_in`` with ``source: "reader"`` from a
keyboard-mode reader) is converted with the station's card format; keypad input is not.
Refused and failed commands answer with a translated error (the texts and codes of
errors.py's table) and log nothing.
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
import probatio as vol

from ..card_format import MAX_INPUT as MAX_CARD_FORMAT_INPUT
from ..card_reader import async_remember_scan, convert_tag
from ..const import DOMAIN
from ..data import EzeepConfigEntry
from ..errors import translate_errors
from ..unknown_ids import SHEET_SOURCE
from ..validation import InvalidUserIdError, MissingUserIdError, clean_user_id
from .readers import bound_readers, check_readers, reader_names
from .session import (
    MAX_IDLE_TIMEOUT,
    REASON_SIGN_OUT,
    PanelError,
    PanelSession,
    PanelSubscription,
    async_get_sessions,
    async_read_jobs,
    error_code,
)
from .sign_in_limit import FAILURE_CODES, async_get_limiter

type Handler = Callable[
    [HomeAssistant, ActiveConnection, dict[str, Any]], Awaitable[None]
]

#: Longest ID the panel accepts (a keypad's or a card's, never a paragraph).
MAX_USER_ID = 128


def send_error(
    connection: ActiveConnection, msg_id: int, err: HomeAssistantError
) -> None:
    """Answer a command with a translated error (its code for the card's logic)."""
    connection.send_error(
        msg_id,
        error_code(err),
        str(err),
        translation_key=err.translation_key or "server_error",
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
            with translate_errors():
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
        raise PanelError("unknown_station")
    return entry


def _clean_user_id(value: object) -> str:
    """Return the ID by the integration's rule (and not too long), or refuse it.

    The websocket schema takes any value for the ID and this refuses what is not text:
    a schema error would be logged with the value, and the value is a person's ID.
    """
    try:
        user_id = clean_user_id(value) if isinstance(value, str) else ""
    except InvalidUserIdError:
        user_id = ""
    if not user_id or len(user_id) > MAX_USER_ID:
        raise PanelError("invalid_user_id")
    return user_id


def _reader_id(entry: EzeepConfigEntry, value: object) -> str:
    """Return the ID for a reader's raw value (the station's card format), or refuse it.

    A value the format cannot convert raises ``card_not_convertible`` (nothing is sent).
    """
    if not isinstance(value, str) or len(value) > MAX_CARD_FORMAT_INPUT:
        raise PanelError("invalid_user_id")
    try:
        return _clean_user_id(convert_tag(entry, value))
    except MissingUserIdError:
        raise PanelError("invalid_user_id") from None


async def _async_sign_in(
    hass: HomeAssistant,
    entry: EzeepConfigEntry,
    raw_id: object,
    sub: PanelSubscription,
    *,
    reader: bool,
    device: str | None = None,
) -> tuple[PanelSession, dict[str, Any]]:
    """Sign a person in at a card: check the ID, start a session, read their jobs.

    A reader's value (``reader``) is converted with the station's card format first; an ID
    typed on the keypad is taken as typed.

    Only the card's newest sign-in succeeds: a scan ends the card's sessions when it starts,
    any sign-in ends them when it succeeds. One ended while its jobs were read (by a newer
    sign-in, sign-out or idle) refuses with ``session_expired``: no dead token is sent.
    Failed guesses count towards the user's and connection's limit (sign_in_limit.py);
    registration sheets towards the source's: the reader ``device`` that scanned, else
    the user at the card.
    """
    limiter = async_get_limiter(hass)
    limiter.check(sub.connection)  # before anything, the ID's check included
    source = SHEET_SOURCE.set(
        f"reader:{device}" if device else f"user:{sub.connection.user.id}"
    )
    try:
        session, jobs = await _async_start_session(
            hass, entry, raw_id, sub, reader=reader
        )
    except HomeAssistantError as err:
        if error_code(err) in FAILURE_CODES:
            limiter.async_failed(sub.connection)
        raise
    finally:
        SHEET_SOURCE.reset(source)
    limiter.async_succeeded(sub.connection)
    return session, jobs


async def _async_start_session(
    hass: HomeAssistant,
    entry: EzeepConfigEntry,
    raw_id: object,
    sub: PanelSubscription,
    *,
    reader: bool,
) -> tuple[PanelSession, dict[str, Any]]:
    """Check the ID, start a session and read the jobs (see :func:`_async_sign_in`)."""
    user_id = _reader_id(entry, raw_id) if reader else _clean_user_id(raw_id)
    sessions = async_get_sessions(hass)
    person = entry.runtime_data.people.of(user_id)
    name = person.name if person is not None else None
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
    sessions.check_alive(session)
    sessions.async_end_card(sub.send, REASON_SIGN_OUT, keep=session)
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
    {vol.Required("type"): "ezeep/panel/readers", vol.Required("entry_id"): str}
)
@async_response
@panel_command
async def ws_readers(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """The readers bound to the calling user at a station, for the card's editor."""
    entry = _station(hass, msg["entry_id"])
    readers = reader_names(hass, bound_readers(entry, connection))
    connection.send_result(msg["id"], {"readers": readers})


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
    """Subscribe a card to its sessions' events and its bound readers' scans.

    Readers not bound to the calling user are refused; no list: all bound ones.
    """
    entry = _station(hass, msg["entry_id"])
    msg_id: int = msg["id"]

    @callback
    def send(event: dict[str, Any]) -> None:
        connection.send_message(event_message(msg_id, event))

    readers = check_readers(entry, connection, msg["reader_device_ids"])
    sub = PanelSubscription(connection, entry.entry_id, msg["idle_timeout"], send)

    async def scanned(event: Event) -> None:
        await _async_reader_sign_in(hass, entry, sub, event.data)

    @callback
    def from_reader(data: Mapping[str, Any]) -> bool:
        # Bound now too: an admin may have unbound the reader since.
        device_id = data.get("device_id")
        return device_id in readers and device_id in bound_readers(entry, connection)

    unsub_tag = hass.bus.async_listen("tag_scanned", scanned, event_filter=from_reader)

    @callback
    def unsubscribe() -> None:
        unsub_tag()
        sessions = async_get_sessions(hass)
        sessions.subscriptions.remove(sub)
        sessions.async_end_card(send, None)

    async_get_sessions(hass).subscriptions.append(sub)
    connection.subscriptions[msg_id] = unsubscribe
    connection.send_result(msg_id)


async def _async_reader_sign_in(
    hass: HomeAssistant,
    entry: EzeepConfigEntry,
    sub: PanelSubscription,
    scan: Mapping[str, Any],
) -> None:
    """A chosen reader scanned a card (``scan``: tag_scanned's data): sign in here only."""
    tag_id, device = scan.get("tag_id", ""), str(scan.get("device_id"))
    async_get_sessions(hass).async_end_card(sub.send, REASON_SIGN_OUT)
    try:
        # The station may have been unloaded since the card subscribed.
        entry = _station(hass, entry.entry_id)
        session, jobs = await _async_sign_in(
            hass, entry, tag_id, sub, reader=True, device=device
        )
    except HomeAssistantError as err:
        if error_code(err) == "session_expired":
            return  # a newer sign-in at this card (or its end) overtook this one
        sub.send(
            {
                "type": "error",
                "job": None,
                "name": None,
                "code": error_code(err),
                "error": str(err),
                "translation_key": err.translation_key or "server_error",
                "placeholders": err.translation_placeholders or {},
            }
        )
        return
    session.event({"type": "signed_in", "name": session.name, **jobs})


@websocket_command(
    {
        vol.Required("type"): "ezeep/panel/sign_in",
        vol.Required("entry_id"): str,
        vol.Required("user_id"): object,  # checked by _clean_user_id, never logged
        # "reader": typed by a keyboard-mode card reader (converted with the card format).
        vol.Optional("source", default="keypad"): vol.In(["keypad", "reader"]),
    }
)
@async_response
@panel_command
async def ws_sign_in(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Sign in with an ID typed on the keypad, or by a keyboard-mode card reader."""
    entry = _station(hass, msg["entry_id"])
    reader = msg["source"] == "reader"
    if reader:
        async_remember_scan(hass, msg["user_id"])  # for the options' live test
    sessions = async_get_sessions(hass)
    sub = sessions.subscription(connection, entry.entry_id)
    if sub is not None:  # closing the subscription (or connection) ends the session
        session, jobs = await _async_sign_in(
            hass, entry, msg["user_id"], sub, reader=reader
        )
    else:  # a card subscribes first; without it, events go nowhere
        sub = PanelSubscription(connection, entry.entry_id, 30, lambda _event: None)
        session, jobs = await _async_sign_in(
            hass, entry, msg["user_id"], sub, reader=reader
        )
        connection.subscriptions[msg["id"]] = lambda: sessions.async_end(session, None)
    connection.send_result(
        msg["id"], {"session": session.token, "name": session.name, **jobs}
    )
