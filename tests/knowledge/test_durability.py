"""Nothing lost: crashes, two writers at once, backups, a full disk, a read-only file.

Real SQLite files and real processes: a child killed with SIGKILL mid-write,
the command line writing while the knowledge base does, SQLite's own
``max_page_count`` for a full disk and a ``mode=ro`` connection for a
read-only file.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from cli.main import run
from knowledge.base import KnowledgeBase
from knowledge.database import open_database
from knowledge.errors import StorageUnavailable
from knowledge.models import Outcome
from tests.conftest import PROJECT_ROOT

KILLS = 12
KNOWN_QUESTION = "who owns sscl?"
UNKNOWN_QUESTION = "what time does the canteen open?"


def integrity(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


def ids(path: Path, table: str) -> set[int]:
    connection = sqlite3.connect(path)
    try:
        return {row[0] for row in connection.execute(f"SELECT id FROM {table}")}
    finally:
        connection.close()


def python(*arguments: str) -> list[str]:
    return [sys.executable, *arguments]


@pytest.fixture
def curated_path(tmp_path: Path) -> Path:
    path = tmp_path / "knowledge.db"
    KnowledgeBase.open(path).close()
    return path


def test_every_committed_write_survives_sigkill_at_a_random_moment(curated_path: Path) -> None:
    committed: dict[str, set[int]] = {"fact": set(), "question": set()}
    rng = random.Random(4)
    for _ in range(KILLS):
        child = subprocess.Popen(
            python("-m", "tests.knowledge.crash_writer", str(curated_path)),
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.15))
        child.send_signal(signal.SIGKILL)
        output, _ = child.communicate(timeout=10)
        assert child.returncode == -signal.SIGKILL
        for line in output.splitlines():
            kind, _, number = line.partition(" ")
            if number.isdigit():  # a line cut by the kill is not a report of a commit
                committed[kind].add(int(number))

    assert integrity(curated_path) == "ok"
    assert committed["fact"] and committed["question"]
    assert committed["fact"] <= ids(curated_path, "facts")
    assert committed["question"] <= ids(curated_path, "unanswered")
    KnowledgeBase.open(curated_path).close()  # and it still opens and migrates


def test_the_command_line_and_the_bot_write_at_once_without_locking_errors(
    curated_path: Path,
) -> None:
    kb = KnowledgeBase.open(curated_path)
    source = kb.sources()[0].key
    stop = threading.Event()
    written: list[int] = []
    failures: list[BaseException] = []

    def bot_writes() -> None:
        number = 0
        while not stop.is_set():
            try:
                fact = kb.add_fact(
                    answer=f"Bot fact {number}.",
                    source_key=source,
                    quote="",
                    questions=[f"bot fact {number}"],
                    actor="bot",
                )
                written.append(fact.id)
                kb.ask(f"unknown thing {number} {number * 31}?", place="dm")
            except BaseException as error:  # reported to the test below
                failures.append(error)
                return
            number += 1

    writer = threading.Thread(target=bot_writes)
    writer.start()
    try:
        children = [
            subprocess.Popen(
                python(
                    "run_bot.py",
                    "--db",
                    str(curated_path),
                    "facts",
                    "add",
                    "--answer",
                    f"CLI fact {number}.",
                    "--source",
                    source,
                    "--quote",
                    "",
                    "--question",
                    f"cli fact {number}",
                ),
                cwd=PROJECT_ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for number in range(3)
        ]
        outputs = [child.communicate(timeout=60) for child in children]
    finally:
        stop.set()
        writer.join()

    assert failures == []
    cli_ids = set()
    for child, (out, err) in zip(children, outputs, strict=True):
        assert "locked" not in err and child.returncode == 0, err
        cli_ids.add(int(out.split()[-1]))
    assert len(cli_ids) == 3 and written
    kb.close()
    assert cli_ids | set(written) <= ids(curated_path, "facts")
    assert integrity(curated_path) == "ok"


def test_two_processes_opening_a_new_database_at_once_both_migrate_it(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    script = "import sys; from knowledge.database import open_database; open_database(sys.argv[1])"
    children = [
        subprocess.Popen(python("-c", script, str(path)), cwd=PROJECT_ROOT, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    errors = [child.communicate(timeout=30)[1] for child in children]
    assert [child.returncode for child in children] == [0] * 4, errors
    assert integrity(path) == "ok"


def test_backup_is_a_consistent_copy_taken_while_another_process_writes(
    curated_path: Path, tmp_path: Path
) -> None:
    writer = subprocess.Popen(
        python("-m", "tests.knowledge.crash_writer", str(curated_path)),
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "ready"
    writer.stdout.readline()  # at least one write committed
    copy = tmp_path / "backups" / "copy.db"
    try:
        status = run(["--db", str(curated_path), "backup", str(copy)])
        alive = writer.poll() is None
    finally:
        writer.kill()
        writer.communicate()

    assert status == 0 and alive  # the copy was taken while the writer was writing
    assert integrity(copy) == "ok"
    copied = ids(copy, "facts")
    assert copied <= ids(curated_path, "facts")
    backup_kb = KnowledgeBase.open(copy)
    assert backup_kb.ask(KNOWN_QUESTION, place="console").answered
    backup_kb.close()


def test_backup_to_an_unwritable_place_is_one_error_line(
    curated_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    assert run(["--db", str(curated_path), "backup", str(blocker / "copy.db")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot back up") and err.count("\n") == 1


# --------------------------------------------------------------------------- #
# A full disk and a read-only file
# --------------------------------------------------------------------------- #


@pytest.fixture
def read_only_kb(curated_path: Path) -> Iterator[KnowledgeBase]:
    """The knowledge base on a connection that may read the file but not write it."""
    writable = open_database(curated_path)  # keeps the WAL index, as the running bot would
    connection = sqlite3.connect(
        f"file:{curated_path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
    )
    kb = KnowledgeBase(sqlite_utils.Database(connection))
    yield kb
    connection.close()
    writable.close()


@pytest.fixture
def full_disk_kb(curated_path: Path) -> Iterator[KnowledgeBase]:
    """The knowledge base on a connection whose database may not grow by a single page."""
    kb = KnowledgeBase.open(curated_path)
    kb._db.execute("PRAGMA max_page_count = 1")  # SQLite raises it to the current size
    yield kb
    kb.close()


@pytest.mark.parametrize("storage", ["read_only_kb", "full_disk_kb"])
def test_an_unwritable_database_still_answers_and_refuses_changes_clearly(
    storage: str, request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    kb: KnowledgeBase = request.getfixturevalue(storage)
    source = kb.sources()[0].key
    quote = next(fact.quote for fact in kb.facts() if fact.source_key == source)  # verifies

    answered = kb.ask(KNOWN_QUESTION, place="dm")
    unknown = kb.ask(UNKNOWN_QUESTION + " " + "and the car park " * 100, place="dm")
    with pytest.raises(StorageUnavailable):
        kb.add_fact(
            answer="A" * 900,
            source_key=source,
            quote=quote,
            questions=[f"long example question {n} " + "x" * 250 for n in range(40)],
            actor="rep",
        )

    assert answered.answered and answered.fact is not None
    assert unknown.match.outcome is Outcome.UNANSWERED
    if storage == "read_only_kb":
        assert unknown.logged is None  # the log could not be written, the reply still came
    assert "could not" in caplog.text
    assert kb.ask(KNOWN_QUESTION, place="dm").answered  # and it keeps answering


# --------------------------------------------------------------------------- #
# Storage health, for `run_bot.py doctor`
# --------------------------------------------------------------------------- #


def test_a_writable_migrated_database_is_healthy_and_the_probe_changes_nothing(
    curated_path: Path,
) -> None:
    kb = KnowledgeBase.open(curated_path)
    before = kb.export()
    health = kb.storage_health()
    assert health.migrated and health.writable, health
    assert health.schema_version == health.code_version > 0
    assert kb.export() == before
    kb.close()


def test_a_read_only_database_is_reported_unwritable(read_only_kb: KnowledgeBase) -> None:
    health = read_only_kb.storage_health()
    assert not health.writable and "readonly" in health.write_error
    assert health.migrated
    assert read_only_kb.ask(KNOWN_QUESTION, place="dm").answered  # the probe left it usable


def test_a_database_from_a_newer_version_is_reported_not_migrated(curated_path: Path) -> None:
    connection = sqlite3.connect(curated_path)
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    connection.execute(f"PRAGMA user_version = {version + 1}")
    connection.close()
    kb = KnowledgeBase.open(curated_path)
    health = kb.storage_health()
    assert (health.schema_version, health.code_version) == (version + 1, version)
    assert not health.migrated and health.writable
    kb.close()


def test_a_database_folder_that_cannot_be_made_is_storage_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StorageUnavailable, match="cannot open the database"):
        KnowledgeBase.open(blocker / "data" / "knowledge.db")
