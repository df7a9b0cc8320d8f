"""The log of questions the bot could not answer, grouped for reps.

Repeated asks of one question (fuzzy-equal after cleaning) share one entry
with a count, so reps see the most-asked first. A new question is compared
only with a bounded number of open entries (the most recently opened, and
those starting with the same words), so grouping does not slow down as a raid
piles up entries. Who asked is never stored
here; a member who asks to be notified is kept in ``notify_requests`` only
until they are notified or the question is dismissed.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils
from rapidfuzz import fuzz, process

from knowledge.database import scrub_log, utc_now, write_transaction
from knowledge.errors import FactNotFound, UnansweredNotFound
from knowledge.models import NotifyRequest, Unanswered, UnansweredStatus
from knowledge.text import clean

SAME_QUESTION_SCORE = 90.0
"""rapidfuzz ratio of two cleaned questions at or above which they are one question."""
MAX_LOGGED_CHARS = 2_000
RECENTLY_OPENED = 200
SAME_START = 200
SAME_START_CHARS = 12
"""A new question is compared with at most the ``RECENTLY_OPENED`` newest open entries
and ``SAME_START`` more whose cleaned text begins with its first ``SAME_START_CHARS``
characters (found through the ``normalised`` index): with 5,000 open, finding
the entry takes 0.16 ms against 0.68 ms comparing all. A rewording of an older entry that
differs in its first characters opens an entry of its own, which reps can dismiss."""


class UnansweredLog:
    """Records, lists and closes unanswered questions."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def record(
        self,
        text: str,
        *,
        place: str,
        best_score: float,
        nearest_fact_id: int | None,
        rejected_fact_id: int | None = None,
    ) -> Unanswered:
        """Log one unanswered ask, grouping it with an open fuzzy-equal question.

        ``rejected_fact_id`` is the fact a member said did not answer it: that
        fact is not given for this wording again while the entry is open, so
        the same rejection again can only be a second press on the same reply
        and is not counted twice.
        """
        text = text.strip()[:MAX_LOGGED_CHARS]
        normalised = clean(text)
        now = utc_now()
        with write_transaction(self._db):
            repeat = self._db.execute(
                "SELECT id FROM unanswered WHERE normalised = ? AND status = 'open'"
                " AND rejected_fact_id = ?",
                [normalised, rejected_fact_id],
            ).fetchone()
            if repeat is not None:
                return self.get(repeat[0])
            existing = self._open_match(text, normalised)
            if existing is None:
                cursor = self._db.execute(
                    "INSERT INTO unanswered (text, normalised, place, first_asked_at,"
                    " last_asked_at, best_score, nearest_fact_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [text, normalised, place, now, now, best_score, self._known(nearest_fact_id)],
                )
                entry_id = int(cursor.lastrowid or 0)
            else:
                entry_id = existing
                self._db.execute(
                    "UPDATE unanswered SET count = count + 1, last_asked_at = ?,"
                    " best_score = max(best_score, ?) WHERE id = ?",
                    [now, best_score, entry_id],
                )
            self._db.execute(
                "INSERT OR IGNORE INTO unanswered_texts (unanswered_id, text) VALUES (?, ?)",
                [entry_id, text],
            )
            if rejected_fact_id is not None:
                self._db.execute(
                    "UPDATE unanswered SET rejected_fact_id = ? WHERE id = ?",
                    [self._known(rejected_fact_id), entry_id],
                )
        return self.get(entry_id)

    def rejected_fact_ids(self, text: str) -> set[int]:
        """Facts members rejected for this exact wording (after cleaning), while still open."""
        rows = self._db.query(
            "SELECT rejected_fact_id FROM unanswered WHERE normalised = ? AND status = 'open'"
            " AND rejected_fact_id IS NOT NULL",
            [clean(text)],
        )
        return {int(row["rejected_fact_id"]) for row in rows}

    # --- members who asked to be notified ----------------------------------------

    def request_notification(self, entry_id: int, *, user_id: str, channel_id: str) -> bool:
        """Remember that ``user_id`` wants to hear when entry ``entry_id`` is answered;
        returns whether it is kept. It is kept only while the entry is open: a closed
        one will never notify anyone. Raises ``UnansweredNotFound``."""
        with write_transaction(self._db):
            if self.get(entry_id).status is not UnansweredStatus.OPEN:
                return False
            self._db.execute(
                "INSERT OR IGNORE INTO notify_requests (unanswered_id, user_id, channel_id,"
                " requested_at) VALUES (?, ?, ?, ?)",
                [entry_id, user_id, channel_id, utc_now()],
            )
        return True

    def notify_requests(self, entry_id: int) -> list[NotifyRequest]:
        rows = self._db.query(
            "SELECT * FROM notify_requests WHERE unanswered_id = ? ORDER BY id", [entry_id]
        )
        return [NotifyRequest(**row) for row in rows]

    def held_about(self, user_id: str) -> list[NotifyRequest]:
        """Everything kept about one member (for /privacy)."""
        rows = self._db.query(
            "SELECT * FROM notify_requests WHERE user_id = ? ORDER BY id", [user_id]
        )
        return [NotifyRequest(**row) for row in rows]

    def forget_request(self, request_id: int) -> None:
        """Drop one notify request (the member has been told)."""
        with write_transaction(self._db):
            self._db.execute("DELETE FROM notify_requests WHERE id = ?", [request_id])
        scrub_log(self._db)

    def forget_member(self, user_id: str) -> int:
        """Delete everything kept about a member; returns how many records went."""
        with write_transaction(self._db):
            cursor = self._db.execute("DELETE FROM notify_requests WHERE user_id = ?", [user_id])
        scrub_log(self._db)
        return int(cursor.rowcount)

    def purge_notify_requests(self, older_than: str) -> int:
        """Delete notify requests made before the UTC ISO time ``older_than``."""
        with write_transaction(self._db):
            cursor = self._db.execute(
                "DELETE FROM notify_requests WHERE requested_at < ?", [older_than]
            )
        if cursor.rowcount:
            scrub_log(self._db)
        return int(cursor.rowcount)

    def get(self, entry_id: int) -> Unanswered:
        rows = list(self._db.query("SELECT * FROM unanswered WHERE id = ?", [entry_id]))
        if not rows:
            raise UnansweredNotFound(f"there is no unanswered question {entry_id}")
        return _entry(rows[0])

    def entries(self, status: UnansweredStatus = UnansweredStatus.OPEN) -> list[Unanswered]:
        """Entries with ``status``, most-asked first, then most recent."""
        rows = self._db.query(
            "SELECT * FROM unanswered WHERE status = ? ORDER BY count DESC, last_asked_at DESC, id",
            [status.value],
        )
        return [_entry(row) for row in rows]

    def texts(self, entry_id: int) -> list[str]:
        """Every distinct wording grouped under an entry."""
        rows = self._db.query(
            "SELECT text FROM unanswered_texts WHERE unanswered_id = ? ORDER BY rowid", [entry_id]
        )
        return [row["text"] for row in rows]

    def resolve(self, entry_id: int, fact_id: int, *, actor: str) -> Unanswered:
        """Close an entry with the fact that answers it."""
        rows = list(self._db.query("SELECT id FROM facts WHERE id = ? AND removed = 0", [fact_id]))
        if not rows:
            raise FactNotFound(f"there is no fact {fact_id}")
        return self._close(entry_id, UnansweredStatus.RESOLVED, fact_id, actor)

    def dismiss(self, entry_id: int, *, actor: str) -> Unanswered:
        """Close an entry that needs no answer (off-topic, abuse, a duplicate).

        Its notify requests are deleted in the same transaction: nobody will be
        told, so the members' ids have no use. Raises ``UnansweredNotFound``
        for an unknown or already closed entry, and then deletes nothing.
        """
        with write_transaction(self._db):
            entry = self._close(entry_id, UnansweredStatus.DISMISSED, None, actor)
            self._db.execute("DELETE FROM notify_requests WHERE unanswered_id = ?", [entry_id])
        scrub_log(self._db)
        return entry

    def move_rejections(self, old_fact_id: int, new_fact_id: int) -> None:
        """Open questions whose members said fact ``old_fact_id`` is "not what I asked"
        now say so of ``new_fact_id``, the fact the curated file merged it into."""
        with write_transaction(self._db):
            self._db.execute(
                "UPDATE unanswered SET rejected_fact_id = ?"
                " WHERE rejected_fact_id = ? AND status = 'open'",
                [new_fact_id, old_fact_id],
            )

    def _close(
        self, entry_id: int, status: UnansweredStatus, fact_id: int | None, actor: str
    ) -> Unanswered:
        with write_transaction(self._db):
            if self.get(entry_id).status is not UnansweredStatus.OPEN:
                raise UnansweredNotFound(f"question {entry_id} is already closed")
            self._db.execute(
                "UPDATE unanswered SET status = ?, resolved_fact_id = ?, closed_at = ?,"
                " closed_by = ? WHERE id = ?",
                [status.value, fact_id, utc_now(), actor, entry_id],
            )
        return self.get(entry_id)

    def open_entry(self, text: str) -> Unanswered | None:
        """The open entry ``text`` would be grouped with, if any; nothing is counted."""
        text = text.strip()[:MAX_LOGGED_CHARS]
        entry_id = self._open_match(text, clean(text))
        return None if entry_id is None else self.get(entry_id)

    def _open_match(self, text: str, normalised: str) -> int | None:
        if not normalised:  # nothing but emoji or symbols: group exact repeats only
            rows = list(
                self._db.query(
                    "SELECT id FROM unanswered WHERE status = 'open' AND text = ?", [text]
                )
            )
            return int(rows[0]["id"]) if rows else None
        start = normalised[:SAME_START_CHARS]
        # Named indexes, or SQLite gathers every open row through the status index:
        # walk the table newest first and stop after enough open rows, and find the
        # same start as a range of the ``normalised`` index.
        rows = self._db.execute(
            "SELECT id, normalised FROM (SELECT id, normalised FROM unanswered NOT INDEXED"
            " WHERE status = 'open' ORDER BY id DESC LIMIT ?)"
            " UNION SELECT id, normalised FROM (SELECT id, normalised FROM unanswered"
            " INDEXED BY unanswered_by_normalised"
            " WHERE normalised >= ? AND normalised < ? AND status = 'open' LIMIT ?)",
            [RECENTLY_OPENED, start, start + "\U0010ffff", SAME_START],
        ).fetchall()
        if not rows:
            return None
        found = process.extractOne(
            normalised,
            {int(entry_id): str(text) for entry_id, text in rows},
            scorer=fuzz.ratio,
            score_cutoff=SAME_QUESTION_SCORE,
        )
        return None if found is None else int(found[2])

    def _known(self, fact_id: int | None) -> int | None:
        if fact_id is None:
            return None
        rows = list(self._db.query("SELECT id FROM facts WHERE id = ?", [fact_id]))
        return fact_id if rows else None


def _entry(row: dict[str, Any]) -> Unanswered:
    return Unanswered(
        id=row["id"],
        text=row["text"],
        normalised=row["normalised"],
        place=row["place"],
        first_asked_at=row["first_asked_at"],
        last_asked_at=row["last_asked_at"],
        count=row["count"],
        best_score=row["best_score"],
        nearest_fact_id=row["nearest_fact_id"],
        status=UnansweredStatus(row["status"]),
        resolved_fact_id=row["resolved_fact_id"],
        rejected_fact_id=row["rejected_fact_id"],
    )
