"""The README's "What the bot stores about members" matches the schema, and secrets stay out of git.

The README's table lists every table and every column in it that names a
person; a column whose name suggests a person (``user_id``, ``actor``,
``closed_by``…) must be listed there, and only ``notify_requests.user_id``
may name a member. ``tests/bot/test_privacy.py`` checks the stored values.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import sqlite_utils

from tests.conftest import PROJECT_ROOT

SECTION = "## What the bot stores about members"
PERSON_COLUMN = re.compile(r"user|member|author|asker|actor|owner|requester|who|_by$|name$")
"""Column names that would hold who someone is."""
MEMBER_COLUMNS = {"notify_requests.user_id"}


def readme_tables() -> dict[str, set[str]]:
    """Table name -> the columns its README row says name a person."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", len(SECTION))]
    tables: dict[str, set[str]] = {}
    for row in section.splitlines():
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        found = re.fullmatch(r"`(\w+)`", cells[0]) if row.startswith("| `") else None
        if found:
            named = set(re.findall(r"`(\w+)`:", cells[-1]))
            tables[found.group(1)] = {f"{found.group(1)}.{column}" for column in named}
    return tables


def schema(db: sqlite_utils.Database) -> dict[str, list[str]]:
    return {name: list(db[name].columns_dict) for name in db.table_names()}


def test_the_readme_lists_every_table_of_the_database(db: sqlite_utils.Database) -> None:
    assert set(readme_tables()) == set(schema(db))


def test_every_column_that_could_name_a_person_is_declared_in_the_readme(
    db: sqlite_utils.Database,
) -> None:
    declared = set().union(*readme_tables().values())
    columns = {f"{table}.{column}" for table, names in schema(db).items() for column in names}
    assert declared <= columns  # the README names real columns
    suspicious = {c for c in columns if PERSON_COLUMN.search(c.split(".", 1)[1])}
    assert suspicious <= declared, f"undeclared: {suspicious - declared}"
    assert declared == MEMBER_COLUMNS | {
        "fact_history.actor",
        "source_history.actor",
        "unanswered.closed_by",
        "proposals.closed_by",
    }


def test_only_notify_requests_holds_a_members_id() -> None:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) : text.index("\n## ", text.index(SECTION) + 1)]
    member_rows = [row for row in section.splitlines() if "**the member**" in row]
    assert [row.split("|")[1].strip() for row in member_rows] == ["`notify_requests`"]


@pytest.mark.parametrize(
    "path",
    [".env", "data/knowledge.db", "knowledge.db", "backups/copy.db", "x.db-wal", "x.db-shm",
     "x.sqlite3", "knowledge.db.matcher-cache", "knowledge.db.matcher-cache.123.tmp",
     "backups/knowledge-20261206T120000Z.db", "backups/.knowledge-20261206T120000Z.db.partial",
     "knowledge.db.backup-failed", "knowledge.db.passages-cache",
     "knowledge.db.passages-cache.123.tmp"],
)  # fmt: skip
def test_secrets_and_databases_are_git_ignored(path: str) -> None:
    git = shutil.which("git")
    if git is None or not (PROJECT_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(
        [git, "-C", str(PROJECT_ROOT), "check-ignore", "--no-index", "-q", path], check=False
    )
    assert ignored.returncode == 0, f"{path} is not git-ignored"
