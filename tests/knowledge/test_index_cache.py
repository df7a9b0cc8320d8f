"""The matcher index saved beside the database: used when it fits, rebuilt when anything changed.

Builds are counted through ``matcher_for``'s ``build`` seam, which is handed
the real ``Matcher``; nothing of ours is replaced.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
import sqlite_utils

from knowledge.base import KnowledgeBase
from knowledge.curated import load_curated
from knowledge.database import open_database
from knowledge.facts import FactStore
from knowledge.index_cache import (
    CACHE_SUFFIX,
    FORMAT,
    PACKAGE,
    cache_key,
    cache_path,
    code_fingerprint,
    matcher_for,
)
from knowledge.matcher import Matcher
from knowledge.matcher.meaning import meaning_of
from knowledge.models import Fact, Outcome, QuestionOrigin
from tests.conftest import PROJECT_ROOT

CURATED = load_curated()
CHANGED_WORDING = "what does the zebra crossing cost"
"""The wording each change below gives a fact: it answers only after the change."""
OFF_TOPIC = (
    "What time does the canteen open on Saturdays?",
    "How do I reset my laptop password?",
    "Who won the football last night?",
    "Is the car park closed for resurfacing next week?",
    "Can I bring my dog to work on Fridays?",
    "asdf qwerty zxcv",
    "",
    "?",
    "£5 million 2014",
)


class CountingBuild:
    """The real ``Matcher`` constructor, counting how often it is called."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, facts: Iterable[Fact]) -> Matcher:
        self.count += 1
        return Matcher(facts)


@pytest.fixture
def stored(db_path: Path) -> sqlite_utils.Database:
    """A database holding the curated facts, as ``KnowledgeBase.open`` leaves it."""
    KnowledgeBase.open(db_path, sources_dir=None).close()
    cache = cache_path(db_path)
    assert cache is not None
    cache.unlink(missing_ok=True)
    return open_database(db_path)


@pytest.fixture
def cache(db_path: Path) -> Path:
    path = cache_path(db_path)
    assert path is not None
    return path


def decisions(matcher: Matcher) -> list[object]:
    questions = [text for fact in CURATED.facts for text in fact.question_texts]
    return [matcher.match(question) for question in (*questions, *OFF_TOPIC, CHANGED_WORDING)]


def test_the_cache_lives_beside_the_database_and_never_for_memory(db_path: Path) -> None:
    assert cache_path(db_path) == db_path.with_name(db_path.name + CACHE_SUFFIX)
    assert cache_path(":memory:") is None


def test_a_second_open_loads_the_saved_index_instead_of_building(
    stored: sqlite_utils.Database, cache: Path
) -> None:
    build = CountingBuild()
    matcher_for(stored, cache, build=build)
    assert build.count == 1 and cache.is_file()
    again = matcher_for(stored, cache, build=build)
    assert build.count == 1
    assert again.match("who owns sscl").outcome is Outcome.ANSWER


def test_the_saved_index_keeps_every_facts_meaning(
    stored: sqlite_utils.Database, cache: Path
) -> None:
    built = matcher_for(stored, cache)
    build = CountingBuild()
    loaded = matcher_for(stored, cache, build=build)
    assert build.count == 0
    for question in ("is my pension safe", "who runs payroll now", "hello"):
        assert loaded.match(question) == built.match(question)
        assert (
            meaning_of(loaded._index, question, []).closeness
            == meaning_of(built._index, question, []).closeness
        ).all()


def test_knowledge_base_open_saves_then_loads_the_index(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    KnowledgeBase.open(db_path).close()
    assert (db_path.parent / (db_path.name + CACHE_SUFFIX)).is_file()
    with caplog.at_level(logging.DEBUG, logger="knowledge.index_cache"):
        kb = KnowledgeBase.open(db_path)
    kb.close()
    assert any("loaded from" in record.getMessage() for record in caplog.records)


def test_asking_questions_does_not_invalidate_it(
    stored: sqlite_utils.Database, cache: Path
) -> None:
    build = CountingBuild()
    kb = KnowledgeBase(stored, index_cache=cache)
    kb.ask("who owns sscl", place="console")  # counted
    kb.ask("what is the canteen menu", place="console")  # logged as unanswered
    matcher_for(stored, cache, build=build)
    assert build.count == 0


def _edit(store: FactStore) -> None:
    store.edit_fact(1, actor="rep", questions=[CHANGED_WORDING])


def _teach(store: FactStore) -> None:
    store.add_questions(1, [CHANGED_WORDING], QuestionOrigin.LEARNED, "rep")


def _remove(store: FactStore) -> None:
    store.remove_fact(1, actor="rep")


def _add(store: FactStore) -> None:
    store.add_fact(
        answer="The zebra crossing costs nothing.",
        source_key=CURATED.facts[0].source_key,
        quote="",
        questions=[CHANGED_WORDING],
        actor="rep",
    )


@pytest.mark.parametrize("change", [_edit, _teach, _remove, _add], ids=lambda c: c.__name__)
def test_a_change_to_the_facts_from_another_connection_invalidates_it(
    stored: sqlite_utils.Database,
    db_path: Path,
    cache: Path,
    change: Callable[[FactStore], None],
) -> None:
    build = CountingBuild()
    before = matcher_for(stored, cache, build=build)
    other = open_database(db_path)
    change(FactStore(other))
    other.close()
    after = matcher_for(stored, cache, build=build)
    assert build.count == 2
    fresh = Matcher(FactStore(stored).facts())
    assert decisions(after) == decisions(fresh)
    assert decisions(after) != decisions(before)
    matcher_for(stored, cache, build=build)
    assert build.count == 2  # the rebuilt index was saved in its turn


def test_a_change_made_by_another_process_invalidates_it(
    stored: sqlite_utils.Database, db_path: Path, cache: Path
) -> None:
    build = CountingBuild()
    matcher_for(stored, cache, build=build)
    subprocess.run(
        [sys.executable, "run_bot.py", "--db", str(db_path), "facts", "remove", "1"],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "DISCORD_TOKEN": ""},
    )
    after = matcher_for(stored, cache, build=build)
    assert build.count == 2
    assert 1 not in {match.fact_id for match in decisions(after)}  # type: ignore[attr-defined]


