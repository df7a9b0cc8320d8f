"""Storage against real SQLite: schema, curated loading, rep changes, history, export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.curated import load_curated
from knowledge.curated_sync import sync_curated
from knowledge.database import MIGRATIONS, open_database
from knowledge.errors import FactNotFound, InvalidFact, SourceNotFound
from knowledge.facts import REP_FACT_ID_START, FactStore
from knowledge.models import Outcome

CURATED = load_curated()


def test_a_new_database_is_migrated_with_wal_foreign_keys_and_a_busy_timeout(db) -> None:
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5_000
    assert {"facts", "sources", "fact_history", "unanswered"} <= set(db.table_names())


def test_opening_again_keeps_the_schema_version(db_path: Path) -> None:
    open_database(db_path).close()
    again = open_database(db_path)
    assert again.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_first_use_loads_every_curated_fact(kb: KnowledgeBase) -> None:
    assert kb.count_facts() == len(CURATED.facts)
    first = CURATED.facts[0]
    assert kb.fact(first.id) == first


def test_loading_again_is_idempotent(db) -> None:
    sync_curated(db, CURATED)
    report = sync_curated(db, CURATED)
    assert (report.added, report.updated) == (0, 0)
    assert db.execute("SELECT count(*) FROM fact_history").fetchone()[0] == len(CURATED.facts)


def test_loading_never_overwrites_a_reps_edit_or_removal(db) -> None:
    store = FactStore(db)
    sync_curated(db, CURATED)
    edited, removed = CURATED.facts[0].id, CURATED.facts[1].id
    store.edit_fact(edited, actor="rep:Ann", answer="Ann's corrected answer.")
    store.remove_fact(removed, actor="rep:Ann")
    report = sync_curated(db, CURATED)
    assert report.kept_rep_edits == 2
    assert store.fact(edited).answer == "Ann's corrected answer."
    with pytest.raises(FactNotFound):
        store.fact(removed)


def test_removal_is_soft_and_every_change_is_in_the_history(kb: KnowledgeBase) -> None:
    fact_id = CURATED.facts[0].id
    kb.edit_fact(fact_id, actor="rep:Ann", keywords=["new keyword"])
    kb.remove_fact(fact_id, actor="rep:Bob")
    actions = [(entry.action, entry.actor) for entry in kb.fact_history(fact_id)]
    assert actions == [("load", "curated file"), ("edit", "rep:Ann"), ("remove", "rep:Bob")]
    assert kb._db.execute("SELECT removed FROM facts WHERE id = ?", [fact_id]).fetchone()[0] == 1


def test_a_reps_fact_is_numbered_apart_and_answerable_at_once(kb: KnowledgeBase) -> None:
    question = "when is the branch christmas social"
    assert kb.ask(question, place="console").match.outcome is not Outcome.ANSWER
    fact = kb.add_fact(
        answer="The branch Christmas social is on 12 December.",
        source_key="steria-article-2013",
        quote="",
        questions=["when is the christmas social", "date of the branch christmas party"],
        actor="rep:Ann",
    )
    assert fact.id >= REP_FACT_ID_START
    assert kb.ask(question, place="console").fact == fact


@pytest.mark.parametrize(
    "change",
    [
        {"answer": "   "},
        {"questions": []},
        {"answer": "x" * 5_000},
        {"questions": ["q" * 1_000]},
    ],
)
def test_an_invalid_fact_is_refused_and_nothing_changes(kb: KnowledgeBase, change) -> None:
    fact_id = CURATED.facts[0].id
    before = kb.fact(fact_id)
    with pytest.raises(InvalidFact):
        kb.edit_fact(fact_id, actor="rep:Ann", **change)
    assert kb.fact(fact_id) == before
    assert len(kb.fact_history(fact_id)) == 1


def test_an_unknown_source_is_refused(kb: KnowledgeBase) -> None:
    with pytest.raises(SourceNotFound):
        kb.add_fact(answer="a", source_key="nope", quote="", questions=["q"], actor="rep:Ann")


def test_text_that_looks_like_sql_is_stored_literally(kb: KnowledgeBase) -> None:
    text = "Robert'); DROP TABLE facts; --"
    fact = kb.add_fact(
        answer=text, source_key="steria-article-2013", quote="", questions=[text], actor=text
    )
    assert kb.fact(fact.id).answer == text
    assert kb.fact_history(fact.id)[0].actor == text


def test_export_then_import_round_trips_exactly(kb: KnowledgeBase, tmp_path: Path) -> None:
    kb.edit_fact(CURATED.facts[0].id, actor="rep:Ann", answer="Edited.")
    exported = kb.export()
    copy = KnowledgeBase(open_database(tmp_path / "copy.db"))
    copy.import_(json.loads(json.dumps(exported)))
    assert copy.export() == exported


def test_import_refuses_a_database_that_has_facts(kb: KnowledgeBase) -> None:
    with pytest.raises(InvalidFact):
        kb.import_(kb.export())
