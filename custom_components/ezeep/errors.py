"""The integration's errors and how each is reported (one seam per direction).

:data:`ERRORS` is the one table: for each error type of the TPFM client, of the
integration's own refusals and of the user-ID rule, the ``code`` of the
``ezeep_print_error`` event, the translation key of the service or button error, and the
error key of a config flow form. The integration branches on these types, never on the
server's integer codes.

Contract shared by the release code and the printer guard: a release refused before
anything was sent to the server raises :class:`ReleaseRefusedError` with its event
``code``; the release manager fires ``ezeep_print_error`` with that code and ``error``
text, and the service or button shows the translated message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Final

from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed

from .const import (
    DOMAIN,
    ERROR_AUTH,
    ERROR_BUSY,
    ERROR_CONNECTION,
    ERROR_COOLDOWN,
    ERROR_PROTOCOL,
    ERROR_RATE_LIMITED,
    ERROR_STREAM,
    ERROR_TIMEOUT,
    ERROR_UNKNOWN_USER,
)
from .tpfm import (
    TpfmAuthError,
    TpfmCommandError,
    TpfmError,
    TpfmJobNotFoundError,
    TpfmParseError,
    TpfmServerOsError,
    TpfmStreamError,
    TpfmTimeoutError,
    TpfmUserNotAllowedError,
)
from .validation import InvalidUserIdError, MissingUserIdError


class ReleaseRefusedError(HomeAssistantError):
    """A release was refused before anything was sent to the server."""

    def __init__(
        self,
        code: str,
        *,
        translation_key: str,
        error: str | None = None,
        placeholders: Mapping[str, str] | None = None,
    ) -> None:
        """Refuse with an event ``code``, a translation key and the event's ``error`` text."""
        super().__init__(
            translation_domain=DOMAIN,
            translation_key=translation_key,
            translation_placeholders=dict(placeholders) if placeholders else None,
        )
        self.code = code
        self.error = error if error is not None else code.replace("_", " ")


class ReleaseBusyError(ReleaseRefusedError):
    """This person's jobs are being released already."""

    def __init__(self) -> None:
        """Refuse: one release of a person at a time."""
        super().__init__(ERROR_BUSY, translation_key="release_already_releasing")


class ReleaseCooldownError(ReleaseRefusedError):
    """This person's jobs were released a moment ago."""

    def __init__(self, seconds: int) -> None:
        """Refuse for ``seconds`` more."""
        super().__init__(
            ERROR_COOLDOWN,
            translation_key="release_cooldown",
            placeholders={"seconds": str(seconds)},
        )


class ReleaseRateLimitedError(ReleaseRefusedError):
    """The station started its limit of releases in the rate window."""

    def __init__(self, limit: int) -> None:
        """Refuse: ``limit`` releases were started in the last minute."""
        super().__init__(
            ERROR_RATE_LIMITED,
            translation_key="release_rate_limited",
            placeholders={"limit": str(limit)},
        )


class JobActionRefusedError(ServiceValidationError):
    """A single-job action was refused before anything was sent to the server."""

    def __init__(self, translation_key: str) -> None:
        """Refuse with a translation key (the message names no job and no ID)."""
        super().__init__(translation_domain=DOMAIN, translation_key=translation_key)


class SelectionNotAllowedError(JobActionRefusedError):
    """The server's latest list for the person did not allow single-job actions."""

    def __init__(self) -> None:
        """Refuse: the server sent no ``X-FMP-Visible: 1``."""
        super().__init__("selection_not_allowed")


class JobNotListedError(JobActionRefusedError):
    """A job is not in the server's latest list for the person."""

    def __init__(self) -> None:
        """Refuse: no such job."""
        super().__init__("job_not_found")


class JobPrintingError(JobActionRefusedError):
    """A job is being released: it cannot be deleted or held."""

    def __init__(self) -> None:
        """Refuse: the job is printing or queued in a release."""
        super().__init__("job_printing")


class UnknownUserRefusedError(TpfmUserNotAllowedError):
    """Not sent to the server: an unknown ID would print another registration sheet.

    A :class:`TpfmUserNotAllowedError` (X-FMP-Return 3) that never reached the server, so
    every path that copes with an unknown ID copes with it. Raised by the station's
    :class:`~.unknown_ids.UnknownIdGuard`.
    """

    def __init__(self, minutes: int, error_text: str) -> None:
        """Refuse for about ``minutes`` more (at least 1)."""
        super().__init__(error_text=error_text)
        self.minutes = max(1, minutes)

    @property
    def placeholders(self) -> dict[str, str]:
        """The placeholders of the translated message."""
        return {"minutes": str(self.minutes)}


class UnknownUserHeldOffError(UnknownUserRefusedError):
    """The server did not know this ID a moment ago (it printed a registration code)."""

    def __init__(self, minutes: int) -> None:
        """Refuse for about ``minutes`` more."""
        super().__init__(minutes, "not sent: the server did not know this ID just now")


