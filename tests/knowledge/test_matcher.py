"""The matcher's three outcomes, on the curated facts, with questions written for these tests."""

from __future__ import annotations

import dataclasses

import pytest

from knowledge.analysis import Analyser
from knowledge.curated import load_curated
from knowledge.lexicon import default_lexicon
from knowledge.matcher import Matcher
from knowledge.matcher.decision import Decision
from knowledge.matcher.index import FactIndex
from knowledge.matcher.meaning import meaning_of
from knowledge.models import ExampleQuestion, Fact, Outcome
from knowledge.semantic import default_encoder

CURATED = load_curated()
FACTS = {fact.id: fact for fact in CURATED.facts}
MATCHER = Matcher(CURATED.facts)


def answer_text(question: str) -> str:
    match = MATCHER.match(question)
    assert match.outcome is Outcome.ANSWER, f"{question!r} was not answered: {match}"
    assert match.fact_id is not None
    fact = FACTS[match.fact_id]
    return f"{fact.answer} {fact.quote}".lower()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what stake does the government hold in sscl", "25"),
        ("how much is the steria contract worth", "500"),
        ("who runs defence business services", "serco"),
        ("what does DBS stand for", "defence business services"),
        ("whos the pcs general sec", "serwotka"),
        ("when was the issc1 contract given out", "march"),
        ("is there a petition", "petition"),
        ("who manges dbs", "serco"),
        # a lead-in before the question
        ("been at dwp 15 yrs and the office is panicking. who is taking over our work?", "steria"),
        ("Sorry if this was asked already, I'm new here. What does SSCL stand for?", "connected"),
    ],
)
def test_answers_with_the_fact_that_says_it(question: str, expected: str) -> None:
    assert expected in answer_text(question)


@pytest.mark.parametrize(
    "question",
    [
        "how much will my salary be cut?",
        "which country will the work go to?",
        "what is Stephen Kelly's email address",
        "what's the weather like in Leeds",
        "how many redundancies has Serco made",
        "when will my office close?",
        "SSCL is 40% owned by the government, right?",
        "which offices will close?",
        "my mate says theirs is shutting and nobody tells us anything. which sites are closing?",
        "been reading about this all night. which countries will the work go to?",
    ],
)
def test_abstains_on_what_the_documents_do_not_say(question: str) -> None:
    assert MATCHER.match(question).outcome is not Outcome.ANSWER


@pytest.mark.parametrize(
    "question",
    [
        "",
        "   \n\t ",
        "🤔🤔🤔",
        "x" * 100_000,
        "who owns sscl " * 10_000,
        "\x00\x01\x02 control \x1b[31m",
        "zero\u200b\u200dwidth\ufeff",
        "\u202eright to left\u202c مرحبا שלום",
        "中文问题是什么",
        "'; DROP TABLE facts; --",
        "```python\nprint('hi')\n```",
        "@everyone @here <@123> <@&456>",
    ],
)
def test_any_text_gets_a_well_formed_decision(question: str) -> None:
    match = MATCHER.match(question)
    assert match.outcome in set(Outcome)
    assert 0.0 <= match.score <= 100.0
    if match.outcome is Outcome.ANSWER:
        assert match.fact_id in FACTS
    assert len(match.suggestions) <= 3


def test_a_close_race_suggests_instead_of_answering() -> None:
    match = MATCHER.match("sscl")
    assert match.outcome in {Outcome.SUGGESTIONS, Outcome.ANSWER}
    if match.outcome is Outcome.SUGGESTIONS:
        assert 1 <= len(match.suggestions) <= 3
        assert match.fact_id is None


def test_a_new_fact_is_answerable_at_once_and_a_removed_one_is_not() -> None:
    matcher = Matcher(CURATED.facts)
    question = "what colour is the union banner at the branch office"
    assert matcher.match(question).outcome is not Outcome.ANSWER
    new = dataclasses.replace(
        CURATED.facts[0],
        id=10_001,
        answer="The branch banner is purple.",
        quote="The branch banner is purple.",
        questions=(ExampleQuestion("what colour is the branch banner"),),
        keywords=("banner", "colour"),
    )
    matcher.upsert(new)
    assert matcher.match(question).fact_id == 10_001
    matcher.remove(10_001)
    assert matcher.match(question).outcome is not Outcome.ANSWER


def test_an_excluded_fact_is_never_given() -> None:
    first = MATCHER.match("who runs defence business services")
    assert first.fact_id is not None
    again = MATCHER.match("who runs defence business services", excluded_fact_ids={first.fact_id})
    assert again.fact_id != first.fact_id