def test_other_code_or_data_invalidates_it(stored: sqlite_utils.Database, cache: Path) -> None:
    build = CountingBuild()
    matcher_for(stored, cache, build=build)
    matcher_for(stored, cache, build=build, fingerprint="other code")
    assert build.count == 2


def test_the_fingerprint_covers_the_code_and_the_language_data(tmp_path: Path) -> None:
    copy = tmp_path / "knowledge"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    original = code_fingerprint(copy)
    assert original == code_fingerprint()
    synonyms = copy / "data" / "synonyms.toml"
    synonyms.write_bytes(synonyms.read_bytes() + b"\n")
    changed_data = code_fingerprint(copy)
    matcher = copy / "matcher" / "decision.py"  # a subpackage counts too
    matcher.write_bytes(matcher.read_bytes() + b"\n")
    assert len({original, changed_data, code_fingerprint(copy)}) == 3


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _flipped(data: bytes) -> bytes:
    return data[:-100] + bytes([data[-100] ^ 0xFF]) + data[-99:]


def _garbage(data: bytes) -> bytes:
    return os.urandom(len(data))


def _empty(_: bytes) -> bytes:
    return b""


def _not_a_pickle(data: bytes) -> bytes:
    """A well-formed file, with its checksum right, whose payload is no pickle."""
    return _with_payload(data, b"this is not a pickle")


def _not_a_matcher(data: bytes) -> bytes:
    return _with_payload(data, b"\x80\x05K\x2a.")  # the pickle of the int 42


def _with_payload(data: bytes, payload: bytes) -> bytes:
    import hashlib

    key = data[len(FORMAT) : len(FORMAT) + 64]
    digest = hashlib.sha256(payload).hexdigest().encode()
    return FORMAT + key + b"\n" + digest + b"\n" + payload


@pytest.mark.parametrize(
    "damage",
    [_truncated, _flipped, _garbage, _empty, _not_a_pickle, _not_a_matcher],
    ids=lambda d: d.__name__,
)
def test_a_damaged_file_is_ignored_and_rebuilt(
    stored: sqlite_utils.Database, cache: Path, damage: Callable[[bytes], bytes]
) -> None:
    build = CountingBuild()
    matcher_for(stored, cache, build=build)
    cache.write_bytes(damage(cache.read_bytes()))
    rebuilt = matcher_for(stored, cache, build=build)
    assert build.count == 2
    assert rebuilt.match("who owns sscl").outcome is Outcome.ANSWER
    matcher_for(stored, cache, build=build)
    assert build.count == 2  # and written afresh


def test_a_cache_that_cannot_be_written_or_read_is_skipped(
    stored: sqlite_utils.Database, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    unwritable = blocker / ("knowledge.db" + CACHE_SUFFIX)
    build = CountingBuild()
    assert matcher_for(stored, unwritable, build=build).match("who owns sscl").fact_id
    a_folder = tmp_path / ("folder" + CACHE_SUFFIX)
    a_folder.mkdir()
    matcher_for(stored, a_folder, build=build)
    assert build.count == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "a-file",
        "folder" + CACHE_SUFFIX,
        "knowledge.db",
        "knowledge.db-shm",
        "knowledge.db-wal",
    ]  # no temporary file left behind


def test_saving_leaves_no_temporary_file(stored: sqlite_utils.Database, cache: Path) -> None:
    matcher_for(stored, cache)
    assert [path.name for path in cache.parent.iterdir() if CACHE_SUFFIX in path.name] == [
        cache.name
    ]


def test_the_key_changes_with_the_facts_version_and_the_code() -> None:
    keys = {cache_key("a", "code"), cache_key("b", "code"), cache_key("a", "other code")}
    assert len(keys) == 3


def test_a_loaded_index_decides_exactly_as_a_fresh_one(
    stored: sqlite_utils.Database, cache: Path
) -> None:
    build = CountingBuild()
    matcher_for(stored, cache, build=build)
    loaded = matcher_for(stored, cache, build=build)
    assert build.count == 1
    fresh = Matcher(CURATED.facts)
    assert decisions(loaded) == decisions(fresh)
    excluded = {CURATED.facts[0].id}
    question = CURATED.facts[0].question_texts[0]
    assert loaded.match(question, excluded) == fresh.match(question, excluded)


def test_a_loaded_index_still_takes_changes_one_fact_at_a_time(
    stored: sqlite_utils.Database, cache: Path
) -> None:
    matcher_for(stored, cache)
    loaded = matcher_for(stored, cache, build=CountingBuild())
    fresh = Matcher(CURATED.facts)
    changed = Fact(
        id=CURATED.facts[2].id,
        answer="The zebra crossing costs nothing.",
        source_key=CURATED.facts[2].source_key,
        quote="",
        questions=CURATED.facts[2].questions[:1],
    )
    for matcher in (loaded, fresh):
        matcher.upsert(changed)
        matcher.remove(CURATED.facts[3].id)
    assert decisions(loaded) == decisions(fresh)
    assert loaded.match(CHANGED_WORDING).fact_id == changed.id
