"""The real entry point, run as a user would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.curated import load_curated, parse_facts
from knowledge.database import open_database
from knowledge.models import Outcome
from tests.conftest import PROJECT_ROOT

JSON_KEYS = {
    "question",
    "error",
    "outcome",
    "conversation",
    "answered",
    "fact_id",
    "answer",
    "score",
    "sources",
    "suggestions",
    "passages",
}


def run_bot(*args: str, db: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_PATH"}
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "run_bot.py"), "--db", str(db), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=environment,
        timeout=60,
    )


def test_ask_prints_an_answer_with_its_source_and_quote(db_path: Path) -> None:
    result = run_bot("ask", "who owns sscl?", db=db_path)
    assert result.returncode == 0, result.stderr
    assert "25 percent" in result.stdout
    assert "Source:" in result.stdout and "Quote:" in result.stdout


def test_ask_logs_what_it_cannot_answer(db_path: Path) -> None:
    result = run_bot("ask", "recommend a film for tonight", db=db_path)
    assert result.returncode == 0
    assert "logged" in result.stdout
    listed = run_bot("unanswered", "list", db=db_path)
    assert "recommend a film for tonight" in listed.stdout


def test_questions_that_got_suggestions_are_listed_last_and_marked(db_path: Path) -> None:
    kb = KnowledgeBase.open(db_path)
    for question in ("is my pension safe with sscl", "is my pension safe with sscl?"):
        assert kb.ask(question, place="console").match.outcome is Outcome.SUGGESTIONS
    kb.ask("recommend a film for tonight", place="console")
    kb.close()
    listed = run_bot("unanswered", "list", db=db_path).stdout.splitlines()
    assert ["recommend a film" in line for line in listed] == [True, False]
    assert "suggested" in listed[1] and "asked 2x" in listed[1]
    assert "suggested" not in listed[0]


def test_ask_json_answers_one_question_a_line(db_path: Path) -> None:
    questions = (
        "who owns sscl\n\nrecommend a film for tonight\n \t \n@everyone '; DROP TABLE facts; --\n"
    )
    result = run_bot("ask", "--json", db=db_path, stdin=questions)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 5, "one reply a line, blank lines too, so replies stay in step"
    assert all(set(line) == JSON_KEYS for line in lines)
    answered, blank, film, spaces, hostile = lines
    for empty, asked in ((blank, ""), (spaces, " \t ")):
        assert empty["question"] == asked and empty["error"] and not empty["answered"]
    assert answered["error"] is None and film["error"] is None
    assert answered["answered"] and answered["fact_id"] is not None
    assert answered["sources"][0]["quote"] and answered["sources"][0]["title"]
    assert not film["answered"] and film["fact_id"] is None and film["sources"] == []
    assert not hostile["answered"]


@pytest.mark.parametrize(
    "args",
    [
        ("facts", "show", "99999"),
        ("facts", "remove", "99999"),
        ("unanswered", "resolve", "99999", "--fact", "1"),
        ("ask", "   "),
        ("facts", "add", "--answer", "x", "--source", "nope", "--quote", "q", "--question", "q"),
    ],
)
def test_a_user_mistake_is_one_clear_line_and_a_non_zero_exit(db_path: Path, args) -> None:
    result = run_bot(*args, db=db_path)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_rep_can_add_edit_and_remove_a_fact(db_path: Path) -> None:
    added = run_bot(
        "facts",
        "add",
        "--answer",
        "The branch AGM is in May.",
        "--source",
        "pcs-dsg-circular-2014",
        "--quote",
        "",
        "--question",
        "when is the branch agm",
        db=db_path,
    )
    assert added.returncode == 0, added.stderr
    fact_id = added.stdout.split()[-1]
    assert "May" in run_bot("ask", "when is the branch agm", db=db_path).stdout
    assert run_bot("facts", "edit", fact_id, "--answer", "In June.", db=db_path).returncode == 0
    shown = run_bot("facts", "show", fact_id, db=db_path).stdout
    assert "In June." in shown and "edit by console" in shown
    assert run_bot("facts", "remove", fact_id, db=db_path).returncode == 0
    assert "June" not in run_bot("ask", "when is the branch agm", db=db_path).stdout


def test_dismiss_deletes_who_asked_to_be_notified(db_path: Path) -> None:
    """The README's promise: a member's notify request goes when its question is dismissed."""
    kb = KnowledgeBase.open(db_path)
    entry = kb.ask("recommend a film for tonight", place="dm").logged
    assert entry is not None
    kb.subscribe(entry.id, user_id="424242424242", channel_id="1")
    kb.close()

    result = run_bot("unanswered", "dismiss", str(entry.id), db=db_path)

    assert result.returncode == 0, result.stderr
    db = open_database(db_path)
    assert db["notify_requests"].count == 0
    assert db["unanswered"].get(entry.id)["status"] == "dismissed"
    db.close()


def test_export_then_import_round_trips(db_path: Path, tmp_path: Path) -> None:
    """Sources, facts, example questions and every fact's history come back exactly."""
    kb = KnowledgeBase.open(db_path)
    source = kb.sources()[0].key
    added = kb.add_fact(
        answer="A rep's fact.", source_key=source, quote="", questions=["reps fact"], actor="rep:1"
    )
    kb.edit_fact(added.id, answer="A rep's fact, edited.", actor="rep:2")
    kb.remove_fact(kb.facts()[0].id, actor="rep:3")
    kb.close()
    exported = run_bot("facts", "export", db=db_path)
    assert exported.returncode == 0
    actions = [
        (entry["action"], entry["actor"]) for entry in json.loads(exported.stdout)["fact_history"]
    ]
    assert {("add", "rep:1"), ("edit", "rep:2"), ("remove", "rep:3")} <= set(actions)
    dump = tmp_path / "facts.json"
    dump.write_text(exported.stdout, encoding="utf-8")
    copy = tmp_path / "copy.db"
    imported = run_bot("facts", "import", str(dump), db=copy)
    assert imported.returncode == 0, imported.stderr
    assert run_bot("facts", "export", db=copy).stdout == exported.stdout


