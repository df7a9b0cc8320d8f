"""Semantic scoring: how close in meaning a question is to every fact."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from knowledge.matcher.index import FactIndex

_NOWHERE = -2.0
"""The closeness of a removed or excluded fact: below any cosine, so it never leads."""


@dataclass(frozen=True, slots=True)
class Meaning:
    """How close in meaning a question is to every fact, read once a question."""

    closeness: np.ndarray
    """Each slot's cosine closeness (-1 to 1); ``_NOWHERE`` for a removed or excluded fact."""
    closest: int
    """The slot closest in meaning."""
    runner_up: float
    """The second closest slot's closeness."""

    def of(self, slot: int) -> float:
        return float(self.closeness[slot])

    def best_other_than(self, slot: int) -> float:
        """The closeness of the closest fact other than ``slot``'s."""
        return self.runner_up if slot == self.closest else self.of(self.closest)

    def closest_slots(self, count: int) -> list[int]:
        """The ``count`` live slots closest in meaning, closest first (ties in slot order)."""
        count = min(count, int((self.closeness > _NOWHERE).sum()))
        if count == 0:
            return []
        # Partitioning finds them without sorting every slot (10 ms at 100,000 facts);
        # every slot tied with the last one found is kept, so the stable sort of the
        # few gives what a stable sort of all would.
        distance = -self.closeness
        last = distance[np.argpartition(distance, count - 1)[count - 1]]
        near = np.flatnonzero(distance <= last)
        # numpy's stubs type tolist() as Any; the annotation restores it.
        slots: list[int] = near[np.argsort(distance[near], kind="stable")][:count].tolist()
        return slots


def meaning_of(index: FactIndex, question: str, excluded: list[int]) -> Meaning:
    """Each slot's semantic closeness to the question, with the two closest."""
    vectors, alive = index.live_vectors()
    closeness = vectors @ index.encoder.encode([question])[0]
    closeness[~alive] = _NOWHERE
    closeness[excluded] = _NOWHERE
    if len(closeness) < 2:
        return Meaning(closeness, 0, _NOWHERE)
    first, second = np.argpartition(-closeness, 1)[:2].tolist()
    if closeness[second] > closeness[first]:
        first, second = second, first
    return Meaning(closeness, first, float(closeness[second]))
