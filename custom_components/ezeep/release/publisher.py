"""Publishes a station's release events on the bus and to the people's listeners.

It only publishes: what an error means for the station (a reauth, an unknown card) is
decided by the release manager.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback

from ..const import (
    EVENT_PRINT_ERROR,
    EVENT_PRINT_PROGRESS,
    RESULT_DELETED,
    RESULT_FAILED,
)
from ..errors import ReleaseRefusedError, event_code
from ..tpfm import PrintResult, ProgressEvent, TpfmError
from .state import JobOutcome, ReleaseEvent, ReleaseStates


class ReleasePublisher:
    """Fires ``ezeep_print_progress`` and ``ezeep_print_error`` for one station."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, states: ReleaseStates
    ) -> None:
        """Publish for the station ``entry_id``; tell the listeners of ``states``."""
        self._hass = hass
        self._entry_id = entry_id
        self._states = states

    @callback
    def progress(
        self,
        user_id: str,
        outcome: JobOutcome,
        status: str,
        event: ProgressEvent | None,
    ) -> None:
        """A job started, printed a page, completed or was canceled."""
        data = {
            "config_entry_id": self._entry_id,
            "user_id": user_id,
            "job": outcome.job,
            "name": outcome.name,
            "proc_id": outcome.proc_id,
            "status": status,
            "done": event.done if event else 0,
            "total": event.total if event else None,
            "unit": str(event.unit) if event else None,
        }
        self._hass.bus.async_fire(EVENT_PRINT_PROGRESS, data)
        # Each page too (``printing``): the panel shows a release's progress from here.
        self._states.async_event(user_id, ReleaseEvent(status, data))

    @callback
    def deleted(self, user_id: str, file_name: str, name: str) -> None:
        """A job was deleted: ``ezeep_print_progress`` with status ``deleted``."""
        self.progress(user_id, JobOutcome(file_name, name), RESULT_DELETED, None)

    @callback
    def refused(self, user_id: str, err: ReleaseRefusedError) -> None:
        """A release was refused before anything was sent (no job, no server error)."""
        self._error(user_id, None, err.code, err.error, None, "")

    @callback
    def failed(self, user_id: str, outcome: JobOutcome | None, err: TpfmError) -> None:
        """The job list (``outcome`` None) or a job could not be read or printed."""
        error = err.error_text or str(err)
        self._error(
            user_id, outcome, event_code(err), error, err.os_error, err.os_error_text
        )

    @callback
    def job_failed(
        self, user_id: str, outcome: JobOutcome, result: PrintResult
    ) -> None:
        """A job's stream ended with a failure code."""
        self._error(
            user_id,
            outcome,
            result.code,
            result.error_text,
            result.os_error,
            result.os_error_text,
        )

    def _error(  # noqa: PLR0917 - the fields of the event
        self,
        user_id: str,
        outcome: JobOutcome | None,
        code: int | str,
        error: str,
        os_error: int | None,
        os_error_text: str,
    ) -> None:
        """Fire ``ezeep_print_error`` (a failed job or release) and tell the listeners."""
        data = {
            "config_entry_id": self._entry_id,
            "user_id": user_id,
            "job": outcome.job if outcome else None,
            "name": outcome.name if outcome else None,
            "proc_id": outcome.proc_id if outcome else None,
            "code": code,
            "error": error,
            "os_error": os_error,
            "os_error_text": os_error_text,
        }
        self._hass.bus.async_fire(EVENT_PRINT_ERROR, data)
        self._states.async_event(user_id, ReleaseEvent(RESULT_FAILED, data))
