"""`run_bot.py sources …` and quote checks, through the real entry point."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cli.main import run
from knowledge.curated import SHIPPED_DOCUMENTS, load_curated
from knowledge.documents import MAX_DOCUMENT_BYTES
from tests.cli.documents import scanned_pdf, text_pdf, word_docx, write
from tests.conftest import PROJECT_ROOT

LINES = [
    "Branch circular 7: payroll moves.",
    "The employer has confirmed that 120 posts in the payroll team will move to Newport.",
    "Branch officers will meet the employer on Monday.",
]
META = ["--title", "Branch circular 7", "--kind", "circular", "--issuer", "PCS", "--date", "2024"]


def run_bot(
    *args: str, db: Path, sources_dir: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``run_bot.py`` in this process (the same ``run`` the script calls, a second faster)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_PATH", "SOURCES_DIR")}
    if sources_dir is not None:
        environment["SOURCES_DIR"] = str(sources_dir)
    out, err = io.StringIO(), io.StringIO()
    argv = ["--db", str(db), *args]
    status = run(argv, environ=environment, stdin=io.StringIO(), stdout=out, stderr=err)
    return subprocess.CompletedProcess(argv, status, out.getvalue(), err.getvalue())


def run_script(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_PATH", "SOURCES_DIR")}
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "run_bot.py"), "--db", str(db), *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=environment,
        timeout=60,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    return result.stderr


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("circular.txt", "\n\n".join(LINES)),
        ("circular.md", "# Branch circular 7\n\n" + "\n\n".join(LINES[1:])),
        ("circular.pdf", text_pdf(LINES)),
        ("circular.docx", word_docx(LINES)),
    ],
)
def test_a_document_is_registered_listed_shown_and_quoted(
    db_path: Path, tmp_path: Path, name: str, content: bytes | str
) -> None:
    path = write(tmp_path / name, content)
    added = run_bot(
        "sources", "add", str(path), *META, "--url", "https://example.org/c7", db=db_path
    )
    assert added.returncode == 0, added.stderr
    assert "branch-circular-7" in added.stdout

    listed = run_bot("sources", "list", db=db_path)
    assert "branch-circular-7" in listed.stdout and "pcs-dsg-circular-2014" in listed.stdout
    shown = run_bot("sources", "show", "branch-circular-7", db=db_path).stdout
    assert "https://example.org/c7" in shown and "sha256" in shown and "add by console" in shown

    quoted = run_bot("sources", "quote", "branch-circular-7", "120 payroll posts move", db=db_path)
    assert quoted.returncode == 0, quoted.stderr
    assert "120 posts in the payroll team will move" in quoted.stdout


def test_a_quote_not_in_the_source_is_refused_with_the_closest_passage(
    db_path: Path, tmp_path: Path
) -> None:
    path = write(tmp_path / "c7.txt", "\n".join(LINES))
    assert run_bot("sources", "add", str(path), *META, db=db_path).returncode == 0
    fact = [
        "facts", "add", "--answer", "Payroll moves to Newport.", "--source", "branch-circular-7",
        "--question", "is payroll moving to newport",
    ]  # fmt: skip
    refused = run_bot(*fact, "--quote", "120 payroll posts will move to Newport", db=db_path)
    assert "the payroll team will move to Newport" in one_line_error(refused)
    added = run_bot(*fact, "--quote", "120 POSTS in the payroll team", db=db_path)
    assert added.returncode == 0, added.stderr
    fact_id = added.stdout.split()[-1]
    edit = run_bot("facts", "edit", fact_id, "--quote", "officers meet on Friday", db=db_path)
    assert "officers will meet" in one_line_error(edit)
    assert "verified" in run_bot("facts", "show", fact_id, db=db_path).stdout


def pdf_without_magic() -> bytes:
    return text_pdf(LINES).replace(b"%PDF-", b"%XYZ-", 1)


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a word document")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("scan.pdf", scanned_pdf(), "scanned"),
        ("big.txt", "x" * (MAX_DOCUMENT_BYTES + 1), "5 MB"),
        ("notes.rtf", "{\\rtf1 hello}", "unsupported"),
        ("fake.pdf", "just some text pretending", "not a PDF"),
        ("fake.pdf", pdf_without_magic(), "not a PDF"),
        ("fake.docx", plain_zip(), "not a Word document"),
        ("real-pdf.txt", text_pdf(LINES), "not text"),
        ("empty.txt", "", "empty"),
        ("blank.md", "  \n\n ", "empty"),
        ("binary.txt", bytes(range(256)) * 4, "not text"),
    ],
)
def test_bad_documents_get_one_clear_line_and_change_nothing(
    db_path: Path, tmp_path: Path, name: str, content: bytes | str, says: str
) -> None:
    before = run_bot("sources", "list", db=db_path).stdout
    result = run_bot("sources", "add", str(write(tmp_path / name, content)), *META, db=db_path)
    assert says in one_line_error(result)
    assert run_bot("sources", "list", db=db_path).stdout == before


def test_a_duplicate_upload_names_the_source_it_already_is(db_path: Path, tmp_path: Path) -> None:
    first = write(tmp_path / "c7.txt", "\n".join(LINES))
    again = write(tmp_path / "copy.txt", "\n".join(LINES))
    assert run_bot("sources", "add", str(first), *META, db=db_path).returncode == 0
    result = run_bot("sources", "add", str(again), *META, db=db_path)
    assert "branch-circular-7" in one_line_error(result)


@pytest.mark.parametrize("title", ["<@1234> circular", "@everyone news", "**Loud** title"])
def test_a_title_with_mentions_or_markup_is_refused(
    db_path: Path, tmp_path: Path, title: str
) -> None:
    path = write(tmp_path / "c7.txt", "\n".join(LINES))
    meta = ["--title", title, *META[2:]]
    before = run_bot("sources", "list", db=db_path).stdout
    one_line_error(run_bot("sources", "add", str(path), *meta, db=db_path))
    assert run_bot("sources", "list", db=db_path).stdout == before


def test_with_no_documents_folder_every_curated_quote_is_verified(db_path: Path) -> None:
    # A fresh clone, no ../shared and no SOURCES_DIR: the shipped documents suffice.
    listed = run_bot("sources", "list", db=db_path).stdout
    assert "no text" not in listed
    for fact in load_curated().facts[:3]:
        shown = run_bot("facts", "show", str(fact.id), db=db_path).stdout
        assert "verified" in shown and "not verified" not in shown


def test_facts_review_lists_facts_whose_quote_left_their_document(
    db_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "seeds"
    shutil.copytree(SHIPPED_DOCUMENTS, folder)
    curated = load_curated()
    assert "verified" in run_bot("facts", "show", "1", db=db_path, sources_dir=folder).stdout
    fact = curated.facts[0]
    document = folder / curated.sources[fact.source_key].file
    text = document.read_text(encoding="utf-8")
    document.write_text(text.replace(fact.quote, "(removed)"), encoding="utf-8")
    review = run_bot("facts", "review", db=db_path, sources_dir=folder)
    assert review.returncode == 0, review.stderr
    assert "no longer in their source" in review.stdout
    listed = review.stdout.split("no longer in their source")[1].splitlines()
    assert f"{fact.id} [{fact.source_key}]" in [" ".join(line.split()[:2]) for line in listed]
    shown = run_bot("facts", "show", str(fact.id), db=db_path, sources_dir=folder).stdout
    assert "NOT FOUND" in shown
