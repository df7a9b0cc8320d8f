"""Passages through the real entry point: `ask` labels them, `ask --json` lists them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.documents import write
from tests.cli.test_run_bot import run_bot

TEXT = (
    "Branch circular 7\n\n"
    "The employer has confirmed that 120 posts in the payroll team will move to Newport.\n\n"
    "Branch officers will meet the employer on Monday to discuss relocation expenses and "
    "flexible working for staff who cannot move."
)
META = ["--title", "Branch circular 7", "--kind", "circular", "--issuer", "PCS", "--date", "2024"]
QUESTION = "when will branch officers meet the employer about relocation"


def test_ask_shows_a_passage_as_no_checked_answer_and_json_lists_it(
    db_path: Path, tmp_path: Path
) -> None:
    document = write(tmp_path / "c7.txt", TEXT)
    added = run_bot("sources", "add", str(document), *META, db=db_path)
    assert added.returncode == 0, added.stderr

    shown = run_bot("ask", QUESTION, db=db_path)
    assert shown.returncode == 0, shown.stderr
    assert "Not a checked answer" in shown.stdout
    assert "Branch circular 7 (PCS, 2024)" in shown.stdout
    assert "Branch officers will meet the employer on Monday" in shown.stdout

    listed = run_bot("ask", "--json", db=db_path, stdin=f"{QUESTION}\nwho owns sscl\n")
    offered, answered = (json.loads(line) for line in listed.stdout.splitlines())
    [passage] = offered["passages"]
    assert passage["source"] == "branch-circular-7" and passage["quote"] in TEXT
    assert passage["score"] > 0
    assert answered["answered"] and answered["passages"] == []


def test_unanswered_list_says_which_passages_a_question_was_offered(
    db_path: Path, tmp_path: Path
) -> None:
    run_bot("sources", "add", str(write(tmp_path / "c7.txt", TEXT)), *META, db=db_path)
    run_bot("ask", QUESTION, db=db_path)
    run_bot("ask", "what time does the canteen open", db=db_path)

    listed = run_bot("unanswered", "list", db=db_path)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    asked = next(n for n, line in enumerate(lines) if "when will branch officers" in line)
    assert lines[asked + 1].split() == ["offered:", "Branch", "circular", "7", "\u00b63"]
    canteen = next(n for n, line in enumerate(lines) if "canteen" in line)
    assert "offered" not in "".join(lines[canteen + 1 : canteen + 2])
