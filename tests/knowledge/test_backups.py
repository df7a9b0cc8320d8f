"""Scheduled backups: restored as the README says, rotated, and failing cleanly.

Against real SQLite files; a full disk is a copy that writes part of the file
and then fails as the disk would (``BackupFolder``'s ``copy``).
"""

from __future__ import annotations

import errno
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from knowledge import BackupFolder, KnowledgeBase, check_backup_dir
from knowledge.backups import backup_name, online_copy
from knowledge.errors import StorageUnavailable

KNOWN_QUESTION = "Who owns SSCL?"
UNKNOWN_QUESTIONS = ("when is the branch picnic?", "can I bring my dog to the office?")
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
BACKUP_NAME = re.compile(r"knowledge-\d{8}T\d{6}Z\.db")
FOREIGN = (
    "notes.txt",
    "knowledge.db",
    "knowledge-2026.db",
    "knowledge-20200101T000000Z.db.bak",
    ".notes.partial",
)
LEFT_BY_A_STOPPED_BOT = (
    ".knowledge-20200101T000000Z.db.partial",
    ".knowledge-20200101T000000Z.db.partial-journal",
)


def ours(folder: Path) -> list[str]:
    """The backups in ``folder``, by the name the README gives them."""
    return sorted(path.name for path in folder.iterdir() if BACKUP_NAME.fullmatch(path.name))


def full_disk(database: Path, target: Path) -> None:
    """Writes the first part of the copy, then fails as a full disk does."""
    target.write_bytes(database.read_bytes()[:4096])
    raise OSError(errno.ENOSPC, "No space left on device")


def restore(backup: Path, database: Path) -> None:
    """The README's steps, the bot stopped: copy the backup over ``DATABASE_PATH``,
    the old database's write-ahead files moved away."""
    for leftover in ("-wal", "-shm"):
        database.with_name(database.name + leftover).unlink(missing_ok=True)
    shutil.copyfile(backup, database)


def test_a_restored_backup_answers_and_lists_the_same_unanswered_questions(
    kb: KnowledgeBase, db_path: Path, tmp_path: Path
) -> None:
    answer = kb.ask(KNOWN_QUESTION, place="console")
    for question in UNKNOWN_QUESTIONS:
        kb.ask(question, place="console")
    listed = kb.unanswered_questions()
    assert answer.answered and [entry.text for entry in listed] != []

    backup = kb.back_up_if_due(BackupFolder(tmp_path / "backups", keep=3), now=NOW)
    later = kb.ask("is the car park closing next year?", place="console")
    kb.close()
    assert later.logged is not None  # a change after the backup, lost by restoring it
    assert backup is not None and backup.name == "knowledge-20261206T120000Z.db"
    restore(backup, db_path)

    restored = KnowledgeBase.open(db_path)
    try:
        again = restored.ask(KNOWN_QUESTION, place="console")
        assert again.answered and again.match.fact_id == answer.match.fact_id
        assert again.fact == answer.fact
        assert [
            (entry.id, entry.text, entry.count) for entry in restored.unanswered_questions()
        ] == [(entry.id, entry.text, entry.count) for entry in listed]
    finally:
        restored.close()


def test_rotation_keeps_exactly_the_newest_and_never_touches_other_files(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    (folder / "a-folder").mkdir(parents=True)
    for name in FOREIGN:
        (folder / name).write_text("someone else's")
    for name in LEFT_BY_A_STOPPED_BOT:
        (folder / name).write_bytes(b"half a backup")
    backups = BackupFolder(folder, keep=3)
    days = [NOW + timedelta(days=n) for n in range(6)]
    for day in days:
        assert kb.back_up_if_due(backups, now=day) is not None

    assert ours(folder) == [backup_name(day) for day in days[-3:]]
    assert all((folder / name).read_text() == "someone else's" for name in FOREIGN)
    assert (folder / "a-folder").is_dir()
    assert not any((folder / name).exists() for name in LEFT_BY_A_STOPPED_BOT)


def test_a_backup_is_readable_only_by_the_bots_user(kb: KnowledgeBase, tmp_path: Path) -> None:
    backup = kb.back_up_if_due(BackupFolder(tmp_path, keep=1), now=NOW)
    assert backup is not None and backup.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("age", "due"),
    [
        (timedelta(hours=2), False),
        (timedelta(hours=22, minutes=59), False),
        (timedelta(hours=23), True),  # checked hourly: the daily backup does not slip
        (timedelta(days=3), True),  # a bot restarted every night still backs up
        (timedelta(hours=-5), True),  # the clock went back
    ],
)
def test_a_backup_is_taken_when_the_newest_is_about_a_day_old(
    kb: KnowledgeBase, tmp_path: Path, age: timedelta, due: bool
) -> None:
    backups = BackupFolder(tmp_path, keep=5)
    assert kb.back_up_if_due(backups, now=NOW - age) is not None
    taken = kb.back_up_if_due(backups, now=NOW)
    assert (taken is not None) == due
    assert len(ours(tmp_path)) == 1 + due


def test_a_full_disk_leaves_no_partial_file_and_keeps_the_older_backups(
    kb: KnowledgeBase, db_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    kb.back_up_if_due(BackupFolder(folder, keep=1), now=NOW - timedelta(days=1))
    before = sorted(folder.iterdir())

    with pytest.raises(StorageUnavailable, match="No space left"):
        kb.back_up_if_due(BackupFolder(folder, keep=1, copy=full_disk), now=NOW)

    assert sorted(folder.iterdir()) == before  # nothing half-written, nothing rotated away
    problem = check_backup_dir(folder, database=db_path)
    assert problem is not None and "No space left" in problem
    assert kb.ask(KNOWN_QUESTION, place="console").answered

    # The next backup that works clears the failure.
    assert kb.back_up_if_due(BackupFolder(folder, keep=1), now=NOW) is not None
    assert check_backup_dir(folder, database=db_path) is None
    assert ours(folder) == [backup_name(NOW)]


def test_a_folder_that_cannot_be_made_is_one_clear_error(
    kb: KnowledgeBase, db_path: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    folder = blocker / "backups"

    assert check_backup_dir(folder) is not None  # seen before any backup is tried
    with pytest.raises(StorageUnavailable, match="cannot back up into"):
        kb.back_up_if_due(BackupFolder(folder, keep=3), now=NOW)
    problem = check_backup_dir(folder, database=db_path)
    assert problem is not None and str(blocker) in problem
    assert blocker.read_text() == "not a folder"


def test_check_backup_dir_accepts_a_folder_still_to_be_made_and_leaves_no_trace(
    tmp_path: Path,
) -> None:
    assert check_backup_dir(tmp_path / "backups" / "daily") is None
    assert check_backup_dir(tmp_path) is None
    assert list(tmp_path.iterdir()) == []


def test_a_database_in_memory_cannot_be_backed_up(tmp_path: Path) -> None:
    kb = KnowledgeBase.open(":memory:", with_curated=False)
    with pytest.raises(StorageUnavailable):
        kb.back_up_if_due(BackupFolder(tmp_path, keep=1), now=NOW)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_database_is_not_backed_up_as_an_empty_one(tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    with pytest.raises(Exception, match="unable to open"):
        online_copy(tmp_path / "gone.db", target)
    assert not (tmp_path / "gone.db").exists()


def test_a_folder_keeps_at_least_one_backup(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one"):
        BackupFolder(tmp_path, keep=0)
