from __future__ import annotations

import pytest

from knowledge.text import MAX_QUESTION_CHARS, clean


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("£500m over 10 years", "500 million over 10 years"),
        ("up to £2bn", "up to 2 billion"),
        ("a 25% stake", "a 25 percent stake"),
        ("Steria’s IT staff", "steria information technology staff"),
        ("@everyone <@&123> who is it?", "who is it"),
        ("Zoë’s café", "zoe cafe"),
        ("zero\u200bwidth", "zerowidth"),
        ("see https://example.org now", "see now"),
        ("2,000 million", "2000 million"),
    ],
)
def test_clean(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned


def test_clean_bounds_the_work_on_huge_input() -> None:
    assert len(clean("word " * 100_000)) <= MAX_QUESTION_CHARS
