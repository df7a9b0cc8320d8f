"""Floods stay small: junk is not logged, each member's logged questions are capped
per day, and grouping a question compares it with a bounded number of entries."""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import knowledge.unanswered
from knowledge.base import KnowledgeBase
from knowledge.grouping import Wording, same_question
from knowledge.models import Outcome
from knowledge.quota import MAX_LOGGED_PER_DAY, DailyQuota
from knowledge.semantic import Encoder
from knowledge.unanswered import UnansweredLog


def junk(count: int, seed: int = 0) -> list[str]:
    """Distinct questions of made-up words, none alike enough to be grouped."""
    rng = random.Random(seed)
    return [
        " ".join("".join(rng.choices(string.ascii_lowercase, k=7)) for _ in range(3))
        for _ in range(count)
    ]


@pytest.mark.parametrize("question", ["???", "🙂🙂🙂 !!!", "what is it", "is it?"])
def test_a_question_without_content_is_not_logged(kb: KnowledgeBase, question: str) -> None:
    reply = kb.ask(question, place="channel:1", asker="member")
    assert not reply.answered and reply.logged is None
    assert kb.none_of_these(question, place="channel:1") is None
    assert kb.unanswered_questions() == []


def test_a_members_logged_questions_are_capped_per_day(kb: KnowledgeBase) -> None:
    questions = junk(MAX_LOGGED_PER_DAY + 5)
    replies = [kb.ask(q, place="channel:1", asker="raider") for q in questions]
    assert all(reply.match.outcome is Outcome.UNANSWERED for reply in replies)
    assert [reply.logged is not None for reply in replies] == [True] * MAX_LOGGED_PER_DAY + [
        False
    ] * 5
    other = kb.ask("what time does the canteen open", place="channel:1", asker="member")
    assert other.logged is not None, "one member's cap is not another's"
    assert len(kb.unanswered_questions()) == MAX_LOGGED_PER_DAY + 1


def test_a_repeat_is_counted_on_the_open_entry_and_against_the_cap(kb: KnowledgeBase) -> None:
    question = "what time does the canteen open"
    first = kb.ask(question, place="channel:1", asker="a")
    again = kb.ask(question + "?", place="channel:1", asker="b")
    assert first.logged is not None and again.logged is not None
    assert again.logged.id == first.logged.id
    assert again.logged.count == 2
    # Counts order reps' list, so one account's repeats past its cap count for nothing.
    for other in junk(MAX_LOGGED_PER_DAY - 1):
        kb.ask(other, place="channel:1", asker="b")
    assert kb.ask(question, place="channel:1", asker="b").logged is None
    assert kb.ask(question, place="channel:1", asker="c").logged is not None
    assert kb._unanswered.get(first.logged.id).count == 3


def test_the_cap_resets_the_next_day(kb: KnowledgeBase) -> None:
    now = [datetime(2026, 12, 6, 23, 0, tzinfo=UTC)]
    base = KnowledgeBase(kb._db, quota=DailyQuota(limit=2, clock=lambda: now[0]))
    first, second, third = junk(3)
    assert base.ask(first, place="dm", asker="m").logged is not None
    assert base.ask(second, place="dm", asker="m").logged is not None
    assert base.ask(third, place="dm", asker="m").logged is None
    now[0] += timedelta(hours=1)  # midnight UTC
    assert base.ask(third, place="dm", asker="m").logged is not None


def test_an_unnamed_asker_is_not_capped(kb: KnowledgeBase) -> None:
    replies = [kb.ask(q, place="console") for q in junk(MAX_LOGGED_PER_DAY + 1)]
    assert all(reply.logged is not None for reply in replies)


def test_grouping_compares_a_bounded_number_of_entries(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(knowledge.unanswered, "CANDIDATES_PER_TERM", 5)
    log: UnansweredLog = kb._unanswered
    old = log.record("when is the christmas party", place="dm", best_score=0, nearest_fact_id=None)
    for word in junk(60):
        log.record(f"when is the {word} party", place="dm", best_score=0, nearest_fact_id=None)
    compared: list[int] = []

    def counting(text: str, wording: Wording, candidates: Sequence[Any], encoder: Encoder) -> Any:
        compared.append(len(candidates))
        return same_question(text, wording, candidates, encoder)

    monkeypatch.setattr(knowledge.unanswered, "same_question", counting)
    found = log.open_entry("when is the christmass party?")
    assert compared and max(compared) <= 2 * 5, "a new question must not meet every open entry"
    assert found is not None and found.id == old.id, "an older entry sharing a rare term groups"
