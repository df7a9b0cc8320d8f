"""Fitting Discord's limits, spotting questions in chat, and the question cooldown."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.asking import reads_as_question, without_mentions_of
from bot.cooldown import QuestionCooldown
from bot.limits import ELLIPSIS, SHORTENED, clip


@given(st.text(), st.integers(min_value=len(SHORTENED) + 1, max_value=5_000))
def test_clip_fits_and_says_when_it_shortened(text: str, limit: int) -> None:
    clipped = clip(text, limit)
    assert len(clipped) <= limit
    if len(text) <= limit:
        assert clipped == text
    else:
        assert clipped.endswith(SHORTENED)
        assert text.startswith(clipped.removesuffix(SHORTENED))


def test_clip_cuts_between_words() -> None:
    quote = "The UK government will retain a 25 percent stake in SSCL"
    assert clip(quote, 40) == "The UK government will" + SHORTENED
    assert clip(quote, 30, marker=ELLIPSIS) == "The UK government will retain…"


@pytest.mark.parametrize(
    "text",
    [
        "who owns sscl",
        "Is my job going abroad",
        "  what's happening to ISSC2",
        "<@123> when does the contract start",
        "<@&123>, how many jobs",
        "sscl jobs moving to india?",
        "ok so the contract?  ",
    ],
)
def test_questions_are_recognised(text: str) -> None:
    assert reads_as_question(text)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "Great meeting today!", "Will said hello", "Don't forget the ballot", "whoever"],
)
def test_statements_are_not_questions(text: str) -> None:
    assert not reads_as_question(text)


@given(st.text())
def test_any_text_can_be_checked(text: str) -> None:
    assert isinstance(reads_as_question(text), bool)


def test_mentions_of_the_bot_are_removed() -> None:
    assert without_mentions_of("<@42> who owns  <@!42> sscl <@43>", 42) == "who owns sscl <@43>"


def test_cooldown_is_per_member_and_tells_once() -> None:
    now = [0.0]
    cooldown = QuestionCooldown(10, clock=lambda: now[0])
    assert cooldown.check(1) is None
    assert cooldown.check(2) is None
    first, second = cooldown.check(1), cooldown.check(1)
    assert first is not None and first.first and first.seconds == 10
    assert second is not None and not second.first
    now[0] = 10.0
    assert cooldown.check(1) is None
    now[0] = 11.0
    wait = cooldown.check(1)
    assert wait is not None and wait.first


def test_a_zero_cooldown_never_waits() -> None:
    cooldown = QuestionCooldown(0)
    assert all(cooldown.check(1) is None for _ in range(3))
