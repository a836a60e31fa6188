"""Errors of the printer status clients."""

from __future__ import annotations


class PrinterError(Exception):
    """Reading the printer's status failed."""


class PrinterConnectionError(PrinterError):
    """The printer did not answer, or answered with an HTTP error."""


class PrinterTimeoutError(PrinterConnectionError):
    """The printer did not answer in time."""


class PrinterNotSupportedError(PrinterError):
    """The printer does not offer this status interface (LEDM answered 404)."""


class PrinterParseError(PrinterError):
    """The printer's answer could not be read (malformed or hostile XML, wrong document)."""
