"""Which of a person's jobs are on hold, between two reads of their whole list.

The server does not mark held jobs: only the two GetJobList variants together tell them
(with ``ShowPutOnHoldJobs=1``, and without). A poll asks the releasable list alone and
carries the held jobs over from the person's previous poll, unless something hints that
the hold of a job changed:

* a job known as releasable is missing from the releasable list: it was printed, deleted,
  or put on hold elsewhere; only the whole list tells, so it is read;
* a held job listed as releasable was released from its hold: it counts again at once;
* the person's turn of the rotation (every :data:`~..const.FULL_LIST_EVERY` polls,
  spread over the people so that each poll reads about as many whole lists).

So the pending count is always the server's (it is the releasable list); a held job
deleted elsewhere, or a job that arrived already on hold, shows at most that many polls
late.
"""

from __future__ import annotations

from collections.abc import Sequence
import zlib

from ..const import FULL_LIST_EVERY
from ..tpfm import Job, JobList


def carry_held(previous: Sequence[Job], releasable: JobList) -> JobList | None:
    """Return the releasable jobs and the held jobs known before, held ones marked.

    None: a job the previous read had as releasable is no longer listed, so the whole
    list must be read to know whether it went away or was put on hold.
    """
    listed = {job.file_name for job in releasable.jobs}
    if any(not job.on_hold and job.file_name not in listed for job in previous):
        return None
    held = tuple(job for job in previous if job.on_hold and job.file_name not in listed)
    return JobList(
        jobs=releasable.jobs + held,
        visible=releasable.visible,
        skipped=releasable.skipped,
    )


def whole_list_due(subentry_id: str, poll: int) -> bool:
    """Return whether this poll reads the person's whole list (their rotation turn)."""
    return (poll + zlib.crc32(subentry_id.encode())) % FULL_LIST_EVERY == 0