def test_the_core_never_imports_discord() -> None:
    code = (
        "import sys, knowledge.base, knowledge.matcher, knowledge.facts, cli.main;"
        "sys.exit(1 if 'discord' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT).returncode == 0


def test_facts_export_as_toml_is_the_curated_format(db_path: Path) -> None:
    result = run_bot("facts", "export", "--format", "toml", db=db_path)
    assert result.returncode == 0, result.stderr
    facts = parse_facts(tomllib.loads(result.stdout))
    assert [fact.id for fact in facts] == [fact.id for fact in load_curated().facts]


def test_facts_review_lists_and_approves_proposals(db_path: Path) -> None:
    kb = KnowledgeBase.open(db_path)
    fact = kb.facts()[3]
    kb.choose("the wording a member chose", fact.id)
    kb.close()
    listed = run_bot("facts", "review", db=db_path)
    assert "the wording a member chose" in listed.stdout
    proposal_id = listed.stdout.split()[0]
    approved = run_bot("facts", "review", "--approve", proposal_id, db=db_path)
    assert approved.returncode == 0, approved.stderr
    assert (
        "the wording a member chose  [learned]"
        in run_bot("facts", "show", str(fact.id), db=db_path).stdout
    )
    assert run_bot("facts", "review", "--approve", proposal_id, db=db_path).returncode == 1


def test_ask_does_not_log_a_question_without_content(db_path: Path) -> None:
    result = run_bot("ask", "🙂🔥 ?!?", db=db_path)
    assert result.returncode == 0, result.stderr
    kb = KnowledgeBase.open(db_path)
    assert kb.unanswered_questions() == []
    kb.close()
