"""The semantic signal: the encoder shipped in a wheel, and how the matcher uses it."""

from __future__ import annotations

import numpy as np

from knowledge.matcher import Matcher
from knowledge.models import ExampleQuestion, Fact, Outcome, QuestionOrigin
from knowledge.semantic import DIMENSIONS, default_encoder


def rep_fact(fact_id: int, answer: str, *questions: str) -> Fact:
    wordings = tuple(ExampleQuestion(text, QuestionOrigin.REP) for text in questions)
    return Fact(fact_id, answer, "note", answer, wordings)


WHY = rep_fact(
    10001, "We check your identity to keep your account safe.", "why do you verify my identity?"
)
HOW = rep_fact(
    10002,
    "To verify your identity, upload a photo of your passport in the app.",
    "how do I verify my identity?",
)
PARKING = rep_fact(
    10003, "Parking permits are issued by the facilities team.", "how do I get a parking permit?"
)


def test_the_encoder_loads_from_the_package_and_ranks_by_meaning() -> None:
    vectors = default_encoder().encode(
        ["who owns sscl", "which company owns SSCL", "what is the weather in Leeds", ""]
    )
    assert vectors.shape == (4, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


def test_a_huge_text_is_encoded_from_its_start() -> None:
    start = "how do I get a parking permit? "
    vectors = default_encoder().encode([start * 5000, start * 60])
    assert float(vectors[0] @ vectors[1]) > 0.999


def test_a_one_wording_fact_answers_its_wording_and_a_close_paraphrase() -> None:
    matcher = Matcher([WHY, PARKING])
    for question in ("how do I get a parking permit?", "how do i get a permit to park my car"):
        match = matcher.match(question)
        assert (match.outcome, match.fact_id) == (Outcome.ANSWER, PARKING.id), question


def test_a_few_wording_fact_does_not_answer_what_its_neighbour_means() -> None:
    """The question shares most words with the 'why' fact's wording but means the
    'how' fact: neither may be given as an answer unless it is clearly the closest."""
    matcher = Matcher([WHY, HOW, PARKING])
    match = matcher.match("what do i need to do to verify my identity?")
    assert match.fact_id != WHY.id
    offered = [match.fact_id, *(candidate.fact_id for candidate in match.suggestions)]
    assert HOW.id in offered


def test_did_you_mean_offers_the_fact_closest_in_meaning() -> None:
    match = Matcher([WHY, HOW, PARKING]).match("can i park my car here")
    assert match.outcome is Outcome.SUGGESTIONS
    assert match.suggestions[0].fact_id == PARKING.id


def test_a_question_sharing_no_word_with_any_fact_is_not_redirected() -> None:
    assert Matcher([WHY, HOW, PARKING]).match("what time does the canteen open?").outcome is (
        Outcome.UNANSWERED
    )


def test_facts_encoded_in_one_batch_get_the_vectors_they_get_one_by_one() -> None:
    encoder = default_encoder()
    facts = [WHY, HOW, PARKING, rep_fact(10004, "An answer without questions.")]
    batched = encoder.fact_vectors(facts)
    assert len(batched) == len(facts)
    for fact, vector in zip(facts, batched, strict=True):
        assert np.allclose(vector, encoder.fact_vectors([fact])[0], atol=1e-6)
