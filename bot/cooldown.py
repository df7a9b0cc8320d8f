"""A per-member pause between questions, shared by every way of asking.

Member ids live here in memory only, for at most one cooldown period.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Wait:
    """A question arrived during the member's cooldown.

    ``seconds`` is how long is left; ``first`` is True only for the first
    early question of a cooldown period, so that a member who keeps posting
    is told once rather than at every message.
    """

    seconds: float
    first: bool


class QuestionCooldown:
    """``check(user_id)`` returns None to go ahead (and starts the member's
    cooldown) or a ``Wait``.

    >>> cooldown = QuestionCooldown(10)
    >>> cooldown.check(1) is None, cooldown.check(1).first, cooldown.check(2) is None
    (True, True, True)
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._until: dict[int, float] = {}
        self._told: set[int] = set()

    def check(self, user_id: int) -> Wait | None:
        if self.seconds <= 0:
            return None
        now = self._clock()
        self._forget_expired(now)
        until = self._until.get(user_id)
        if until is None:
            self._until[user_id] = now + self.seconds
            return None
        first = user_id not in self._told
        self._told.add(user_id)
        return Wait(seconds=until - now, first=first)

    def _forget_expired(self, now: float) -> None:
        expired = [user_id for user_id, until in self._until.items() if until <= now]
        for user_id in expired:
            del self._until[user_id]
            self._told.discard(user_id)
