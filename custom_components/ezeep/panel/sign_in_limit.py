"""A limit on guessing IDs at the release panel: failed sign-ins per user and connection.

Checked before anything is sent: at most :data:`MAX_FAILURES` failed sign-ins (an ID that
is not valid or a reader value the card format cannot convert, unknown to the server, refused by the unknown-ID guard, or a configured
person the server does not know) per :data:`FAILURE_WINDOW` seconds, counted for the
Home Assistant user and for the websocket connection alike (typed, keyboard reader or
bound reader). Then every sign-in there is refused for a wait that doubles with each
lockout (30 s, 60 s, ... at most 15 min); a successful sign-in resets it. While a user
is locked out an admin sees a repair issue naming that user (never an ID). In memory
only: a restart forgets it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
import math
import time

from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN
from .session import PanelError

#: Failed sign-ins allowed per window before a lockout.
MAX_FAILURES = 5
#: The window of failed sign-ins (seconds).
FAILURE_WINDOW = 60.0
#: The first lockout (seconds); each further one doubles, up to MAX_WAIT.
FIRST_WAIT = 30.0
MAX_WAIT = 900.0
#: Error codes of a sign-in that count as a failed guess.
FAILURE_CODES = frozenset(
    {"invalid_user_id", "card_not_convertible", "unknown_user", "user_not_registered"}
)

type _Key = tuple[str, str]


def sign_in_locked_issue_id(ha_user_id: str) -> str:
    """The repair issue of a Home Assistant user whose sign-ins are locked out."""
    return f"sign_in_locked_{ha_user_id}"


class SignInLockedError(PanelError):
    """Too many failed sign-ins: refused for ``seconds`` more."""

    def __init__(self, seconds: int) -> None:
        """Refuse for ``seconds`` (shown by the card)."""
        super().__init__("sign_in_locked", {"seconds": str(seconds)})
        self.seconds = seconds


@dataclass(slots=True)
class _Record:
    """The failed sign-ins of one user or connection (monotonic times)."""

    failures: deque[float] = field(default_factory=deque)
    #: Lockouts since the last success; the next wait is FIRST_WAIT * 2 ** level.
    level: int = 0
    until: float = 0.0
    #: Whose record it is (the connection, for a connection's: ids are reused).
    owner: object = None


class SignInLimiter:
    """Counts failed panel sign-ins per Home Assistant user and per connection."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Create the (empty) limiter (use :func:`async_get_limiter`)."""
        self._hass = hass
        self._records: dict[_Key, _Record] = {}
        self._issue_timers: dict[str, CALLBACK_TYPE] = {}
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._async_stop)

    @staticmethod
    def _keys(connection: ActiveConnection) -> tuple[_Key, _Key]:
        return ("user", connection.user.id), ("connection", str(id(connection)))

    def _record(self, key: _Key, connection: ActiveConnection) -> _Record | None:
        """The record of a key; a closed connection's (same id, other owner) is none."""
        record = self._records.get(key)
        owner = connection if key[0] == "connection" else connection.user.id
        return record if record is not None and record.owner == owner else None

    def check(self, connection: ActiveConnection) -> None:
        """Refuse a sign-in while the user or the connection is locked out.

        Raises:
            SignInLockedError: with the seconds left of the longest lockout.

        """
        now = time.monotonic()
        left = max(
            (
                record.until - now
                for key in self._keys(connection)
                if (record := self._record(key, connection)) is not None
            ),
            default=0.0,
        )
        if left > 0:
            raise SignInLockedError(math.ceil(left))

    @callback
    def async_failed(self, connection: ActiveConnection) -> None:
        """Count a failed sign-in; lock out where it was one too many."""
        now = time.monotonic()
        self._forget_idle(now)
        for key in self._keys(connection):
            if (record := self._record(key, connection)) is None:
                owner = connection if key[0] == "connection" else connection.user.id
                record = self._records[key] = _Record(owner=owner)
            record.failures.append(now)
            while now - record.failures[0] >= FAILURE_WINDOW:
                record.failures.popleft()
            if len(record.failures) < MAX_FAILURES:
                continue
            wait = min(FIRST_WAIT * 2**record.level, MAX_WAIT)
            record.until, record.level = now + wait, record.level + 1
            record.failures.clear()
            if key[0] == "user":
                self._async_open_issue(connection, wait)

    @callback
    def async_succeeded(self, connection: ActiveConnection) -> None:
        """A sign-in succeeded: its user and connection start over."""
        for key in self._keys(connection):
            self._records.pop(key, None)

    def _forget_idle(self, now: float) -> None:
        """Drop records with nothing left to remember (closed connections, old users).

        Also how the doubling starts over: 15 quiet minutes after a lockout ended.
        """
        for key, record in list(self._records.items()):
            quiet = not record.failures or now - record.failures[-1] >= FAILURE_WINDOW
            if quiet and now - record.until > MAX_WAIT:
                del self._records[key]

    @callback
    def _async_open_issue(self, connection: ActiveConnection, wait: float) -> None:
        """Tell admins who is locked out, and for how long; close it when it ends."""
        user = connection.user
        issue_id = sign_in_locked_issue_id(user.id)
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="sign_in_locked",
            translation_placeholders={
                "user": user.name or "?",
                "minutes": str(max(1, math.ceil(wait / 60))),
            },
        )
        if (cancel := self._issue_timers.pop(issue_id, None)) is not None:
            cancel()

        @callback
        def close(_now: object) -> None:
            self._issue_timers.pop(issue_id, None)
            ir.async_delete_issue(self._hass, DOMAIN, issue_id)

        self._issue_timers[issue_id] = async_call_later(self._hass, wait, close)

    @callback
    def _async_stop(self, _event: Event) -> None:
        """Home Assistant stops: no timer outlives it."""
        for cancel in self._issue_timers.values():
            cancel()
        self._issue_timers.clear()


LIMITER_KEY: HassKey[SignInLimiter] = HassKey(f"{DOMAIN}_sign_in_limiter")


@callback
def async_get_limiter(hass: HomeAssistant) -> SignInLimiter:
    """The sign-in limiter of this Home Assistant (created on first use)."""
    if (limiter := hass.data.get(LIMITER_KEY)) is None:
        limiter = hass.data[LIMITER_KEY] = SignInLimiter(hass)
    return limiter
