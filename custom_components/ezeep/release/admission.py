"""Who may release now: one person at a time, a cooldown, a station-wide rate window.

The cooldown marks and the rate window live in the integration's store
(:class:`~..store.ReleaseLimits`): they outlive a reload of the station.
"""

from __future__ import annotations

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

    def admit(self, user_id: str) -> None:
        """Claim the person, or refuse (no await in here: nobody slips in between).

        Raises:
            ReleaseBusyError: this person's jobs are being released already.
            ReleaseCooldownError: within the cooldown of their last release.
            ReleaseRateLimitedError: the station started its limit of releases.

        """
        now = time.monotonic()
        last_activity, starts = self._limits.last_activity, self._limits.starts
        # Forget cooldowns that ran out, so scanning many cards does not grow memory.
        for stale in [u for u, t in last_activity.items() if now - t >= self.cooldown]:
            if stale not in self._active:
                del last_activity[stale]
        if user_id in self._active:
            raise ReleaseBusyError
        last = last_activity.get(user_id)
        if last is not None and now - last < self.cooldown:
            raise ReleaseCooldownError(int(self.cooldown - (now - last)) + 1)
        window = RATE_WINDOW.total_seconds()
        while starts and now - starts[0] >= window:
            starts.popleft()
        if len(starts) >= self.rate_limit:
            raise ReleaseRateLimitedError(self.rate_limit)
        starts.append(now)
        last_activity[user_id] = now
        self._active.add(user_id)

    def done(self, user_id: str) -> None:
        """The person's release ended: free them; their cooldown starts now."""
        self._active.discard(user_id)
        self._limits.last_activity[user_id] = time.monotonic()
