"""Searching facts for browsing: ranked like answers, and nothing logged or counted."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from knowledge.errors import InvalidQuestion


def test_the_answering_fact_comes_first(kb: KnowledgeBase) -> None:
    answering = kb.ask("who owns sscl", place="console").fact
    assert answering is not None
    assert kb.search("who owns sscl")[0] == answering


def test_words_found_in_a_fact_find_it(kb: KnowledgeBase) -> None:
    found = kb.search("ISSC2", limit=3)
    assert 0 < len(found) <= 3
    assert all("issc2" in " ".join((f.answer, *f.question_texts)).lower() for f in found)


def test_searching_logs_and_counts_nothing(kb: KnowledgeBase) -> None:
    kb.search("recommend a film for tonight")
    kb.search("who owns sscl")
    assert kb.unanswered_questions() == []
    assert kb.stats(1).asked == 0


def test_nothing_matches_nonsense(kb: KnowledgeBase) -> None:
    assert kb.search("zebra crossing") == []


def test_an_empty_search_is_refused(kb: KnowledgeBase) -> None:
    with pytest.raises(InvalidQuestion):
        kb.search("  ")
