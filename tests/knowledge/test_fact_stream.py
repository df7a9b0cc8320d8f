"""The store's streaming reader: the same facts as ``facts()``, one at a time, afresh each pass."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
import sqlite_utils

from knowledge.base import KnowledgeBase
from knowledge.curated import Curated, load_curated
from knowledge.curated_sync import sync_curated
from knowledge.database import open_database, read_transaction
from knowledge.facts import FactStore
from knowledge.matcher import Matcher
from knowledge.models import ExampleQuestion, Fact, QuestionOrigin

CURATED = load_curated()


@pytest.fixture
def store(db: sqlite_utils.Database) -> FactStore:
    store = FactStore(db)
    sync_curated(db, CURATED)
    return store


def test_it_yields_every_fact_by_id_with_its_questions_in_order(store: FactStore) -> None:
    store.add_questions(3, ["a taught wording of fact three"], QuestionOrigin.LEARNED, "rep")
    store.remove_fact(2, actor="rep")  # its questions sit between facts 1 and 3
    streamed = list(store.iter_facts())
    assert [fact.id for fact in streamed] == sorted(f.id for f in CURATED.facts if f.id != 2)
    assert streamed == [store.fact(fact.id) for fact in streamed]
    third = next(fact for fact in streamed if fact.id == 3)
    assert third.questions[-1] == ExampleQuestion(
        "a taught wording of fact three", QuestionOrigin.LEARNED
    )


def test_a_fact_whose_questions_were_all_replaced_keeps_only_the_new_ones(
    store: FactStore,
) -> None:
    store.edit_fact(5, actor="rep", questions=["only this one"])
    (fact,) = [fact for fact in store.iter_facts() if fact.id == 5]
    assert fact.question_texts == ("only this one",)


def test_each_pass_of_the_stream_reads_the_database_afresh(store: FactStore) -> None:
    stream = store.fact_stream()
    first = list(stream)
    store.remove_fact(CURATED.facts[0].id, actor="rep")
    second = list(stream)
    assert first[1:] == second
    assert list(stream) == second


def test_within_a_read_transaction_both_passes_see_one_snapshot(
    store: FactStore, db: sqlite_utils.Database, db_path: Path
) -> None:
    stream = store.fact_stream()
    with read_transaction(db):
        first = list(stream)
        other = open_database(db_path)
        FactStore(other).remove_fact(CURATED.facts[0].id, actor="rep")
        other.close()
        assert list(stream) == first
    assert len(list(stream)) == len(first) - 1


def test_the_knowledge_base_answers_as_a_matcher_built_from_the_list(kb: KnowledgeBase) -> None:
    from_list = Matcher(kb.facts())
    for fact in CURATED.facts:
        for question in fact.question_texts:
            assert kb._matcher.match(question) == from_list.match(question)


def _many_facts(count: int) -> Curated:
    source = next(iter(CURATED.sources.values()))
    return Curated(
        sources={source.key: source},
        facts=tuple(
            Fact(
                id=number,
                answer=f"Answer number {number} about the contract, {'words ' * 20}",
                source_key=source.key,
                quote="",
                questions=tuple(
                    ExampleQuestion(f"question {q} about fact {number}", QuestionOrigin.CURATED)
                    for q in range(5)
                ),
            )
            for number in range(1, count + 1)
        ),
    )


def test_reading_one_fact_does_not_load_them_all(db: sqlite_utils.Database) -> None:
    store = FactStore(db)
    sync_curated(db, _many_facts(3_000))
    tracemalloc.start()
    try:
        facts = store.iter_facts()
        first = next(facts)
        _, streamed_peak = tracemalloc.get_traced_memory()
        del facts
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        everything = store.facts()
        _, listed_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first.id == 1 and len(everything) == 3_000
    assert streamed_peak < (listed_peak - before) / 20
