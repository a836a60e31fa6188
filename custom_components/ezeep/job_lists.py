"""The latest job list the server gave for each person of a station (in memory, bounded).

Every GetJobList the integration makes for a person (the polls, ``ezeep.get_jobs``, the
fresh read of a release) is remembered here: whether the server allowed single-job
actions (``X-FMP-Visible: 1``) and which jobs it listed. ``ezeep.print_job``,
``ezeep.delete_job`` and ``ezeep.hold_job`` act only on what this memory says.

People are keyed by the store's keyed hash of their ID (``EzeepStore.id_hash``, the one
the unknown-ID guard uses), never by the ID itself: nothing kept here (a debugger, a repr
in a log line) shows a card serial.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

from .tpfm import Job, JobList

#: How many people's lists a station remembers; the least recently read go first.
MAX_REMEMBERED: Final = 512


@dataclass(frozen=True, slots=True)
class LatestList:
    """What the server's latest answer for a person said."""

    #: The server sent ``X-FMP-Visible: 1``: single jobs may be selected and deleted.
    visible: bool
    #: The listed jobs by file name (held ones included when the read asked for them).
    jobs: dict[str, Job]


class LatestLists:
    """The latest list of each person of one station."""

    def __init__(self, key: Callable[[str], bytes], size: int = MAX_REMEMBERED) -> None:
        """Remember the lists of at most ``size`` people, keyed by ``key(user_id)``."""
        self._key = key
        self._size = size
        self._lists: OrderedDict[bytes, LatestList] = OrderedDict()

    def __len__(self) -> int:
        """Return how many people's lists are remembered."""
        return len(self._lists)

    def get(self, user_id: str) -> LatestList | None:
        """Return the latest list of a person (None: none was read)."""
        return self._lists.get(self._key(user_id))

    def remember(self, user_id: str, job_list: JobList, *, with_held: bool) -> None:
        """Remember a GetJobList answer for a person.

        A list read without held jobs tells nothing about them: the held jobs known
        from an earlier read are kept.
        """
        key = self._key(user_id)
        jobs = {job.file_name: job for job in job_list.jobs}
        if not with_held and (old := self._lists.get(key)) is not None:
            held = {name: job for name, job in old.jobs.items() if job.on_hold}
            jobs = {**held, **jobs}
        self._lists[key] = LatestList(job_list.visible, jobs)
        self._lists.move_to_end(key)
        while len(self._lists) > self._size:
            self._lists.popitem(last=False)

    def forget_job(self, user_id: str, file_name: str) -> None:
        """A job was deleted: it is no longer listed."""
        if (latest := self.get(user_id)) is not None:
            latest.jobs.pop(file_name, None)

    def set_held(self, user_id: str, file_name: str, on_hold: bool) -> None:
        """A job was put on hold or back: note it until the next read."""
        latest = self.get(user_id)
        if latest is not None and (job := latest.jobs.get(file_name)) is not None:
            latest.jobs[file_name] = replace(job, on_hold=on_hold)
