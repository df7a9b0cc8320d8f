"""The matcher's index: pruning never changes a decision, and edits keep it exact."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.synthetic import knowledge_base, question_mix
from knowledge.curated import load_curated
from knowledge.matcher import Matcher
from knowledge.matcher.decision import Decision
from knowledge.models import ExampleQuestion, Fact, Match

CURATED = load_curated()
MATCHER = Matcher(CURATED.facts)
CURATED_QUESTIONS = [text for fact in CURATED.facts[::5] for text in fact.question_texts[:3]]
WORDS = sorted({word for fact in CURATED.facts for word in fact.answer.lower().split()})


def unpruned(matcher: Matcher, question: str, monkeypatch: pytest.MonkeyPatch) -> Match:
    """The decision when every fact escaping the vetoes is scored in full."""
    with monkeypatch.context() as patched:
        patched.setattr(Decision, "could_change", lambda *_: True)
        return matcher.match(question)


@pytest.mark.parametrize("question", CURATED_QUESTIONS)
def test_pruning_gives_the_decision_of_scoring_every_fact(
    question: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert MATCHER.match(question) == unpruned(MATCHER, question, monkeypatch)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8))
def test_pruning_is_exact_for_any_bag_of_the_facts_words(words: list[str]) -> None:
    question = " ".join(words)
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert MATCHER.match(question) == unpruned(MATCHER, question, monkeypatch)


def test_pruning_is_exact_on_a_large_generated_knowledge_base(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    facts = knowledge_base(CURATED.facts, 600, seed=3)
    matcher = Matcher(facts)
    for question in question_mix([fact.question_texts for fact in facts], 80, seed=4):
        pruned = matcher.match(question)
        full = unpruned(matcher, question, monkeypatch)
        # Generated facts may tie exactly; the decision and the scores must agree.
        assert (pruned.outcome, pruned.score) == (full.outcome, full.score)
        assert [c.score for c in pruned.suggestions] == [c.score for c in full.suggestions]


def test_edits_leave_the_same_decisions_as_a_fresh_index() -> None:
    """Re-adding every fact twice leaves dead slots behind and compacts them away."""
    edited = Matcher(CURATED.facts)
    for _ in range(2):
        for fact in CURATED.facts:
            edited.upsert(fact)
    assert len(edited) == len(CURATED.facts)
    for question in CURATED_QUESTIONS:
        assert edited.match(question) == MATCHER.match(question)


@pytest.mark.parametrize(
    "facts", [iter(CURATED.facts), tuple(CURATED.facts)], ids=["once", "twice"]
)
def test_facts_read_once_or_re_read_give_the_same_index(facts: Iterable[Fact]) -> None:
    """The matcher reads its facts twice; an iterator, which can be read once, is copied."""
    matcher = Matcher(facts)
    assert len(matcher) == len(CURATED.facts)
    for question in CURATED_QUESTIONS:
        assert matcher.match(question) == MATCHER.match(question)


def test_an_edited_fact_answers_its_new_wording_and_not_its_old() -> None:
    matcher = Matcher(CURATED.facts)
    fact = dataclasses.replace(
        CURATED.facts[0],
        id=10_001,
        answer="The branch banner is purple.",
        quote="The branch banner is purple.",
        questions=(ExampleQuestion("what colour is the branch banner"),),
        keywords=("banner",),
    )
    matcher.upsert(fact)
    assert matcher.match("what colour is the branch banner").fact_id == 10_001
    matcher.upsert(
        dataclasses.replace(
            fact,
            answer="The branch flag is green.",
            quote="The branch flag is green.",
            questions=(ExampleQuestion("what colour is the branch flag"),),
            keywords=("flag",),
        )
    )
    assert matcher.match("what colour is the branch flag").fact_id == 10_001
    assert matcher.match("what colour is the branch banner").fact_id != 10_001
