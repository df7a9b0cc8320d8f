"""The passage index saved beside the database: loaded, updated, never trusted blindly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from knowledge.models import Source
from knowledge.passage_cache import passages_cache_path

CIRCULAR = Source(key="", title="Branch circular 7", kind="circular", issuer="PCS", date="2024")
MEETING = (
    "Branch officers will meet the employer on Monday to discuss relocation expenses and "
    "flexible working for staff who cannot move."
)
MEETING_QUESTION = "when will branch officers meet the employer about relocation"
PARKING = (
    "The car park at the Newport office will close for resurfacing during the whole of "
    "August, and staff are asked to use the park and ride."
)
PARKING_QUESTION = "when will the car park at the newport office close for resurfacing"


def offered(db_path: Path, question: str) -> list[str]:
    """The passages a knowledge base newly opened on ``db_path`` offers for ``question``."""
    kb = KnowledgeBase.open(db_path)
    try:
        return [passage.text for passage in kb.ask(question, place="dm").passages]
    finally:
        kb.close()


def fingerprint(path: Path) -> tuple[int, str]:
    """The file's inode and content hash: a rewritten file (renamed into place) differs."""
    return path.stat().st_ino, hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_saved_index_is_used_as_it_is_when_no_text_changed(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kb = KnowledgeBase.open(db_path)
    kb.add_source(CIRCULAR, f"Branch circular 7\n\n{MEETING}", actor="console")
    assert [p.text for p in kb.ask(MEETING_QUESTION, place="dm").passages] == [MEETING]
    kb.close()
    cache = passages_cache_path(db_path)
    assert cache is not None and cache.exists()
    saved = fingerprint(cache)

    with caplog.at_level("DEBUG", logger="knowledge.passage_cache"):
        assert offered(db_path, MEETING_QUESTION) == [MEETING]
    assert "passage index loaded" in caplog.text
    assert fingerprint(cache) == saved, "nothing changed, so nothing was written"


def test_texts_added_changed_or_emptied_since_are_indexed_again(db_path: Path) -> None:
    assert offered(db_path, MEETING_QUESTION) == []  # saves the index of the curated texts
    writer = KnowledgeBase.open(db_path)  # as another process would
    source = writer.add_source(CIRCULAR, f"Branch circular 7\n\n{MEETING}", actor="console")
    writer.close()
    assert offered(db_path, MEETING_QUESTION) == [MEETING]

    writer = KnowledgeBase.open(db_path)
    writer.set_source_text(source.key, f"Branch circular 7\n\n{PARKING}", actor="console")
    writer.close()
    assert offered(db_path, MEETING_QUESTION) == []
    assert offered(db_path, PARKING_QUESTION) == [PARKING]

    writer = KnowledgeBase.open(db_path)
    writer.set_source_text(source.key, "", actor="console")
    writer.close()
    assert offered(db_path, PARKING_QUESTION) == []


@pytest.mark.parametrize("damage", [b"", b"not an index", b"x" * 10_000])
def test_a_damaged_saved_index_is_ignored_and_rebuilt(db_path: Path, damage: bytes) -> None:
    kb = KnowledgeBase.open(db_path)
    kb.add_source(CIRCULAR, f"Branch circular 7\n\n{MEETING}", actor="console")
    kb.close()
    cache = passages_cache_path(db_path)
    assert cache is not None
    cache.write_bytes(damage)
    assert offered(db_path, MEETING_QUESTION) == [MEETING]
    assert cache.read_bytes() != damage
