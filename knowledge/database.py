"""Open the SQLite database and bring its schema up to date.

Migrations are numbered; ``PRAGMA user_version`` records the last one applied.
Add a new one at the end of ``MIGRATIONS``; never edit one that has shipped.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from knowledge.errors import StorageUnavailable
from knowledge.models import StorageHealth

log = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 30.0
"""A second process writing at the same time is waited for this long."""

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema.
    """
    CREATE TABLE sources (
        key TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        kind TEXT NOT NULL,
        issuer TEXT NOT NULL DEFAULT '',
        date TEXT NOT NULL DEFAULT '',
        reference TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        file TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE facts (
        id INTEGER PRIMARY KEY,
        answer TEXT NOT NULL,
        source_key TEXT NOT NULL REFERENCES sources(key),
        quote TEXT NOT NULL,
        keywords TEXT NOT NULL DEFAULT '[]',
        origin TEXT NOT NULL,
        curated_hash TEXT,
        edited_by_rep INTEGER NOT NULL DEFAULT 0,
        removed INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE fact_questions (
        id INTEGER PRIMARY KEY,
        fact_id INTEGER NOT NULL REFERENCES facts(id),
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        origin TEXT NOT NULL
    );
    CREATE INDEX fact_questions_by_fact ON fact_questions(fact_id, position);
    CREATE TABLE fact_history (
        id INTEGER PRIMARY KEY,
        fact_id INTEGER NOT NULL REFERENCES facts(id),
        action TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        before TEXT NOT NULL DEFAULT '',
        after TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX fact_history_by_fact ON fact_history(fact_id, id);
    CREATE TABLE unanswered (
        id INTEGER PRIMARY KEY,
        text TEXT NOT NULL,
        normalised TEXT NOT NULL,
        place TEXT NOT NULL,
        first_asked_at TEXT NOT NULL,
        last_asked_at TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 1,
        best_score REAL NOT NULL DEFAULT 0,
        nearest_fact_id INTEGER REFERENCES facts(id),
        status TEXT NOT NULL DEFAULT 'open',
        resolved_fact_id INTEGER REFERENCES facts(id),
        closed_at TEXT,
        closed_by TEXT
    );
    CREATE INDEX unanswered_by_status ON unanswered(status, count DESC);
    CREATE TABLE unanswered_texts (
        unanswered_id INTEGER NOT NULL REFERENCES unanswered(id),
        text TEXT NOT NULL,
        PRIMARY KEY (unanswered_id, text)
    );
    -- The only table holding a member's id: written only when the member asks
    -- to be notified, deleted once they are notified.
    CREATE TABLE notify_requests (
        id INTEGER PRIMARY KEY,
        unanswered_id INTEGER NOT NULL REFERENCES unanswered(id),
        user_id TEXT NOT NULL,
        channel_id TEXT NOT NULL DEFAULT '',
        requested_at TEXT NOT NULL,
        UNIQUE (unanswered_id, user_id)
    );
    """,
    # 2: answer statistics (no text, no member), and "not what I asked".
    """
    CREATE TABLE question_events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        outcome TEXT NOT NULL,
        fact_id INTEGER
    );
    CREATE INDEX question_events_by_time ON question_events(at);
    ALTER TABLE unanswered ADD COLUMN rejected_fact_id INTEGER REFERENCES facts(id);
    CREATE INDEX unanswered_by_normalised ON unanswered(normalised, status);
    """,
    # 3: "did you mean" choices, kept as proposed example questions for reps to review.
    """
    CREATE TABLE proposals (
        id INTEGER PRIMARY KEY,
        fact_id INTEGER NOT NULL REFERENCES facts(id),
        text TEXT NOT NULL,
        normalised TEXT NOT NULL,
        proposed_at TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 1,
        status TEXT NOT NULL DEFAULT 'pending',
        closed_at TEXT,
        closed_by TEXT,
        UNIQUE (fact_id, normalised)
    );
    """,
    # 4: sources that grow: a document's full text and its hash, and a history of changes.
    """
    ALTER TABLE sources ADD COLUMN text TEXT NOT NULL DEFAULT '';
    ALTER TABLE sources ADD COLUMN text_hash TEXT NOT NULL DEFAULT '';
    ALTER TABLE sources ADD COLUMN origin TEXT NOT NULL DEFAULT 'curated';
    CREATE INDEX sources_by_text_hash ON sources(text_hash);
    CREATE TABLE source_history (
        id INTEGER PRIMARY KEY,
        source_key TEXT NOT NULL REFERENCES sources(key),
        action TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        before TEXT NOT NULL DEFAULT '',
        after TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX source_history_by_source ON source_history(source_key, id);
    """,
    # 5: a value that changes with every change to the facts or their example
    # questions, from any connection, so that a saved matcher index
    # (``knowledge.index_cache``) is used only for the facts it was built from.
    # A random value, not a counter: a database restored from a backup, or
    # made afresh, must not reach the value of another history.
    """
    CREATE TABLE facts_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version TEXT NOT NULL
    );
    INSERT INTO facts_version (id, version) VALUES (1, lower(hex(randomblob(16))));
    CREATE TRIGGER facts_version_on_fact_insert AFTER INSERT ON facts BEGIN
        UPDATE facts_version SET version = lower(hex(randomblob(16)));
    END;
    CREATE TRIGGER facts_version_on_fact_update AFTER UPDATE ON facts BEGIN
        UPDATE facts_version SET version = lower(hex(randomblob(16)));
    END;
    CREATE TRIGGER facts_version_on_fact_delete AFTER DELETE ON facts BEGIN
        UPDATE facts_version SET version = lower(hex(randomblob(16)));
    END;
    CREATE TRIGGER facts_version_on_question_insert AFTER INSERT ON fact_questions BEGIN
        UPDATE facts_version SET version = lower(hex(randomblob(16)));
    END;
    CREATE TRIGGER facts_version_on_question_update AFTER UPDATE ON fact_questions BEGIN
        UPDATE facts_version SET version = lower(hex(randomblob(16)));
    END;
    CREATE TRIGGER facts_version_on_question_delete AFTER DELETE ON fact_questions BEGIN
        UPDATE facts_version SET version = lower(hex(randomblob(16)));
    END;
    """,
    # 6: the period each digest told reps about, so that a restarted bot neither
    # posts a week's digest twice nor skips one.
    """
    CREATE TABLE digests (
        id INTEGER PRIMARY KEY,
        period_start TEXT NOT NULL,
        period_end TEXT NOT NULL,
        posted_at TEXT NOT NULL
    );
    """,
    # 7: the unanswered log marks questions that got only "did you mean", and
    # groups rewordings through an index of each open entry's content terms.
    # Entries logged before it group only with the same cleaned wording.
    """
    ALTER TABLE unanswered ADD COLUMN suggested INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE unanswered ADD COLUMN terms TEXT NOT NULL DEFAULT '';
    ALTER TABLE unanswered ADD COLUMN question_types TEXT NOT NULL DEFAULT '';
    CREATE TABLE unanswered_terms (
        term TEXT NOT NULL,
        unanswered_id INTEGER NOT NULL REFERENCES unanswered(id),
        PRIMARY KEY (term, unanswered_id)
    ) WITHOUT ROWID;
    """,
    # 8: the passages of registered documents offered with a logged question, by
    # where they are (source, position, length) and a digest of their words, not
    # the words twice: a rep can make one a fact, and it is found again or known gone.
    """
    CREATE TABLE unanswered_passages (
        id INTEGER PRIMARY KEY,
        unanswered_id INTEGER NOT NULL REFERENCES unanswered(id),
        source_key TEXT NOT NULL REFERENCES sources(key),
        paragraph INTEGER NOT NULL,
        start INTEGER NOT NULL,
        length INTEGER NOT NULL,
        digest TEXT NOT NULL,
        UNIQUE (unanswered_id, source_key, start, digest)
    );
    """,
)


def utc_now() -> str:
    """The current time as a UTC ISO 8601 string, the format of every stored time."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_database(path: Path | str) -> sqlite_utils.Database:
    """Open (creating if needed) the database at ``path`` and migrate it.

    WAL journal, foreign keys on, and a busy timeout so that a second writer waits.
    Raises ``StorageUnavailable`` when the file cannot be opened or created.
    """
    try:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA foreign_keys = ON")
        # Deleted rows are overwritten, not left in free pages: a forgotten
        # member's id must not linger in the file.
        connection.execute("PRAGMA secure_delete = ON")
        if str(path) != ":memory:":
            connection.execute("PRAGMA journal_mode = WAL")
        db = sqlite_utils.Database(connection)
        migrate(db)
    except (sqlite3.Error, OSError) as error:
        raise StorageUnavailable(f"cannot open the database {path}: {error}") from error
    return db


def migrate(db: sqlite_utils.Database) -> None:
    """Apply every migration newer than the database's ``user_version``.

    The version is read again inside each write transaction: a second process
    opening the same new database at the same moment may have applied it.
    """
    while _version(db) < len(MIGRATIONS):
        with write_transaction(db):
            number = _version(db) + 1
            if number > len(MIGRATIONS):
                break
            log.info("applying database migration %d", number)
            for statement in _statements(MIGRATIONS[number - 1]):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")


def _version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def database_file(db: sqlite_utils.Database) -> Path | None:
    """The file ``db`` is stored in; None for a database in memory."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file)
    return None


def storage_health(db: sqlite_utils.Database) -> StorageHealth:
    """``db``'s schema version against this code's, and whether it can be written.

    The write (the schema version, set to itself) is rolled back, so nothing
    changes. A database that cannot be written still opens and answers
    (``open_database``), so only a write shows it.
    """
    version = _version(db)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(f"PRAGMA user_version = {version}")
        finally:
            _rollback(db)
    except sqlite3.Error as error:
        return StorageHealth(version, len(MIGRATIONS), write_error=str(error))
    return StorageHealth(version, len(MIGRATIONS))


def backup(db: sqlite_utils.Database, target: Path | str) -> None:
    """Copy ``db`` to the file ``target``, consistent even while others write to it.

    SQLite's online backup API copies one snapshot of the database; the copy
    is written beside ``target`` and renamed over it only once complete.
    Raises ``StorageUnavailable`` when the copy cannot be made.
    """
    target = Path(target)
    partial = target.with_name(f".{target.name}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        copy = sqlite3.connect(str(partial))
        try:
            db.conn.backup(copy)
        finally:
            copy.close()
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as error:
        with suppress(OSError):
            partial.unlink(missing_ok=True)
        raise StorageUnavailable(f"cannot back up to {target}: {error}") from error


def _statements(script: str) -> list[str]:
    """The script's statements, one by one; a trigger's body (``BEGIN … END``) holds
    semicolons of its own, so pieces are joined until SQLite sees a complete statement."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    statements: list[str] = []
    pending = ""
    for piece in "\n".join(lines).split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            statements.append(pending)
            pending = ""
    if pending.strip(" \n;"):
        statements.append(pending)
    return [statement for statement in statements if statement.strip(" \n;")]


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction that takes the write lock at once (``BEGIN IMMEDIATE``).

    Taking the lock up front means a concurrent writer waits on the busy
    timeout instead of failing with "database is locked" half-way through.
    Raises ``StorageUnavailable`` when the write cannot be made.

    Inside a write transaction already (one operation made of several
    writes, such as a fact and the note it cites), it is a savepoint of that
    one: undone alone on error, committed only with the outer transaction.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        raise StorageUnavailable(f"the database cannot be written: {error}") from error
    try:
        yield db
    except sqlite3.OperationalError as error:
        _rollback(db)
        raise StorageUnavailable(f"the change could not be saved: {error}") from error
    except BaseException:
        _rollback(db)
        raise
    try:
        db.execute("COMMIT")
    except sqlite3.Error as error:
        _rollback(db)
        raise StorageUnavailable(f"the change could not be saved: {error}") from error


@contextmanager
def read_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One snapshot of the database for several reads, however long they take.

    A reader passing over the facts twice (the matcher's index build) sees the
    same facts both times while other processes write; writers are not blocked
    (write-ahead log). Inside a transaction already, it reads in that one.
    """
    if db.conn.in_transaction:
        yield db
        return
    db.execute("BEGIN")
    try:
        yield db
    finally:
        if db.conn.in_transaction:
            db.execute("COMMIT")


def scrub_log(db: sqlite_utils.Database) -> None:
    """Copy the write-ahead log into the database and empty it, so that rows just
    deleted (overwritten there by ``secure_delete``) leave no copy in the log's
    older frames. Best effort: a reader in another process can keep frames alive
    until the next checkpoint."""
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as error:
        log.warning("could not empty the write-ahead log: %s", error)


def _rollback(db: sqlite_utils.Database) -> None:
    """Roll back, unless SQLite already has (as it does after a full disk)."""
    if db.conn.in_transaction:
        db.execute("ROLLBACK")
