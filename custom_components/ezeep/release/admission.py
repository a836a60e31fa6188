"""Who may release now: one person at a time, a cooldown, a station-wide rate window.

The cooldown marks and the rate window live in the integration's store
(:class:`~..store.ReleaseLimits`): they outlive a reload of the station. A release of
all of a person's jobs has a cooldown per person; a release of chosen jobs
(``ezeep.print_job``) has one per job: a job printed a moment ago is refused, another
job of the same person is not.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
import time

from ..const import RATE_WINDOW
from ..errors import ReleaseBusyError, ReleaseCooldownError, ReleaseRateLimitedError
from ..store import ReleaseLimits


class ReleaseAdmission:
    """Admits or refuses a station's releases."""

    def __init__(self, limits: ReleaseLimits, cooldown: float, rate_limit: int) -> None:
        """Admit under ``limits`` (kept across reloads) with the station's settings."""
        self.cooldown = cooldown
        self.rate_limit = rate_limit
        self._limits = limits
        self._active: set[str] = set()

    def is_active(self, user_id: str) -> bool:
        """Return whether a release of this person is admitted and not yet done."""
        return user_id in self._active

    def admit(self, user_id: str, jobs: Collection[str] | None = None) -> None:
        """Claim the person, or refuse (no await in here: nobody slips in between).

        ``jobs`` (file names) admits a release of those jobs alone: the cooldown is
        then that of each job, not the person's, and it starts when the release ends.

        Raises:
            ReleaseBusyError: this person's jobs are being released already.
            ReleaseCooldownError: within the cooldown of their last release (of one
                of ``jobs``).
            ReleaseRateLimitedError: the station started its limit of releases.

        """
        now = time.monotonic()
        last_activity, starts = self._limits.last_activity, self._limits.starts
        job_activity = self._limits.job_activity
        # Forget cooldowns that ran out, so scanning many cards does not grow memory.
        for stale in [u for u, t in last_activity.items() if now - t >= self.cooldown]:
            if stale not in self._active:
                del last_activity[stale]
        for done in [k for k, t in job_activity.items() if now - t >= self.cooldown]:
            del job_activity[done]
        if user_id in self._active:
            raise ReleaseBusyError
        marks = (
            [last_activity.get(user_id)]
            if jobs is None
            else [job_activity.get((user_id, job)) for job in jobs]
        )
        last = max((mark for mark in marks if mark is not None), default=None)
        if last is not None and now - last < self.cooldown:
            raise ReleaseCooldownError(int(self.cooldown - (now - last)) + 1)
        window = RATE_WINDOW.total_seconds()
        while starts and now - starts[0] >= window:
            starts.popleft()
        if len(starts) >= self.rate_limit:
            raise ReleaseRateLimitedError(self.rate_limit)
        starts.append(now)
        if jobs is None:
            last_activity[user_id] = now
        self._active.add(user_id)

    def done(self, user_id: str, jobs: Iterable[str] | None = None) -> None:
        """The person's release ended: free them; their cooldown starts now.

        ``jobs``: the release was one of chosen jobs; the cooldown starts for these
        (the jobs it started), not for the person.
        """
        self._active.discard(user_id)
        now = time.monotonic()
        if jobs is None:
            self._limits.last_activity[user_id] = now
            return
        for job in jobs:
            self._limits.job_activity[user_id, job] = now
