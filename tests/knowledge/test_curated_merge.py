"""Curated facts merged in the file: ``replaces = [...]`` retires the old fact in a database."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from knowledge.curated import SOURCES_FILE, Curated, load_curated
from knowledge.curated_sync import sync_curated
from knowledge.errors import FactNotFound, InvalidFact
from knowledge.facts import FactStore
from knowledge.models import ExampleQuestion, Fact, QuestionOrigin
from knowledge.proposals import ProposalQueue
from knowledge.unanswered import UnansweredLog

SOURCE = next(iter(load_curated().sources.values()))


def _fact(fact_id: int, answer: str, *questions: str) -> Fact:
    return Fact(
        id=fact_id,
        answer=answer,
        source_key=SOURCE.key,
        quote="",
        questions=tuple(ExampleQuestion(q, QuestionOrigin.CURATED) for q in questions),
    )


BEFORE = Curated(
    sources={SOURCE.key: SOURCE},
    facts=(
        _fact(1, "DBS runs the MoD's shared services.", "what is dbs"),
        _fact(2, "Serco manages DBS.", "who manages dbs"),
    ),
)
AFTER = Curated(
    sources={SOURCE.key: SOURCE},
    facts=(
        _fact(
            1,
            "DBS runs the MoD's shared services; Serco manages it.",
            "what is dbs",
            "who manages dbs",
        ),
    ),
    merged_into={2: 1},
)


@pytest.fixture
def store(db) -> FactStore:
    sync_curated(db, BEFORE)
    return FactStore(db)


def test_a_merged_fact_is_retired_and_keeps_its_history(db, store: FactStore) -> None:
    report = sync_curated(db, AFTER)
    assert report.retired == 1
    with pytest.raises(FactNotFound):
        store.fact(2)
    assert store.fact(1).answer == AFTER.facts[0].answer
    assert [entry.action for entry in store.history(2)] == ["load", "merged into fact 1"]
    assert store.count_facts() == 1


def test_what_members_taught_the_old_fact_moves_to_the_merged_one(db, store: FactStore) -> None:
    store.add_questions(2, ["whos in charge of dbs"], QuestionOrigin.LEARNED, "rep:Ann")
    ProposalQueue(db).propose("serco runs it?", 2)
    UnansweredLog(db).record(
        "is serco dbs", place="console", best_score=80, nearest_fact_id=2, rejected_fact_id=2
    )
    sync_curated(db, AFTER)
    merged = store.fact(1)
    assert ExampleQuestion("whos in charge of dbs", QuestionOrigin.LEARNED) in merged.questions
    assert [p.fact_id for p in ProposalQueue(db).pending()] == [1]
    assert UnansweredLog(db).rejected_fact_ids("is serco dbs") == {1}


def test_a_fact_a_rep_edited_is_never_retired(db, store: FactStore) -> None:
    store.edit_fact(2, actor="rep:Ann", answer="Serco manages DBS, says Ann.")
    report = sync_curated(db, AFTER)
    assert (report.retired, report.kept_rep_edits) == (0, 1)
    assert store.fact(2).answer == "Serco manages DBS, says Ann."


def test_retiring_again_does_nothing(db, store: FactStore) -> None:
    sync_curated(db, AFTER)
    report = sync_curated(db, AFTER)
    assert (report.added, report.updated, report.retired) == (0, 0, 0)


def test_a_new_database_never_holds_a_replaced_fact(db) -> None:
    curated = load_curated()
    sync_curated(db, curated)
    assert curated.merged_into, "the curated file merges facts"
    for old_id in curated.merged_into:
        with pytest.raises(FactNotFound):
            FactStore(db).fact(old_id)


@pytest.mark.parametrize(
    ("replaces", "message"),
    [("[1]", "still in the file"), ('["2"]', "list of fact ids"), ("[3, 3]", "replaced by both")],
)
def test_a_bad_replaces_list_is_refused(tmp_path: Path, replaces: str, message: str) -> None:
    sources = resources.files("knowledge.data").joinpath(SOURCES_FILE).read_text(encoding="utf-8")
    (tmp_path / SOURCES_FILE).write_text(sources, encoding="utf-8")
    (tmp_path / "facts.toml").write_text(
        f'[[fact]]\nid = 1\nreplaces = {replaces}\nsource = "{SOURCE.key}"\n'
        'answer = "A."\nquestions = ["q?"]\nquote = "q"\n',
        encoding="utf-8",
    )
    with pytest.raises(InvalidFact, match=message):
        load_curated(tmp_path)
