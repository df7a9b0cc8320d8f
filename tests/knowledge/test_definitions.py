"""Questions asking what a name is are answered only by a fact that says what it is."""

from __future__ import annotations

import dataclasses

import pytest

from knowledge.analysis import Analyser
from knowledge.curated import load_curated
from knowledge.definitions import asks_what_it_is, passages_saying_what_it_is, with_family
from knowledge.lexicon import default_lexicon
from knowledge.matcher import NAME_WEIGHT, Matcher
from knowledge.models import ExampleQuestion, Fact, Outcome

ANALYSER = Analyser(default_lexicon())


def asks(question: str) -> bool:
    return asks_what_it_is(ANALYSER.analyse(question), NAME_WEIGHT)


@pytest.mark.parametrize(
    "question",
    [
        "what is DBS",
        "whats ngss",
        "what's pcs",
        "what are corporate shared services",
        "css - what's that",
        "issc2 what is it",
        "what does css mean",
        "dsg meaning",
        "what does DSg stand for",
        "pcs acronym",
    ],
)
def test_a_question_asking_what_a_name_is(question: str) -> None:
    assert asks(question)


@pytest.mark.parametrize(
    "question",
    [
        "what did serwotka say about jobs",
        "what is the pick and mix approach",  # everyday words, not a name
        "what is dbs doing about pay and pensions",
        "what is the dsg circular about",
        "who runs dbs",
        "is dbs being privatised",
    ],
)
def test_a_question_asking_something_else(question: str) -> None:
    assert not asks(question)


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        ("DBS stands for Defence Business Services.", {"DBS"}),
        (
            "Run by Defence Business Services (DBS) for the MoD.",
            {"Run by Defence Business Services", "DBS"},
        ),
        (
            "The new organisation is called Shared Services Connected Limited.",
            {"Shared Services Connected Limited."},
        ),
        ("The 2013 article describes Steria as a French IT company.", {"Steria"}),
        ("Georgina O'Toole is an analyst at TechMarketView.", {"Georgina O'Toole"}),
        ("A PCS spokesperson (not named in the article) said so.", set()),  # an aside
        ("PCS says it will be pressing for an in-house option.", set()),
    ],
)
def test_the_passages_where_an_answer_says_what_something_is(answer: str, named: set[str]) -> None:
    assert set(passages_saying_what_it_is(answer)) == named


def test_saying_what_a_numbered_name_is_says_what_its_family_is() -> None:
    assert with_family({"issc2", "dbs", "2014"}) == {"issc2", "issc", "dbs", "2014"}


def _fact(fact_id: int, answer: str, *questions: str) -> Fact:
    return dataclasses.replace(
        load_curated().facts[0],
        id=fact_id,
        answer=answer,
        quote=answer,
        questions=tuple(ExampleQuestion(text) for text in questions),
        keywords=(),
    )


MENTIONS = _fact(
    2,
    "The civil servants in DBS have hit every target set for them.",
    "has dbs hit its targets",
    "how well has dbs done",
)


def test_only_the_curated_fact_saying_what_dbs_is_answers_what_it_is() -> None:
    facts = load_curated().facts
    defining = next(fact for fact in facts if fact.answer.startswith("DBS stands for"))
    matcher = Matcher(facts)
    question = "what is defence business services"
    assert matcher.match(question).fact_id == defining.id
    # Others mention DBS ("the civil servants in DBS have delivered…"): none says what it is.
    assert matcher.match(question, excluded_fact_ids={defining.id}).outcome is not Outcome.ANSWER


def test_a_fact_that_only_mentions_the_name_is_suggested_never_given() -> None:
    matcher = Matcher([MENTIONS])
    match = matcher.match("what is dbs")
    assert match.outcome is Outcome.SUGGESTIONS
    assert [candidate.fact_id for candidate in match.suggestions] == [2]
    # The same fact still answers what it does say.
    assert matcher.match("has dbs hit its targets").fact_id == 2


def test_a_fact_given_the_very_wording_answers_it_whatever_it_says() -> None:
    # A curator or rep taught this fact the question word for word.
    taught = dataclasses.replace(
        MENTIONS, questions=(*MENTIONS.questions, ExampleQuestion("what is dbs"))
    )
    match = Matcher([taught]).match("what is dbs")
    assert (match.outcome, match.fact_id) == (Outcome.ANSWER, 2)
