"""Scheduled backups: timestamped copies of the database in one folder, the newest kept.

A backup is named after the UTC moment it was taken, so names sort by age and a
restarted bot can tell from the folder alone whether one is due. It is written
under a hidden temporary name and renamed once complete, so a half-written file
never looks like a backup; only files named like ours are ever deleted from the
folder. A failed backup is noted beside the database (one line: when and why),
so that ``check_backup_dir`` can report it from another process.

>>> backup_name(datetime(2026, 12, 6, 12, 0, tzinfo=UTC))
'knowledge-20261206T120000Z.db'
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from knowledge.errors import StorageUnavailable

log = logging.getLogger(__name__)

STAMP = "%Y%m%dT%H%M%SZ"
BACKUP = re.compile(r"knowledge-(\d{8}T\d{6}Z)\.db")
PARTIAL = re.compile(r"\.knowledge-\d{8}T\d{6}Z\.db\.partial(-journal)?")
DUE_AFTER = timedelta(hours=23)
"""A backup is due when the newest is older than this. The bot looks every hour,
so waiting a full day would let the daily backup slip by up to an hour a day."""
FAILURE_SUFFIX = ".backup-failed"

Copy = Callable[[Path, Path], None]
"""Copies the database file (first) into an empty file (second)."""


def backup_name(moment: datetime) -> str:
    """The file name of a backup taken at ``moment`` (an aware datetime)."""
    return f"knowledge-{moment.astimezone(UTC).strftime(STAMP)}.db"


def online_copy(database: Path, target: Path) -> None:
    """Copy ``database`` into ``target`` with SQLite's online backup, through a
    connection of its own: one consistent snapshot, while the bot's connection
    keeps reading and writing (WAL). Raises ``sqlite3.Error`` or ``OSError``."""
    # mode=rw: a missing database is an error, not a new empty one to back up.
    source = sqlite3.connect(f"{database.resolve().as_uri()}?mode=rw", uri=True)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()


def failure_note(database: Path) -> Path:
    """Where the last failed backup of ``database`` is noted: beside it."""
    return database.with_name(database.name + FAILURE_SUFFIX)


@dataclass(frozen=True, slots=True)
class BackupFolder:
    """The folder of scheduled backups (``BACKUP_DIR``) and how many to keep (``BACKUP_KEEP``).

    ``copy`` is how the database is copied; a test gives one that fails as a
    full disk does.
    """

    path: Path
    keep: int
    copy: Copy = online_copy

    def __post_init__(self) -> None:
        if self.keep < 1:
            raise ValueError(f"a backup folder keeps at least one backup, not {self.keep}")

    def backups(self) -> list[Path]:
        """Our backups in the folder, oldest first; none while the folder does not exist.

        Raises ``OSError`` when the folder cannot be read."""
        if not self.path.exists():
            return []
        return sorted(path for path in self.path.iterdir() if BACKUP.fullmatch(path.name))

    def due(self, now: datetime) -> bool:
        """Whether a backup is due at ``now``: none yet, or the newest is about a day old.

        Raises ``OSError`` when the folder cannot be read."""
        found = self.backups()
        if not found:
            return True
        match = BACKUP.fullmatch(found[-1].name)
        assert match is not None  # backups() kept only names that match
        newest = datetime.strptime(match[1], STAMP).replace(tzinfo=UTC)
        # A backup "from the future" means the clock went back: take one rather
        # than none until the clock catches up.
        return not timedelta(0) <= now - newest < DUE_AFTER

    def take_if_due(self, database: Path, now: datetime) -> Path | None:
        """Back ``database`` up into the folder if one is due at ``now``, then delete
        all but the newest ``keep``; returns the new backup, or None if none was due.

        Raises ``StorageUnavailable`` when the folder cannot be read or the copy
        cannot be made (the partial copy is removed and the failure noted beside
        the database for ``check_backup_dir``)."""
        target = self.path / backup_name(now)
        partial = self.path / f".{target.name}.partial"
        try:
            if not self.due(now):
                return None
            self.path.mkdir(parents=True, exist_ok=True)
            partial.unlink(missing_ok=True)
            # Members' data: readable by the bot's user alone, whatever its umask.
            os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            self.copy(database, partial)
            os.replace(partial, target)
        except (sqlite3.Error, OSError) as error:
            with suppress(OSError):
                partial.unlink(missing_ok=True)
            problem = f"cannot back up into {self.path}: {error}"
            _note_failure(database, now, problem)
            raise StorageUnavailable(problem) from error
        with suppress(OSError):
            failure_note(database).unlink(missing_ok=True)
        self.rotate()
        return target

    def rotate(self) -> list[Path]:
        """Delete all but the newest ``keep`` backups, and partial copies a stopped
        bot left; returns what was deleted. What cannot be deleted is logged and left."""
        try:
            old = self.backups()[: -self.keep]
            old += [path for path in self.path.iterdir() if PARTIAL.fullmatch(path.name)]
        except OSError as error:
            log.warning("could not list old backups in %s: %s", self.path, error)
            return []
        deleted = []
        for path in old:
            try:
                path.unlink()
            except OSError as error:
                log.warning("could not delete old backup %s: %s", path, error)
            else:
                deleted.append(path)
        return deleted


def check_backup_dir(folder: Path, *, database: Path | None = None) -> str | None:
    """A sentence saying why backups into ``folder`` would fail or last failed; None if fine.

    ``folder`` (or, while it does not exist, the nearest folder it would be made
    in) must take a new file; with ``database``, the last scheduled backup of it
    must not have failed. Leaves nothing behind."""
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        return f"cannot back up into {folder}: {existing} is not a folder"
    try:
        # A few kilobytes, synced: a full disk refuses them where an empty file would pass.
        with tempfile.TemporaryFile(dir=existing) as probe:
            probe.write(bytes(4096))
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as error:
        return f"cannot back up into {folder}: {error.strerror or error}"
    if database is not None:
        try:
            note = failure_note(database).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError as error:
            return f"cannot read {failure_note(database)}: {error.strerror or error}"
        return f"the last scheduled backup failed: {note}"
    return None


def _note_failure(database: Path, now: datetime, problem: str) -> None:
    try:
        failure_note(database).write_text(f"{now.isoformat(timespec='seconds')} {problem}\n")
    except OSError as error:
        # The database's own disk may be the full one; the log line still says why.
        log.warning("could not note the failed backup beside %s: %s", database, error)
