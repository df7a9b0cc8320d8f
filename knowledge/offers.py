"""The passages offered with logged questions, so that reps see them and can make one a fact.

A passage is kept by its place in its source (key, paragraph, start, length)
and a digest of its words, never the words twice: they are the source's.
``words`` gives them back from the source's current text, found where they
were or, when text before them changed, wherever they now are; None when the
text no longer holds them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import sqlite_utils

from knowledge.database import write_transaction
from knowledge.errors import PassageGone
from knowledge.models import PassageOffer, UnansweredStatus
from knowledge.paragraphs import Passage, split_passages

_DIGEST_CHARS = 16
"""64 bits of sha256: enough to tell a source's passages apart."""


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:_DIGEST_CHARS]


class PassageOffers:
    """Records, lists and finds again the passages offered with logged questions."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def record(self, entry_id: int, passages: Sequence[Passage]) -> list[int]:
        """Keep that ``passages`` were offered with entry ``entry_id``; returns each one's
        offer id (the same id when a repeat of the question is offered it again)."""
        ids = []
        with write_transaction(self._db):
            for passage in passages:
                key = [entry_id, passage.source_key, passage.start, digest(passage.text)]
                self._db.execute(
                    "INSERT OR IGNORE INTO unanswered_passages (unanswered_id, source_key,"
                    " start, digest, paragraph, length) VALUES (?, ?, ?, ?, ?, ?)",
                    [*key, passage.paragraph, len(passage.text)],
                )
                row = self._db.execute(
                    "SELECT id FROM unanswered_passages WHERE unanswered_id = ?"
                    " AND source_key = ? AND start = ? AND digest = ?",
                    key,
                ).fetchone()
                ids.append(int(row[0]))
        return ids

    def offer(self, offer_id: int) -> PassageOffer:
        """The offer ``offer_id``; raises ``PassageGone`` for an unknown one."""
        rows = list(self._db.query(_SELECT + " WHERE o.id = ?", [offer_id]))
        if not rows:
            raise PassageGone(f"there is no offered passage {offer_id}")
        return _offer(rows[0])

    def by_entry(self, status: UnansweredStatus) -> dict[int, list[PassageOffer]]:
        """The offers of every entry with ``status``, by entry id, in the order offered."""
        offers: dict[int, list[PassageOffer]] = {}
        rows = self._db.query(
            _SELECT + " JOIN unanswered u ON u.id = o.unanswered_id WHERE u.status = ?"
            " ORDER BY o.id",
            [status.value],
        )
        for row in rows:
            offers.setdefault(row["unanswered_id"], []).append(_offer(row))
        return offers

    def words(self, offer_id: int, text: str) -> str | None:
        """The offered passage's words in the source's current ``text``, or None when
        the text no longer holds them."""
        row = self._db.execute(
            "SELECT source_key, start, length, digest FROM unanswered_passages WHERE id = ?",
            [offer_id],
        ).fetchone()
        if row is None:
            return None
        key, start, length, wanted = row
        if digest(text[start : start + length]) == wanted:
            return text[start : start + length]
        moved = (p.text for p in split_passages(key, text) if digest(p.text) == wanted)
        return next(moved, None)


_SELECT = (
    "SELECT o.id, o.unanswered_id, o.source_key, s.title, o.paragraph, o.start"
    " FROM unanswered_passages o JOIN sources s ON s.key = o.source_key"
)


def _offer(row: dict[str, Any]) -> PassageOffer:
    return PassageOffer(
        id=row["id"],
        unanswered_id=row["unanswered_id"],
        source_key=row["source_key"],
        source_title=row["title"],
        paragraph=row["paragraph"],
        start=row["start"],
    )
