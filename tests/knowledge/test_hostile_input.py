"""Hostile input to the matcher and the whole ask path: never an exception."""

from __future__ import annotations

from hypothesis import given

from knowledge.base import KnowledgeBase
from knowledge.curated import load_curated
from knowledge.errors import InvalidQuestion
from knowledge.matcher import Matcher
from knowledge.models import Outcome
from tests.hostile import HOSTILE_SETTINGS, any_text

MATCHER = Matcher(load_curated().facts)
FACT_IDS = {fact.id for fact in load_curated().facts}


@HOSTILE_SETTINGS
@given(question=any_text)
def test_the_matcher_decides_any_text(question: str) -> None:
    match = MATCHER.match(question)
    assert match.outcome in Outcome
    if match.outcome is Outcome.ANSWER:
        assert match.fact_id in FACT_IDS
    assert {candidate.fact_id for candidate in match.suggestions} <= FACT_IDS


@HOSTILE_SETTINGS
@given(question=any_text)
def test_asking_anything_replies_or_refuses_by_name(kb: KnowledgeBase, question: str) -> None:
    tables_before = kb._db.table_names()
    try:
        reply = kb.ask(question, place="channel:1")
    except InvalidQuestion:
        assert not question.strip()
        return
    assert reply.answered == (reply.fact is not None)
    if reply.match.outcome is Outcome.UNANSWERED and kb._matcher.carries_content(question):
        assert reply.logged is not None and len(reply.logged.text) <= 2_000
    else:
        assert reply.logged is None or reply.match.outcome is Outcome.SUGGESTIONS
    assert kb._db.table_names() == tables_before  # "DROP TABLE" stays text
