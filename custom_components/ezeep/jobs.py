"""Single-job actions of a station: list, release, delete and hold a person's jobs.

The one place these actions live: the ``ezeep.get_jobs``, ``ezeep.print_job``,
``ezeep.delete_job`` and ``ezeep.hold_job`` services call these functions, and so does a
release panel. Each takes the loaded station and the person's user ID (resolved and
checked by the caller, see :func:`~.validation.clean_user_id`).

Safety: ``print_job``, ``delete_job`` and ``hold_job`` act only when the server's latest
list for that person (:mod:`.job_lists`) said ``X-FMP-Visible: 1`` and listed the job;
a job that a release of the person is printing (or about to) is neither deleted nor
held. Otherwise a :class:`~.errors.JobActionRefusedError` is raised and nothing is sent.
Server errors are raised as the client's ``TpfmError``; wrap calls in
:func:`~.errors.translate_errors` to show them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from homeassistant.exceptions import ServiceValidationError

from .const import DOMAIN
from .data import EzeepConfigEntry
from .errors import JobNotListedError, JobPrintingError, SelectionNotAllowedError
from .release import JobOutcome
from .tpfm import Job, TpfmError


def station_printer(entry: EzeepConfigEntry, printer_id: str | None) -> str | None:
    """Return the printer to ask for: the one given, else the station's default."""
    return entry.runtime_data.people.printer_for(printer_id)


def check_registered(entry: EzeepConfigEntry, user_id: str) -> None:
    """Refuse a configured person the server did not know (until the repair is done).

    Asking with their ID again would print another registration sheet.
    """
    runtime = entry.runtime_data
    person = runtime.people.of(user_id)
    if person is not None and runtime.coordinator.is_unregistered(person.subentry_id):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="user_not_registered",
            translation_placeholders={"name": person.name},
        )


@asynccontextmanager
async def _server_errors(
    entry: EzeepConfigEntry, user_id: str, *, listing: bool
) -> AsyncIterator[None]:
    """Act on a server error as a release does (ReleaseManager.on_server_error)."""
    try:
        yield
    except TpfmError as err:
        entry.runtime_data.releases.on_server_error(user_id, err, listing=listing)
        raise


def job_as_dict(job: Job) -> dict[str, Any]:
    """Return the response form of a listed job."""
    return {
        "job": job.file_name,
        "name": job.name,
        "size": job.size,
        "created": job.created.isoformat(),
        "on_hold": job.on_hold,
    }


async def async_get_jobs(
    entry: EzeepConfigEntry, user_id: str, *, printer_id: str | None = None
) -> dict[str, Any]:
    """Read a person's jobs now (held ones too), oldest first; remember the list.

    Returns ``{"jobs": [...], "selectable": bool}``; ``selectable`` is True only when
    the server sent ``X-FMP-Visible: 1``.
    """
    check_registered(entry, user_id)
    runtime = entry.runtime_data
    async with _server_errors(entry, user_id, listing=True):
        job_list = await runtime.client.get_jobs_with_held(
            user_id, printer=station_printer(entry, printer_id)
        )
    runtime.releases.lists.remember(user_id, job_list, with_held=True)
    jobs = sorted(job_list.jobs, key=lambda job: job.created)
    return {
        "jobs": [job_as_dict(job) for job in jobs],
        "selectable": job_list.visible,
    }


async def async_print_job(
    entry: EzeepConfigEntry,
    user_id: str,
    jobs: Sequence[str],
    *,
    printer_id: str | None = None,
    copies: int = 1,
    delete: bool = True,
    wait: bool = False,
    force: bool = False,
) -> list[JobOutcome]:
    """Release chosen jobs (file names) in the order given, like ``print_all``.

    Raises the ReleaseRefusedError of a refused release (busy, a job's cooldown, rate
    limit, printer not ready), SelectionNotAllowedError, JobNotListedError (nothing
    printed) or the TpfmError of reading the list.
    """
    check_registered(entry, user_id)
    return await entry.runtime_data.releases.async_release(
        user_id,
        jobs,
        printer_id=station_printer(entry, printer_id),
        copies=copies,
        delete=delete,
        wait=wait,
        force=force,
    )


def check_chosen(
    entry: EzeepConfigEntry, user_id: str, names: Sequence[str]
) -> dict[str, Job]:
    """Refuse unless the person's latest list allows choosing and lists every name.

    Returns that list's jobs by file name. Nothing is sent to the server.
    """
    latest = entry.runtime_data.releases.lists.get(user_id)
    if latest is None or not latest.visible:
        raise SelectionNotAllowedError
    if not names or any(name not in latest.jobs for name in names):
        raise JobNotListedError
    return latest.jobs


def _listed_job(entry: EzeepConfigEntry, user_id: str, file_name: str) -> Job:
    """Return a job that may be deleted or held now, or refuse."""
    check_registered(entry, user_id)
    job = check_chosen(entry, user_id, [file_name])[file_name]
    if entry.runtime_data.releases.in_release(user_id, file_name):
        raise JobPrintingError
    return job


async def async_delete_job(entry: EzeepConfigEntry, user_id: str, job: str) -> None:
    """Delete one job (DeleteJob); fire ``ezeep_print_progress`` status ``deleted``.

    Raises SelectionNotAllowedError, JobNotListedError, JobPrintingError (nothing
    sent) or the TpfmError of DeleteJob.
    """
    listed = _listed_job(entry, user_id, job)
    async with _server_errors(entry, user_id, listing=False):
        await entry.runtime_data.client.delete_job(user_id, job)
    entry.runtime_data.releases.job_deleted(user_id, job, listed.name)


async def async_hold_job(
    entry: EzeepConfigEntry, user_id: str, job: str, hold: bool
) -> None:
    """Put a job on hold or back (SetJobProperties ``PutOnHold=1``/``0``).

    Raises what :func:`async_delete_job` raises (the TpfmError of SetJobProperties).
    """
    _listed_job(entry, user_id, job)
    async with _server_errors(entry, user_id, listing=False):
        await entry.runtime_data.client.set_job_properties(user_id, job, on_hold=hold)
    entry.runtime_data.releases.job_held(user_id, job, hold)
