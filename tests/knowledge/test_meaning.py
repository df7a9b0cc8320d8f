"""The semantically closest facts: partitioning must pick what sorting every fact would."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from knowledge.matcher.meaning import Meaning

# A few values, so that ties (and removed facts, at -2) are common.
closeness_values = st.sampled_from([-2.0, -0.3, 0.1, 0.5, 0.5, 0.9, 1.0])


@given(st.lists(closeness_values, min_size=1, max_size=40), st.integers(1, 50))
def test_the_closest_slots_are_those_a_stable_sort_of_every_slot_gives(
    values: list[float], count: int
) -> None:
    closeness = np.array(values, dtype=np.float32)
    live = int((closeness > -2.0).sum())
    expected = np.argsort(-closeness, kind="stable")[: min(count, live)].tolist()
    assert Meaning(closeness, 0, -2.0).closest_slots(count) == expected
