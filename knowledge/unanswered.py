"""The log of questions the bot could not answer, grouped for reps.

Rewordings of one question share one entry with a count, so reps see the
most-asked first; ``knowledge.grouping`` says which wordings are one question.
A new question is compared only with the open entries sharing one of its
content terms, found through the ``unanswered_terms`` index and at most
``CANDIDATES_PER_TERM`` a term, so grouping takes the same time with ten or
ten thousand open entries. A question that got only "did you mean" facts is
logged as suggested, listed after the unanswered ones, and closed when its
member picks one. Who asked is never stored here; a member who asks to be
notified is kept in ``notify_requests`` only until they are notified or the
question is dismissed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import sqlite_utils

from knowledge.analysis import Analyser, Analysis
from knowledge.database import scrub_log, utc_now, write_transaction
from knowledge.errors import FactNotFound, UnansweredNotFound
from knowledge.grouping import Wording, same_question
from knowledge.lexicon import default_lexicon
from knowledge.models import NotifyRequest, Unanswered, UnansweredStatus
from knowledge.semantic import Encoder, default_encoder
from knowledge.text import clean

MAX_LOGGED_CHARS = 2_000
CANDIDATES_PER_TERM = 50
"""The newest open entries holding a term that a new question is compared with;
a raid of thousands of questions naming "sscl" cannot make each new one slower."""
LOOKUP_TERMS = 4
"""A long question looks for entries by its rarest terms only."""
MEMBERS_CHOICE = "member's choice"
"""Who closed an entry whose member picked a "did you mean" fact (never which member)."""


@cache
def _plain_analyser() -> Analyser:
    """For a log opened without the matcher's analyser (start-up sync, tests): the
    same reading, without typo repair to the facts' vocabulary."""
    return Analyser(default_lexicon())


