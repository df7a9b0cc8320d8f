"""`facts import --merge` and `unanswered export`, run as a rep would run them."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from knowledge.base import KnowledgeBase
from tests.cli.test_run_bot import run_bot
from tests.conftest import PROJECT_ROOT

CIRCULAR = "pcs-dsg-circular-2014"
HEADER = "answer,questions,source,quote,keywords\n"


def write_sheet(tmp_path: Path, body: str, name: str = "branch.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_merge_dry_run_then_apply(db_path: Path, tmp_path: Path) -> None:
    kb = KnowledgeBase.open(db_path)
    count, first = kb.count_facts(), kb.fact(1)
    kb.close()
    sheet = write_sheet(
        tmp_path,
        "The branch AGM is in May.,when is the branch agm;what month is the agm,"
        f"{CIRCULAR},,agm\n"
        f'"{first.answer}",,{first.source_key},"{first.quote}",\n',
    )

    dry = run_bot("facts", "import", "--merge", "--dry-run", str(sheet), db=db_path)
    assert dry.returncode == 0, dry.stderr
    assert "row 2: new" in dry.stdout and "row 3: unchanged, the same as fact 1" in dry.stdout
    assert "1 new, 0 changed, 1 unchanged, 0 refused" in dry.stdout
    assert "nothing changed" in dry.stdout
    assert "May" not in run_bot("ask", "when is the branch agm", db=db_path).stdout

    applied = run_bot("facts", "import", "--merge", str(sheet), db=db_path)
    assert applied.returncode == 0, applied.stderr
    new_id = applied.stdout.split("row 2: new fact ")[1].split()[0]
    assert "May" in run_bot("ask", "when is the branch agm", db=db_path).stdout
    assert "add by import:branch.csv" in run_bot("facts", "show", new_id, db=db_path).stdout
    kb = KnowledgeBase.open(db_path)
    assert kb.count_facts() == count + 1
    kb.close()


def test_merge_with_a_refused_row_lists_it_and_changes_nothing(
    db_path: Path, tmp_path: Path
) -> None:
    sheet = write_sheet(
        tmp_path,
        f"The branch AGM is in May.,when is the branch agm,{CIRCULAR},,\n"
        f"Pensions are safe.,is my pension safe,{CIRCULAR},the pensions are safe forever,\n"
        '=HYPERLINK("https://example.com"),click me,{CIRCULAR},,\n'
        "An answer.,a question,no-such-source,,\n",
    )
    result = run_bot("facts", "import", "--merge", str(sheet), db=db_path)
    assert result.returncode == 1
    assert result.stderr.startswith("error: nothing imported: 3 of 4 rows refused")
    assert len(result.stderr.strip().splitlines()) == 1
    refused = [line for line in result.stdout.splitlines() if ": refused: " in line]
    assert [line.split(":")[0] for line in refused] == ["row 3", "row 4", "row 5"]
    assert "the closest passage is" in refused[0]
    assert "formula" in refused[1] and "no source" in refused[2]
    assert "May" not in run_bot("ask", "when is the branch agm", db=db_path).stdout


def test_merge_of_an_unreadable_file_is_one_clear_line(db_path: Path, tmp_path: Path) -> None:
    missing_column = tmp_path / "branch.csv"
    missing_column.write_text("answer,questions,source\nA.,q,x\n", encoding="utf-8")
    for args in (
        ("facts", "import", "--merge", str(missing_column)),
        ("facts", "import", "--merge", str(tmp_path / "absent.csv")),
        ("facts", "import", "--dry-run", str(missing_column)),
    ):
        result = run_bot(*args, db=db_path)
        assert result.returncode == 1, args
        assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1


def test_unanswered_export_is_csv_most_asked_first_without_member_ids(
    db_path: Path, tmp_path: Path
) -> None:
    kb = KnowledgeBase.open(db_path)
    for _ in range(3):
        kb.ask("recommend a film for tonight", place="dm")
    formula = kb.ask('=HYPERLINK("https://example.com","click") recommend a cheese', place="dm")
    assert formula.logged is not None
    kb.subscribe(formula.logged.id, user_id="424242424242424242", channel_id="1")
    kb.close()

    result = run_bot("unanswered", "export", "--format", "csv", db=db_path)
    assert result.returncode == 0, result.stderr
    assert "424242424242424242" not in result.stdout
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "question",
        "times asked",
        "first asked",
        "last asked",
        "status",
        "nearest fact",
        "nearest fact's answer",
    ]
    assert rows[0]["question"] == "recommend a film for tonight"
    assert rows[0]["times asked"] == "3" and rows[0]["status"] == "open"
    # A spreadsheet shows it as the text the member typed, never runs it.
    assert rows[1]["question"].startswith("'=HYPERLINK(")

    sheet = tmp_path / "meeting.csv"
    written = run_bot("unanswered", "export", "--output", str(sheet), db=db_path)
    assert written.returncode == 0, written.stderr
    data = sheet.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)  # Excel reads it as UTF-8
    assert data[len(codecs.BOM_UTF8) :].decode("utf-8").replace("\r\n", "\n") == result.stdout


def test_the_readmes_spreadsheet_example_imports_as_written(db_path: Path, tmp_path: Path) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("```csv\n", 1)[1].split("```", 1)[0]
    sheet = tmp_path / "branch.csv"
    sheet.write_text(example, encoding="utf-8")
    result = run_bot("facts", "import", "--merge", str(sheet), db=db_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 new, 0 changed, 0 unchanged, 0 refused" in result.stdout
    again = run_bot("facts", "import", "--merge", str(sheet), db=db_path)
    assert "0 new, 0 changed, 2 unchanged, 0 refused" in again.stdout
    assert "nothing to change" in again.stdout
