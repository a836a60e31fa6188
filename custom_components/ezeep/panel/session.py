"""Sign-in sessions of the release panel: who is signed in at which browser, until when.

The typed or scanned ID stays here, on the server: the browser holds only an opaque token. A
session belongs to one websocket connection and its Home Assistant user, and ends on sign-out,
when that connection closes, or after its idle timeout (never while its release runs). No ID is
ever logged; people the server did not know are remembered by a salted hash only.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
import hashlib
import secrets
import time
from typing import Any

from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later
from homeassistant.util.hass_dict import HassKey

from ..const import CONF_PRINTER_ID, DOMAIN  # noqa: TID252
from ..data import EzeepConfigEntry, EzeepData  # noqa: TID252
from ..tpfm import (  # noqa: TID252
    Job,
    JobList,
    TpfmAuthError,
    TpfmCommandError,
    TpfmError,
    TpfmJobNotFoundError,
    TpfmUserNotAllowedError,
)

#: Longest idle timeout a card may ask for (seconds).
MAX_IDLE_TIMEOUT = 600
#: Signed out this long after the release finished, unless the person does something.
RELEASED_SIGN_OUT = 5.0
#: An ID the server did not know is not asked about again for this long (seconds): each
#: ask prints a registration sheet. The station-wide limits of issue 11 come on top.
UNKNOWN_HOLD_OFF = 300.0
#: How many unknown IDs are remembered (oldest forgotten first).
UNKNOWN_MEMORY = 1024

REASON_IDLE = "idle"
REASON_SIGN_OUT = "sign_out"
REASON_RELEASED = "released"

#: Sends an event to the card's subscription (the message's ``event``).
type EventSink = Callable[[dict[str, Any]], None]


class PanelError(HomeAssistantError):
    """A panel command refused or failed; ``code`` is the websocket error code."""

    code = "server_error"


def panel_error(
    code: str, placeholders: dict[str, str] | None = None, *, key: str | None = None
) -> PanelError:
    """A panel error; its translation key is ``key``, or else its code."""
    err = PanelError(
        translation_domain=DOMAIN,
        translation_key=key or code,
        translation_placeholders=placeholders,
    )
    err.code = code
    return err


def job_dict(job: Job) -> dict[str, Any]:
    """A job as the card gets it (never the person's ID)."""
    return {
        "job": job.file_name,
        "name": job.name,
        "size": job.size,
        "created": job.created.isoformat(),
        "on_hold": job.on_hold,
    }


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
    #: The latest job list read for this person, by file name, oldest first.
    jobs: dict[str, Job] = field(default_factory=dict)
    visible: bool = False
    #: File names of the release in flight (queued or printing).
    releasing: set[str] = field(default_factory=set)
    timer: CALLBACK_TYPE | None = None
    unsubs: list[CALLBACK_TYPE] = field(default_factory=list)

    def set_jobs(self, job_list: JobList) -> dict[str, Any]:
        """Remember a fresh job list; return it as the card gets it."""
        jobs = sorted(job_list.jobs, key=lambda job: job.created)
        self.jobs = {job.file_name: job for job in jobs}
        self.visible = job_list.visible
        return {
            "jobs": [job_dict(job) for job in jobs],
            "selectable": self.visible,
        }

    def job(self, file_name: str, *, selecting: bool = True) -> Job:
        """A job of the latest list that the person may act on singly."""
        if selecting and not self.visible:
            raise panel_error("selection_not_allowed")
        if (job := self.jobs.get(file_name)) is None:
            raise panel_error("job_not_found")
        return job

    def event(self, event: dict[str, Any]) -> None:
        """Send an event about this session to its card."""
        self.send({**event, "session": self.token})


def tpfm_error(session: PanelSession, err: TpfmError) -> PanelError:
    """The panel error for a failed TPFM request of this session's person."""
    if isinstance(err, TpfmUserNotAllowedError):
        # The server printed a registration sheet: ask about this ID no more for a while.
        session.data.coordinator.async_mark_unregistered(session.user_id)
        async_get_sessions(session.connection.hass).unknown.remember(
            session.entry.entry_id, session.user_id
        )
        return panel_error("unknown_user")
    if isinstance(err, TpfmAuthError):
        session.entry.async_start_reauth(session.connection.hass)
        return panel_error("auth_failed")
    if isinstance(err, TpfmJobNotFoundError):
        return panel_error("job_not_found")
    if isinstance(err, TpfmCommandError):
        return panel_error("server_error", {"error": err.error_text or str(err.code)})
    return panel_error("cannot_connect")


async def async_read_jobs(session: PanelSession) -> dict[str, Any]:
    """Read the person's jobs (held ones too) from the server now."""
    printer = session.entry.data.get(CONF_PRINTER_ID) or None
    try:
        job_list = await session.data.client.get_jobs_with_held(
            session.user_id, printer=printer
        )
    except TpfmError as err:
        raise tpfm_error(session, err) from err
    return session.set_jobs(job_list)


class UnknownIds:
    """IDs the server did not know, by salted hash, each for a hold-off (bounded)."""

    def __init__(self) -> None:
        """Create an empty memory with a salt of this run."""
        self._salt = secrets.token_bytes(16)
        self._until: OrderedDict[bytes, float] = OrderedDict()

    def _key(self, entry_id: str, user_id: str) -> bytes:
        data = f"{entry_id}\0{user_id}".encode()
        return hashlib.blake2b(data, key=self._salt, digest_size=16).digest()

    def remember(self, entry_id: str, user_id: str) -> None:
        """Note that the server did not know this ID."""
        key = self._key(entry_id, user_id)
        self._until[key] = time.monotonic() + UNKNOWN_HOLD_OFF
        self._until.move_to_end(key)
        while len(self._until) > UNKNOWN_MEMORY:
            self._until.popitem(last=False)

    def check(self, entry_id: str, user_id: str) -> None:
        """Refuse an ID within its hold-off, saying when to try again."""
        key = self._key(entry_id, user_id)
        until = self._until.get(key)
        if until is None:
            return
        left = until - time.monotonic()
        if left <= 0:
            del self._until[key]
            return
        raise panel_error(
            "unknown_user",
            {"minutes": str(int(left // 60) + 1)},
            key="unknown_user_hold_off",
        )


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
        self.unknown = UnknownIds()

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
        def release_changed() -> None:
            if session.releasing and not releases.state(session.user_id).running:
                session.releasing.clear()
                self._hass.async_create_task(self._async_released(session))

        session.unsubs.append(
            releases.async_add_listener(session.user_id, release_changed)
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
            raise panel_error("session_expired")
        if (
            session.entry.state is not ConfigEntryState.LOADED
            or session.entry.runtime_data is not session.data
        ):
            # The station was unloaded or reloaded since the sign-in.
            self.async_end(session, None)
            raise panel_error("session_expired")
        return session

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
        """The release finished: send the fresh list, sign out a few seconds later."""
        if session.token not in self._sessions:
            return
        try:
            jobs = await async_read_jobs(session)
        except HomeAssistantError:
            jobs = None
        if session.token in self._sessions:
            if jobs is not None:
                session.event({"type": "jobs", **jobs})
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
        session.jobs.clear()
        if reason is not None:
            session.event({"type": "signed_out", "reason": reason})


PANEL_SESSIONS: HassKey[PanelSessions] = HassKey(f"{DOMAIN}_panel_sessions")


def async_get_sessions(hass: HomeAssistant) -> PanelSessions:
    """The panel sessions of this Home Assistant (created on first use)."""
    if (sessions := hass.data.get(PANEL_SESSIONS)) is None:
        sessions = hass.data[PANEL_SESSIONS] = PanelSessions(hass)
    return sessions