class UnansweredLog:
    """Records, lists and closes unanswered questions.

    ``analyse`` reads a wording as the matcher does (``Matcher.analyse``), so that
    typos are repaired to the facts' words; ``encoder`` embeds wordings.
    """

    def __init__(
        self,
        db: sqlite_utils.Database,
        analyse: Callable[[str], Analysis] | None = None,
        encoder: Encoder | None = None,
    ) -> None:
        self._db = db
        self._analyse = analyse
        self._encoder = encoder or default_encoder()

    def record(
        self,
        text: str,
        *,
        place: str,
        best_score: float,
        nearest_fact_id: int | None,
        rejected_fact_id: int | None = None,
        suggested: bool = False,
    ) -> Unanswered:
        """Log one unanswered ask, grouping it with an open entry of the same question.

        ``rejected_fact_id`` is the fact a member said did not answer it: that
        fact is not given for this wording again while the entry is open, so
        the same rejection again can only be a second press on the same reply
        and is not counted twice. ``suggested``: the ask got "did you mean"
        facts; an entry stays suggested only while every ask of it did.
        """
        text = text.strip()[:MAX_LOGGED_CHARS]
        normalised = clean(text)
        wording = self._wording(text)
        now = utc_now()
        with write_transaction(self._db):
            repeat = self._db.execute(
                "SELECT id FROM unanswered WHERE normalised = ? AND status = 'open'"
                " AND rejected_fact_id = ?",
                [normalised, rejected_fact_id],
            ).fetchone()
            if repeat is not None:
                return self.get(repeat[0])
            existing = self._open_match(text, normalised, wording)
            if existing is None:
                cursor = self._db.execute(
                    "INSERT INTO unanswered (text, normalised, place, first_asked_at,"
                    " last_asked_at, best_score, nearest_fact_id, suggested, terms,"
                    " question_types) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        text,
                        normalised,
                        place,
                        now,
                        now,
                        best_score,
                        self._known(nearest_fact_id),
                        suggested,
                        wording.stored_terms,
                        wording.stored_types,
                    ],
                )
                entry_id = int(cursor.lastrowid or 0)
                self._db.conn.executemany(
                    "INSERT INTO unanswered_terms (term, unanswered_id) VALUES (?, ?)",
                    [(term, entry_id) for term in sorted(wording.terms)],
                )
            else:
                entry_id = existing
                self._db.execute(
                    "UPDATE unanswered SET count = count + 1, last_asked_at = ?,"
                    " best_score = max(best_score, ?), suggested = suggested AND ? WHERE id = ?",
                    [now, best_score, suggested, entry_id],
                )
            self._db.execute(
                "INSERT OR IGNORE INTO unanswered_texts (unanswered_id, text) VALUES (?, ?)",
                [entry_id, text],
            )
            if rejected_fact_id is not None:
                self._db.execute(
                    "UPDATE unanswered SET rejected_fact_id = ?, suggested = 0 WHERE id = ?",
                    [self._known(rejected_fact_id), entry_id],
                )
        return self.get(entry_id)

    def none_fits(self, text: str) -> Unanswered | None:
        """A member said no "did you mean" fact answers ``text``: its open entry, if
        any, is unanswered from now on (not counted again)."""
        with write_transaction(self._db):
            entry = self.open_entry(text)
            if entry is None:
                return None
            self._db.execute("UPDATE unanswered SET suggested = 0 WHERE id = ?", [entry.id])
            return self.get(entry.id)

    def chosen(self, text: str, fact_id: int) -> Unanswered | None:
        """A member picked fact ``fact_id`` from "did you mean" for ``text``: its open
        entry, when still only suggested, is closed as answered by that fact
        (``MEMBERS_CHOICE`` closed it). Returns the closed entry, or None."""
        with write_transaction(self._db):
            entry = self.open_entry(text)
            if entry is None or not entry.suggested:
                return None
            return self.resolve(entry.id, fact_id, actor=MEMBERS_CHOICE)

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
        """Entries with ``status``: the unanswered, then the suggested; each most-asked
        first, then most recent."""
        rows = self._db.query(
            "SELECT * FROM unanswered WHERE status = ?"
            " ORDER BY suggested, count DESC, last_asked_at DESC, id",
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
            # Only open entries are indexed: a closed one never groups a new ask.
            (terms,) = self._db.execute(
                "SELECT terms FROM unanswered WHERE id = ?", [entry_id]
            ).fetchone()
            self._db.conn.executemany(
                "DELETE FROM unanswered_terms WHERE term = ? AND unanswered_id = ?",
                [(term, entry_id) for term in terms.split()],
            )
        return self.get(entry_id)

    def open_entry(self, text: str) -> Unanswered | None:
        """The open entry ``text`` would be grouped with, if any; nothing is counted."""
        text = text.strip()[:MAX_LOGGED_CHARS]
        entry_id = self._open_match(text, clean(text), self._wording(text))
        return None if entry_id is None else self.get(entry_id)

    def _wording(self, text: str) -> Wording:
        analyse = self._analyse or _plain_analyser().analyse
        return Wording.of(analyse(text))

    def _open_match(self, text: str, normalised: str, wording: Wording) -> int | None:
        """The open entry of the same question: one with the same cleaned wording (or,
        with nothing left by cleaning, the same text), else the closest rewording
        among the entries sharing one of its rarest terms."""
        same = self._db.execute(
            "SELECT id FROM unanswered INDEXED BY unanswered_by_normalised"
            " WHERE normalised = ? AND status = 'open' AND (? != '' OR text = ?)"
            " ORDER BY id LIMIT 1",
            [normalised, normalised, text],
        ).fetchone()
        if same is not None:
            return int(same[0])
        ids: set[int] = set()
        for term in wording.rarest_terms(LOOKUP_TERMS):
            ids.update(
                row[0]
                for row in self._db.execute(
                    "SELECT unanswered_id FROM unanswered_terms WHERE term = ?"
                    " ORDER BY unanswered_id DESC LIMIT ?",
                    [term, CANDIDATES_PER_TERM],
                )
            )
        if not ids:
            return None
        rows = self._db.execute(
            "SELECT id, text, terms, question_types FROM unanswered"
            f" WHERE id IN ({', '.join('?' * len(ids))})",
            sorted(ids),
        ).fetchall()
        candidates = [(int(i), str(t), Wording.stored(terms, types)) for i, t, terms, types in rows]
        return same_question(text, wording, candidates, self._encoder)

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
        suggested=bool(row["suggested"]),
    )
