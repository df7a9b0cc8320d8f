"""`run_bot.py sources add` with hostile documents: one clear line, nothing stored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.documents import write
from tests.cli.test_sources import META, one_line_error, run_bot, run_script
from tests.knowledge import hostile_documents as hostile
from tests.knowledge.test_documents import HOSTILE


@pytest.mark.parametrize(("name", "build", "says"), HOSTILE, ids=[case[0] for case in HOSTILE])
def test_a_hostile_document_is_refused_in_one_line_and_nothing_is_stored(
    db_path: Path, tmp_path: Path, name: str, build: Callable[[], bytes], says: str
) -> None:
    before = run_bot("sources", "list", db=db_path).stdout
    result = run_bot("sources", "add", str(write(tmp_path / name, build())), *META, db=db_path)
    assert says in one_line_error(result)
    assert run_bot("sources", "list", db=db_path).stdout == before


def test_the_inflating_docx_is_refused_by_the_script_itself(db_path: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "bomb.docx", hostile.inflating_docx())
    before = run_script("sources", "list", db=db_path).stdout
    result = run_script("sources", "add", str(path), *META, db=db_path)
    assert "20 MB limit" in one_line_error(result)
    assert run_script("sources", "list", db=db_path).stdout == before
