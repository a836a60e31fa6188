"""Exceptions raised by the TPFM client.

Every error the client raises derives from :class:`TpfmError`. Errors the server reports
through ``X-FMP-Return`` map to one class per code (1-10); each carries the decoded
``X-FMP-ErrText``, ``X-FMP-OSError`` and ``X-FMP-OSErrText`` values.
"""

from __future__ import annotations


class TpfmError(Exception):
    """Base class of every error raised by the TPFM client."""

    def __init__(
        self,
        message: str = "",
        *,
        error_text: str = "",
        os_error: int | None = None,
        os_error_text: str = "",
    ) -> None:
        """Store the decoded server texts beside the message."""
        super().__init__(message or error_text or type(self).__name__)
        self.error_text = error_text
        self.os_error = os_error
        self.os_error_text = os_error_text


class TpfmConnectionError(TpfmError):
    """The server could not be reached, or the connection broke."""


class TpfmTimeoutError(TpfmConnectionError):
    """The server did not answer in time."""


class TpfmStreamError(TpfmConnectionError):
    """A PrintJob stream ended before it delivered a result.

    The outcome of the print is unknown: pages may have come out. Never retry it blindly.
    """


class TpfmParseError(TpfmError):
    """The server's answer is not a TPFM answer the client can read."""


class TpfmHttpError(TpfmError):
    """The server answered with an HTTP status other than 200."""

    def __init__(self, status: int, message: str = "") -> None:
        """Store the HTTP status."""
        super().__init__(message or f"HTTP {status}")
        self.status = status

    @property
    def transient(self) -> bool:
        """Whether the same request may succeed later (server-side or rate-limit errors)."""
        return self.status >= 500 or self.status in (408, 429)


class TpfmAuthError(TpfmHttpError):
    """HTTP 401: the pull-printing password (or the user) was refused."""

    def __init__(self, message: str = "") -> None:
        """Create the error for HTTP 401."""
        super().__init__(401, message or "HTTP 401 Unauthorized")


class TpfmCommandError(TpfmError):
    """The server answered with a nonzero ``X-FMP-Return`` code."""

    code: int = 0

    def __init__(
        self,
        code: int | None = None,
        *,
        error_text: str = "",
        os_error: int | None = None,
        os_error_text: str = "",
    ) -> None:
        """Store the code and the decoded texts."""
        if code is not None:
            self.code = code
        super().__init__(
            f"X-FMP-Return {self.code}" + (f": {error_text}" if error_text else ""),
            error_text=error_text,
            os_error=os_error,
            os_error_text=os_error_text,
        )


class TpfmServerOsError(TpfmCommandError):
    """1: an operating system error occurred on the server."""

    code = 1


class TpfmCommandNotSupportedError(TpfmCommandError):
    """2: the command is not supported by the server."""

    code = 2


class TpfmUserNotAllowedError(TpfmCommandError):
    """3: the user may not run the command (an unknown ID also gets this code).

    For an ID the server does not know, the printer prints a registration code sheet.
    """

    code = 3


class TpfmInvalidPrinterError(TpfmCommandError):
    """4: an invalid printer was specified."""

    code = 4


class TpfmJobNotFoundError(TpfmCommandError):
    """5: the job file does not exist."""

    code = 5


class TpfmInvalidCopiesError(TpfmCommandError):
    """6: an invalid copy count was specified."""

    code = 6


class TpfmInvalidDeleteFlagError(TpfmCommandError):
    """7: an invalid delete flag was specified."""

    code = 7


class TpfmInvalidProgressFlagError(TpfmCommandError):
    """8: an invalid progress flag was specified."""

    code = 8


class TpfmInvalidProcIdError(TpfmCommandError):
    """9: the printing process id is invalid (unknown, or already finished)."""

    code = 9


class TpfmPrintCanceledError(TpfmCommandError):
    """10: the print job was canceled by CancelPrintJob."""

    code = 10


_BY_CODE: dict[int, type[TpfmCommandError]] = {
    cls.code: cls
    for cls in (
        TpfmServerOsError,
        TpfmCommandNotSupportedError,
        TpfmUserNotAllowedError,
        TpfmInvalidPrinterError,
        TpfmJobNotFoundError,
        TpfmInvalidCopiesError,
        TpfmInvalidDeleteFlagError,
        TpfmInvalidProgressFlagError,
        TpfmInvalidProcIdError,
        TpfmPrintCanceledError,
    )
}


def error_for_code(
    code: int,
    *,
    error_text: str = "",
    os_error: int | None = None,
    os_error_text: str = "",
) -> TpfmCommandError:
    """Return the exception for an ``X-FMP-Return`` code (unknown codes get the base class)."""
    cls = _BY_CODE.get(code)
    if cls is None:
        return TpfmCommandError(
            code, error_text=error_text, os_error=os_error, os_error_text=os_error_text
        )
    return cls(error_text=error_text, os_error=os_error, os_error_text=os_error_text)
