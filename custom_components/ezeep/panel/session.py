"""Sign-in sessions of the release panel: who is signed in at which browser, until when.

The typed or scanned ID stays here, on the server: the browser holds only an opaque token. A
session belongs to one websocket connection and its Home Assistant user, and ends on sign-out,
when that connection closes, or after its idle timeout (never while its release runs). No ID is
ever logged. Unknown IDs are held off by the station's guard (see unknown_ids.py), which
every request of the station's client passes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import secrets
from typing import Any

from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN
from ..data import EzeepConfigEntry, EzeepData
from ..errors import ReleaseRefusedError, event_code, translate_errors
from ..jobs import async_get_jobs
from ..release import ReleaseEvent
from ..tpfm import TpfmError
from .events import panel_event

#: Longest idle timeout a card may ask for (seconds).
MAX_IDLE_TIMEOUT = 600
#: Signed out this long after the release finished, unless the person does something.
RELEASED_SIGN_OUT = 5.0

REASON_IDLE = "idle"
REASON_SIGN_OUT = "sign_out"
REASON_RELEASED = "released"

#: Sends an event to the card's subscription (the message's ``event``).
type EventSink = Callable[[dict[str, Any]], None]


class PanelError(HomeAssistantError):
    """A panel command refused; ``code`` is the websocket error code (its key too)."""

    def __init__(self, code: str, placeholders: dict[str, str] | None = None) -> None:
        """Refuse with ``code``, also the translation key of the message."""
        super().__init__(
            translation_domain=DOMAIN,
            translation_key=code,
            translation_placeholders=placeholders,
        )
        self.code = code


def error_code(err: HomeAssistantError) -> str:
    """Return the websocket error code of a refused or failed command (the card's logic).

    A refusal's own code, else the ``ezeep_print_error`` code of the server error
    (:func:`~..errors.event_code`), else the translation key.
    """
    if isinstance(err, (PanelError, ReleaseRefusedError)):
        return err.code
    cause = err.__cause__
    if isinstance(cause, TpfmError) and isinstance(code := event_code(cause), str):
        return code
    return err.translation_key or "server_error"


@dataclass(eq=False)
class PanelSession:
    """One person signed in at one panel."""

    token: str
    entry: EzeepConfigEntry
    data: EzeepData
    user_id: str
    connection: ActiveConnection
    name: str | None
    idle_timeout: float
    send: EventSink
    #: A release started at this panel is in flight (being admitted, queued or printing).
    releasing: bool = False
    #: Release commands still being admitted and read (their end is the command's).
    admitting: int = 0
    timer: CALLBACK_TYPE | None = None
    unsubs: list[CALLBACK_TYPE] = field(default_factory=list)

    def event(self, event: dict[str, Any]) -> None:
        """Send an event about this session to its card."""
        self.send({**event, "session": self.token})

    def release_started(self) -> bool:
        """A release command starts: the session is releasing; return what was there."""
        was = self.releasing
        self.releasing = True
        self.admitting += 1
        return was

    def release_ended(self, was: bool, *, queued: bool) -> None:
        """A release command ended; ``queued``: it started printing.

        A refused (or empty) command restores what was there, and never clears the
        flag of an earlier release still being admitted or printing: the idle timer
        must not sign the person out in the middle of it.
        """
        self.admitting -= 1
        running = self.data.releases.state(self.user_id).running
        self.releasing = queued or (was and (self.admitting > 0 or running))


async def async_read_jobs(session: PanelSession) -> dict[str, Any]:
    """Read the person's jobs (held ones too) from the server now, as the card gets them."""
    with translate_errors():
        return await async_get_jobs(session.entry, session.user_id)


@dataclass(eq=False)
class PanelSubscription:
    """A card's event subscription: where the events of its sessions go."""

    connection: ActiveConnection
    entry_id: str
    idle_timeout: int
    send: EventSink


class PanelSessions:
    """Every panel session and card subscription of this Home Assistant."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Create the (empty) registry."""
        self._hass = hass
        self._sessions: dict[str, PanelSession] = {}
        self.subscriptions: list[PanelSubscription] = []

    def subscription(
        self, connection: ActiveConnection, entry_id: str
    ) -> PanelSubscription | None:
        """The latest subscription of this connection to this station's panel."""
        for sub in reversed(self.subscriptions):
            if sub.connection is connection and sub.entry_id == entry_id:
                return sub
        return None

    def __iter__(self) -> Any:
        """The sessions (a copy: ending one while iterating is fine)."""
        return iter(list(self._sessions.values()))

    @callback
    def async_create(self, **kwargs: Any) -> PanelSession:
        """Start a session and its idle timer."""
        session = PanelSession(token=secrets.token_urlsafe(24), **kwargs)
        self._sessions[session.token] = session
        releases = session.entry.runtime_data.releases

        @callback
        def release_changed(event: ReleaseEvent | None) -> None:
            if event is not None:
                if (out := panel_event(event)) is not None:
                    session.event(out)
                return
            running = releases.state(session.user_id).running
            if running and not session.releasing:
                # A release started elsewhere (a button, an automation): the same truth.
                session.releasing = True
                session.event({"type": "release_started"})
            elif session.releasing and not session.admitting and not running:
                session.releasing = False
                self._hass.async_create_task(self._async_released(session))

        session.unsubs.append(
            releases.states.async_add_listener(session.user_id, release_changed)
        )
        self.async_touch(session)
        return session

    def get(self, connection: ActiveConnection, token: str) -> PanelSession:
        """The session of this token, when it belongs to this connection and user."""
        session = self._sessions.get(token)
        if (
            session is None
            or session.connection is not connection
            or connection.user is None
            or session.connection.user is not connection.user
        ):
            raise PanelError("session_expired")
        if (
            session.entry.state is not ConfigEntryState.LOADED
            or session.entry.runtime_data is not session.data
        ):
            # The station was unloaded or reloaded since the sign-in.
            self.async_end(session, None)
            raise PanelError("session_expired")
        return session

    def check_alive(self, session: PanelSession) -> None:
        """Refuse when the session ended meanwhile (sign-out, idle, a newer sign-in)."""
        if self._sessions.get(session.token) is not session:
            raise PanelError("session_expired")

    @callback
    def async_end_card(
        self, send: EventSink, reason: str | None, keep: PanelSession | None = None
    ) -> None:
        """End every session of one card (its subscription's ``send``) but ``keep``."""
        for session in self:
            if session.send is send and session is not keep:
                self.async_end(session, reason)

    @callback
    def async_touch(self, session: PanelSession, delay: float | None = None) -> None:
        """Restart the idle timer (``delay``: a shorter one, after a release)."""
        if session.timer is not None:
            session.timer()
        reason = REASON_IDLE if delay is None else REASON_RELEASED

        @callback
        def expire(_now: Any) -> None:
            session.timer = None
            if session.releasing:
                self.async_touch(session)  # never while the release runs
            else:
                self.async_end(session, reason)

        session.timer = async_call_later(
            self._hass, session.idle_timeout if delay is None else delay, expire
        )

    async def _async_released(self, session: PanelSession) -> None:
        """A release ended: send its end and the fresh list, sign out a few seconds later."""
        if session.token not in self._sessions:
            return
        try:
            jobs = await async_read_jobs(session)
        except HomeAssistantError:
            jobs = {}  # the end is told all the same, without a list
        if session.token in self._sessions:
            session.event({"type": "release_finished", **jobs})
            self.async_touch(session, min(RELEASED_SIGN_OUT, session.idle_timeout))

    @callback
    def async_end(self, session: PanelSession, reason: str | None) -> None:
        """End a session (``reason`` None: tell the card nothing, it is gone)."""
        if self._sessions.pop(session.token, None) is None:
            return
        if session.timer is not None:
            session.timer()
            session.timer = None
        for unsub in session.unsubs:
            unsub()
        session.unsubs.clear()
        if reason is not None:
            session.event({"type": "signed_out", "reason": reason})


PANEL_SESSIONS: HassKey[PanelSessions] = HassKey(f"{DOMAIN}_panel_sessions")


def async_get_sessions(hass: HomeAssistant) -> PanelSessions:
    """The panel sessions of this Home Assistant (created on first use)."""
    if (sessions := hass.data.get(PANEL_SESSIONS)) is None:
        sessions = hass.data[PANEL_SESSIONS] = PanelSessions(hass)
    return sessions
