"""How many of a member's questions are logged for reps in a day.

A raid (many accounts posting junk) must not bury reps' list of unanswered
questions, so each member's logged questions are capped per UTC day. Union
membership is special-category personal data, so the count is kept in memory
only, keyed by the member's id, and forgotten when the day changes or the
process stops: it is never written to the database.

>>> quota = DailyQuota(limit=2)
>>> [quota.take("member") for _ in range(3)]
[True, True, False]
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

MAX_LOGGED_PER_DAY = 20
"""A member's questions logged per UTC day: more than any member with real questions
asks in a day, few enough that 50 raiding accounts add at most 1,000 entries."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DailyQuota:
    """Per-asker counts of logged questions for the current UTC day, in memory.

    ``clock`` returns the current time (a test passes its own to move days on).
    Used from one thread at a time (the bot's knowledge worker, or the CLI).
    """

    def __init__(
        self, limit: int = MAX_LOGGED_PER_DAY, clock: Callable[[], datetime] = _utc_now
    ) -> None:
        self._limit = limit
        self._clock = clock
        self._day: date | None = None
        self._counts: dict[str, int] = {}

    def take(self, asker: str) -> bool:
        """Count one logged question for ``asker`` today; False, counting nothing,
        when they have had ``limit`` logged already."""
        today = self._clock().astimezone(UTC).date()
        if today != self._day:
            self._day, self._counts = today, {}
        used = self._counts.get(asker, 0)
        if used >= self._limit:
            return False
        self._counts[asker] = used + 1
        return True
