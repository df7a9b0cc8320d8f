"""Small talk through the real entry point: a friendly reply, nothing logged for reps."""

from __future__ import annotations

import json
from pathlib import Path

from knowledge.conversation import phrasebook
from tests.cli.test_run_bot import run_bot


def test_ask_replies_to_small_talk_with_how_to_ask(db_path: Path) -> None:
    result = run_bot("ask", "hiya, what can you do?", db=db_path)

    assert result.returncode == 0, result.stderr
    assert phrasebook().example_question in result.stdout
    assert "logged" not in result.stdout and "Source:" not in result.stdout
    listed = run_bot("unanswered", "list", db=db_path)
    assert "what can you do" not in listed.stdout


def test_ask_json_says_a_message_is_conversation(db_path: Path) -> None:
    result = run_bot("ask", "--json", db=db_path, stdin="thanks!\nhi, who owns sscl?\n")

    assert result.returncode == 0, result.stderr
    thanks, question = (json.loads(line) for line in result.stdout.splitlines())
    assert (thanks["outcome"], thanks["conversation"]) == ("conversation", "thanks")
    assert not thanks["answered"] and thanks["fact_id"] is None and thanks["suggestions"] == []
    assert (question["outcome"], question["conversation"]) == ("answer", None)
    assert question["answered"]
