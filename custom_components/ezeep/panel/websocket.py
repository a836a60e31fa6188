"""The release panel's websocket commands (``ezeep/panel/...``), for non-admin users too.

Signing in is in sign_in.py; every command here names the session token the card got, never
the ID. Single-job commands act only on jobs of the person's latest list, and only when the
server allowed choosing (``X-FMP-Visible: 1``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import (
    async_response,
    websocket_command,
)
from homeassistant.core import HomeAssistant, callback
import probatio as vol

from ..const import MAX_COPIES, MIN_COPIES, RESULT_QUEUED
from ..jobs import (
    async_delete_job,
    async_hold_job,
    async_print_job,
    check_chosen,
    check_registered,
    station_printer,
)
from ..release import JobOutcome
from .session import PanelSession, async_get_sessions, async_read_jobs
from .sign_in import panel_command, ws_readers, ws_sign_in, ws_stations, ws_subscribe

_SESSION: dict[Any, Any] = {vol.Required("session"): str}


def _session(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> PanelSession:
    """The session a command names; it counts as activity."""
    sessions = async_get_sessions(hass)
    session = sessions.get(connection, msg["session"])
    sessions.async_touch(session)
    return session


@websocket_command({vol.Required("type"): "ezeep/panel/jobs", **_SESSION})
@async_response
@panel_command
async def ws_jobs(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Read the person's jobs again."""
    session = _session(hass, connection, msg)
    connection.send_result(msg["id"], await _async_live_jobs(hass, session))


async def _async_live_jobs(
    hass: HomeAssistant, session: PanelSession
) -> dict[str, Any]:
    """Read the person's jobs, unless the session ended before or while they were read.

    A list read for a session that ended (sign-out, idle, a newer sign-in at the card) is
    never answered: it would show one person's jobs on the next person's screen.
    """
    sessions = async_get_sessions(hass)
    sessions.check_alive(session)
    jobs = await async_read_jobs(session)
    sessions.check_alive(session)
    return jobs


@websocket_command(
    {
        vol.Required("type"): "ezeep/panel/release",
        **_SESSION,
        vol.Optional("jobs", default=None): vol.Any(None, [str]),
        vol.Optional("copies", default=1): vol.All(
            int, vol.Range(min=MIN_COPIES, max=MAX_COPIES)
        ),
    }
)
@async_response
@panel_command
async def ws_release(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Release all jobs, or the chosen ones in the order given (needs selection).

    The session counts as releasing from the start: idle expiry does not end it while the
    release is admitted and its list read. An explicit sign-out meanwhile does, and the
    release goes on (the card, cleared, gets ``session_expired``).
    """
    session = _session(hass, connection, msg)
    was = session.release_started()
    try:
        outcomes = await _async_release(session, msg["jobs"], msg["copies"])
    except BaseException:
        session.release_ended(was, queued=False)
        raise
    session.release_ended(was, queued=any(o.result == RESULT_QUEUED for o in outcomes))
    async_get_sessions(hass).check_alive(session)
    jobs = [{"job": o.job, "name": o.name, "result": o.result} for o in outcomes]
    connection.send_result(msg["id"], {"jobs": jobs})


async def _async_release(
    session: PanelSession, names: list[str] | None, copies: int
) -> list[JobOutcome]:
    """Release all the person's jobs (``names`` None) or the chosen ones."""
    entry, user_id = session.entry, session.user_id
    if names is None:
        check_registered(entry, user_id)
        return await session.data.releases.async_release(
            user_id, printer_id=station_printer(entry, None), copies=copies
        )
    check_chosen(entry, user_id, names)  # before anything is sent
    return await async_print_job(entry, user_id, names, copies=copies)


async def _async_job_command(
    connection: ActiveConnection,
    msg: dict[str, Any],
    act: Callable[[PanelSession], Awaitable[None]],
) -> None:
    """Act on one job of the latest list (see jobs.py); answer with the new list.

    Only while the session lives: the job is acted on, but a list read after the session
    ended is not answered (``session_expired``).
    """
    session = _session(connection.hass, connection, msg)
    await act(session)
    connection.send_result(msg["id"], await _async_live_jobs(connection.hass, session))


@websocket_command(
    {vol.Required("type"): "ezeep/panel/delete", **_SESSION, vol.Required("job"): str}
)
@async_response
@panel_command
async def ws_delete(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Delete one job (DeleteJob)."""

    async def delete(session: PanelSession) -> None:
        await async_delete_job(session.entry, session.user_id, msg["job"])

    await _async_job_command(connection, msg, delete)


@websocket_command(
    {
        vol.Required("type"): "ezeep/panel/hold",
        **_SESSION,
        vol.Required("job"): str,
        vol.Required("hold"): bool,
    }
)
@async_response
@panel_command
async def ws_hold(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Put one job on hold, or release the hold (SetJobProperties PutOnHold)."""

    async def hold(session: PanelSession) -> None:
        await async_hold_job(session.entry, session.user_id, msg["job"], msg["hold"])

    await _async_job_command(connection, msg, hold)


@websocket_command({vol.Required("type"): "ezeep/panel/touch", **_SESSION})
@async_response
@panel_command
async def ws_touch(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """The person is using the card (ticking jobs, copies): not idle."""
    _session(hass, connection, msg)
    connection.send_result(msg["id"])


@websocket_command({vol.Required("type"): "ezeep/panel/cancel", **_SESSION})
@async_response
@panel_command
async def ws_cancel(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Cancel the person's running release."""
    session = _session(hass, connection, msg)
    canceled = await session.data.releases.async_cancel_user(session.user_id)
    connection.send_result(msg["id"], {"canceled": canceled})


@websocket_command({vol.Required("type"): "ezeep/panel/sign_out", **_SESSION})
@async_response
@panel_command
async def ws_sign_out(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Sign out (the card clears everything it showed)."""
    sessions = async_get_sessions(hass)
    sessions.async_end(sessions.get(connection, msg["session"]), None)
    connection.send_result(msg["id"])


@callback
def async_register_commands(hass: HomeAssistant) -> None:
    """Register the panel's commands (once, in the integration's async_setup).

    A session learns its person's releases from the station's release states (session.py),
    so nothing here listens to the bus.
    """
    for command in (
        ws_stations,
        ws_readers,
        ws_subscribe,
        ws_sign_in,
        ws_jobs,
        ws_release,
        ws_delete,
        ws_hold,
        ws_touch,
        ws_cancel,
        ws_sign_out,
    ):
        async_register_command(hass, command)