@pytest.mark.parametrize(
    ("question", "head"),
    [
        ("which payroll system will they use", {"payrol", "system"}),  # stems
        ("what can i do to help", set()),  # "i": grammar, not a subject
        ("what was the union's warning when it broke", {"warn"}),  # not "when"
        ("what i actually wanted to ask was who owns it", set()),  # after grammar: no head
        ("which organisations does pcs work with", set()),  # a category, not a subject
        ("which bodies lose payroll staff", set()),
        ("what exactly is the union asking members to do", set()),  # chat adverb
        ("who actually runs it", set()),
        ("who is the dsg group secretary?", {"secretari"}),  # the role asked for
        ("who is the union leader", {"gensec"}),  # a synonym's canonical term
    ],
)
def test_a_question_is_about_its_head_words_never_its_grammar(
    question: str, head: set[str]
) -> None:
    assert Analyser(default_lexicon()).analyse(question).focus == head


def test_a_misspelt_question_word_is_read_as_that_word_not_as_a_rare_term() -> None:
    analysis = Analyser(default_lexicon(), vocabulary=["deal", "signed"]).analyse(
        "wen was the deal signed"
    )
    assert "wen" not in analysis.terms
    assert "time" in analysis.question_types


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("who runs the ministry of defence shared services", "mod"),
        ("is my job going out of the country", "offshore"),
        ("who is in charge of dbs", "manage"),
    ],
)
def test_a_synonym_with_filler_words_in_it_is_still_recognised(question: str, term: str) -> None:
    assert term in Analyser(default_lexicon()).analyse(question).terms


@pytest.mark.parametrize(
    ("ranked", "outcome"),
    [
        ([(1, 100.0), (2, 97.0)], Outcome.ANSWER),  # one of fact 1's own wordings
        ([(1, 100.0), (2, 100.0)], Outcome.SUGGESTIONS),  # both facts have that wording
        ([(1, 90.0), (2, 87.0)], Outcome.SUGGESTIONS),  # a close race below an exact match
        ([(1, 90.0), (2, 85.0)], Outcome.ANSWER),
    ],
)
def test_an_exact_wording_answers_however_close_the_runner_up(
    ranked: list[tuple[int, float]], outcome: Outcome
) -> None:
    two_curated = FactIndex(CURATED.facts[:2], Analyser(default_lexicon()), default_encoder())
    decision = Decision(two_curated, meaning_of(two_curated, "a question", []))
    by_slot = [(slot - 1, score) for slot, score in ranked]
    assert decision.outcome(by_slot).outcome is outcome


@pytest.mark.parametrize(
    ("question", "terms"),
    [("whats d b s", ("dbs",)), ("wht does p c s mean", ("pcs", "mean")), ('{"x":1}', ("1",))],
)
def test_letters_typed_one_by_one_are_one_word_and_a_lone_letter_is_nothing(
    question: str, terms: tuple[str, ...]
) -> None:
    assert Analyser(default_lexicon(), vocabulary=["dbs", "pcs"]).analyse(question).terms == terms


@pytest.mark.parametrize(
    "question", ["is there somewhere i can read news", "i can read news anywhere"]
)
def test_an_indefinite_place_word_is_not_content(question: str) -> None:
    # "is there somewhere I can…" asks "where can I…": "somewhere" names nothing
    # a fact could cover, and as a fairly rare word it outweighed what was asked.
    assert Analyser(default_lexicon()).analyse(question).terms == ("i", "can", "read", "news")


def test_an_everyday_word_is_not_taken_for_a_synonym_that_stems_like_it() -> None:
    # "publicize" stems to "public": as a variant of "publicise" it made every
    # "public" (public sector, public hands) a rare term that vetoed most facts.
    terms = Analyser(default_lexicon()).analyse("should dbs stay in public hands").terms
    assert "publicise" not in terms


def test_a_fact_two_of_its_texts_support_answers_over_one_a_single_stray_text_resembles() -> None:
    def fact(fact_id: int, answer: str, *questions: str) -> Fact:
        return dataclasses.replace(
            CURATED.facts[0],
            id=fact_id,
            answer=answer,
            quote=answer,
            questions=tuple(ExampleQuestion(text) for text in questions),
            keywords=(),
        )

    # Both hold the same example question; only the second has another text like it.
    stray = fact(
        1,
        "The car park at head office is being resurfaced.",
        "is the head office canteen closing",
        "is the car park being resurfaced",
    )
    supported = fact(
        2,
        "The canteen at head office is closing.",
        "is the head office canteen closing",
        "is the canteen at head office going to shut",
    )
    matcher = Matcher([stray, supported])
    question = "is the canteen at head office closing down"
    best = matcher.match(question)
    without_supported = matcher.match(question, excluded_fact_ids={2})
    assert (best.outcome, best.fact_id) == (Outcome.ANSWER, 2)  # not a close race
    assert without_supported.nearest_fact_id == 1
    assert best.score > without_supported.score
