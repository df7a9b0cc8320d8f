"""The second look at meaning: the transformer encoder installed from PyPI, its
per-fact vectors kept in the index, and the decision that uses them."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.matcher import Matcher
from knowledge.matcher.decision import AGREEING_LEAD, Decision
from knowledge.matcher.meaning import Meaning, meaning_of
from knowledge.minilm import DIMENSIONS, default_minilm
from knowledge.models import ExampleQuestion, Fact, Match, Outcome, QuestionOrigin


def rep_fact(fact_id: int, answer: str, *questions: str) -> Fact:
    wordings = tuple(ExampleQuestion(text, QuestionOrigin.REP) for text in questions)
    return Fact(fact_id, answer, "note", answer, wordings)


CARD = rep_fact(
    10001, "A new card arrives within five working days.", "when will my new card arrive?"
)
PIN = rep_fact(10002, "Change your PIN at any cash machine.", "how do I change my PIN?")
PARKING = rep_fact(
    10003, "Parking permits are issued by the facilities team.", "how do I get a parking permit?"
)


def test_the_model_loads_from_its_package_and_ranks_paraphrases_first() -> None:
    vectors = default_minilm().encode(
        [
            "how do I get a parking permit?",
            "where can I get a permit to leave my car at work",
            "when will my new card arrive?",
            "",
        ]
    )
    assert vectors.shape == (4, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_a_huge_text_is_read_from_its_start() -> None:
    start = "how do I get a parking permit? "
    vectors = default_minilm().encode([start * 5000, start * 20])
    assert float(vectors[0] @ vectors[1]) > 0.99


def test_a_fact_is_encoded_once_and_again_only_after_it_changes() -> None:
    matcher = Matcher([CARD, PIN, PARKING])
    index = matcher._index
    matcher.match("where can staff park their cars?")  # unsettled: every fact looked at
    kept = index.close_vectors[PARKING.id]
    matcher.match("can I park at the office")
    assert index.close_vectors[PARKING.id] is kept

    moved = rep_fact(PARKING.id, "Bikes go in the shed behind the office.", "where do bikes go?")
    matcher.upsert(moved)
    assert PARKING.id not in index.close_vectors
    matcher.match("where can staff park their cars?")
    assert not np.allclose(index.close_vectors[PARKING.id], kept)


def test_a_removed_fact_leaves_no_vector_behind() -> None:
    matcher = Matcher([CARD, PIN, PARKING])
    matcher.match("where can staff park their cars?")
    matcher.remove(PARKING.id)
    assert PARKING.id not in matcher._index.close_vectors


def close(matcher: Matcher, favoured: int, other: int) -> Meaning:
    """A closer look favouring ``favoured``'s fact over ``other``'s by twice the lead needed."""
    closeness = np.full(len(matcher._index.by_slot), -2.0, dtype=np.float32)
    closeness[favoured], closeness[other] = 0.8, 0.8 - 2 * AGREEING_LEAD
    return Meaning(closeness, favoured, float(closeness[other]))


def test_the_second_look_answers_with_the_fact_its_encoder_finds_closest() -> None:
    """Two few-wording facts the words cannot tell apart: the closer look decides,
    whichever way WordLlama leans."""
    matcher = Matcher([CARD, PIN])
    index = matcher._index
    card, pin = index.facts[CARD.id].slot, index.facts[PIN.id].slot
    decision = Decision(index, meaning_of(index, "my card", []))
    pool = {card: 70.0, pin: 70.0}
    unsettled = Match(Outcome.SUGGESTIONS, score=70.0)
    assert decision.second_look(unsettled, pool, close(matcher, card, pin)).fact_id == CARD.id
    assert decision.second_look(unsettled, pool, close(matcher, pin, card)).fact_id == PIN.id


def test_a_second_look_without_a_clear_lead_only_suggests() -> None:
    matcher = Matcher([CARD, PIN])
    index = matcher._index
    card, pin = index.facts[CARD.id].slot, index.facts[PIN.id].slot
    closeness = np.full(len(index.by_slot), -2.0, dtype=np.float32)
    closeness[card] = closeness[pin] = 0.8
    tie = Meaning(closeness, card, 0.8)
    decision = Decision(index, meaning_of(index, "my card", []))
    match = decision.second_look(Match(Outcome.SUGGESTIONS, 70.0), {card: 70.0, pin: 70.0}, tie)
    assert match.outcome is Outcome.SUGGESTIONS
    assert {c.fact_id for c in match.suggestions} == {CARD.id, PIN.id}


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [("where can staff park their cars?", PARKING.id), ("my card has not come yet", CARD.id)],
)
def test_a_paraphrase_sharing_few_words_is_offered_its_fact_first(
    question: str, fact_id: int
) -> None:
    match = Matcher([CARD, PIN, PARKING]).match(question)
    offered = (
        [match.fact_id]
        if match.fact_id is not None
        else [candidate.fact_id for candidate in match.suggestions]
    )
    assert offered[:1] == [fact_id]