class UnknownCardsLimitError(UnknownUserRefusedError):
    """The station printed its limit of registration sheets in the last hour."""

    def __init__(self, minutes: int) -> None:
        """Refuse IDs not known to be registered for about ``minutes`` more."""
        super().__init__(minutes, "not sent: too many unknown cards at this station")


@dataclass(frozen=True, slots=True)
class ErrorMapping:
    """How one type of error is reported."""

    error: type[Exception]
    #: The ``code`` of ``ezeep_print_error``; None: the server's X-FMP-Return number.
    code: str | None
    #: The error a service call or button press raises (translated).
    service_error: Callable[..., HomeAssistantError]
    #: Error key of a config flow form (None: no form meets this error).
    flow_key: str | None = None
    #: The failure belongs to that one job: a release goes on with the next job.
    per_job: bool = False


def _row(
    error: type[Exception],
    code: str | None,
    translation_key: str,
    flow_key: str | None = None,
    *,
    per_job: bool = False,
    invalid_input: bool = False,
) -> ErrorMapping:
    """Return a row of :data:`ERRORS`; bad input raises a ServiceValidationError."""
    service_error = partial(
        ServiceValidationError if invalid_input else HomeAssistantError,
        translation_domain=DOMAIN,
        translation_key=translation_key,
    )
    return ErrorMapping(error, code, service_error, flow_key, per_job)


#: The first row whose type matches an error applies: subclasses come first. Refusals
#: (:class:`ReleaseRefusedError`) carry their own code and translation key (see above).
ERRORS: Final[tuple[ErrorMapping, ...]] = (
    # Refused before sending (see UnknownIdGuard); the server was not asked.
    _row(
        UnknownUserHeldOffError,
        ERROR_UNKNOWN_USER,
        "unknown_user_hold_off",
        "unknown_user",
    ),
    _row(
        UnknownCardsLimitError,
        ERROR_UNKNOWN_USER,
        "unknown_cards_limit",
        "unknown_user",
    ),
    _row(TpfmUserNotAllowedError, None, "unknown_user", "unknown_user"),
    # An OS error on the server, a job file gone: the other jobs are still tried.
    _row(TpfmServerOsError, None, "server_error", "cannot_connect", per_job=True),
    _row(TpfmJobNotFoundError, None, "server_error", "cannot_connect", per_job=True),
    _row(TpfmCommandError, None, "server_error", "cannot_connect"),
    _row(TpfmAuthError, ERROR_AUTH, "auth_failed", "invalid_auth"),
    _row(TpfmStreamError, ERROR_STREAM, "cannot_connect", "cannot_connect"),
    _row(TpfmTimeoutError, ERROR_TIMEOUT, "cannot_connect", "cannot_connect"),
    _row(TpfmParseError, ERROR_PROTOCOL, "cannot_connect", "not_tpfm"),
    _row(TpfmError, ERROR_CONNECTION, "cannot_connect", "cannot_connect"),
    _row(
        MissingUserIdError, None, "missing_user", "invalid_user_id", invalid_input=True
    ),
    _row(
        InvalidUserIdError,
        None,
        "invalid_user_id",
        "invalid_user_id",
        invalid_input=True,
    ),
)


def _row_of(err: TpfmError | InvalidUserIdError) -> ErrorMapping:
    """Return the row of :data:`ERRORS` for an error (every such error has one)."""
    return next(row for row in ERRORS if isinstance(err, row.error))


def event_code(err: TpfmError | ReleaseRefusedError) -> int | str:
    """Return the ``code`` of the ``ezeep_print_error`` event for an error."""
    if isinstance(err, ReleaseRefusedError):
        return err.code
    code = _row_of(err).code
    if code is None:
        assert isinstance(err, TpfmCommandError)
        return err.code
    return code


def is_per_job(err: TpfmError) -> bool:
    """Return whether a failure belongs to one job (the release goes on)."""
    return _row_of(err).per_job


def flow_error_key(err: TpfmError) -> str:
    """Return the config flow form's error key for a TPFM error."""
    flow_key = _row_of(err).flow_key
    assert flow_key is not None
    return flow_key


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn errors of a service call or a button press into translated errors.

    Errors of Home Assistant (a refused release among them) pass as they are.
    """
    try:
        yield
    except HomeAssistantError:
        raise
    except InvalidUserIdError as err:
        raise _row_of(err).service_error() from None
    except TpfmError as err:
        placeholders = (
            err.placeholders
            if isinstance(err, UnknownUserRefusedError)
            else {"error": err.error_text or type(err).__name__}
        )
        raise _row_of(err).service_error(translation_placeholders=placeholders) from err


@contextmanager
def update_errors(
    failed: type[HomeAssistantError] = UpdateFailed,
) -> Iterator[None]:
    """Turn a TPFM error of a coordinator update into the Home Assistant error for it.

    A refused password starts a reauth; any other error raises ``failed``
    (``ConfigEntryNotReady`` for the first contact at setup).
    """
    try:
        yield
    except TpfmAuthError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="auth_failed"
        ) from err
    except TpfmError as err:
        raise failed(
            translation_domain=DOMAIN, translation_key="cannot_connect"
        ) from err
