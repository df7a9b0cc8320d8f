"""What happened to each question, for reps' statistics: the outcome and the fact, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlite_utils

from knowledge.database import utc_now, write_transaction
from knowledge.models import Outcome, Stats


class QuestionEvents:
    """Counts questions by outcome; stores neither the text nor who asked."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def record(self, outcome: Outcome, fact_id: int | None) -> None:
        with write_transaction(self._db):
            self._db.execute(
                "INSERT INTO question_events (at, outcome, fact_id) VALUES (?, ?, ?)",
                [utc_now(), outcome.value, fact_id],
            )

    def stats(self, days: int, now: datetime | None = None) -> Stats:
        """Counts over the last ``days`` days."""
        since = ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat(timespec="seconds")
        counts = {
            row["outcome"]: row["n"]
            for row in self._db.query(
                "SELECT outcome, count(*) AS n FROM question_events WHERE at >= ? GROUP BY outcome",
                [since],
            )
        }
        return Stats(
            days=days,
            asked=sum(counts.values()),
            answered=counts.get(Outcome.ANSWER.value, 0),
            suggested=counts.get(Outcome.SUGGESTIONS.value, 0),
            unanswered=counts.get(Outcome.UNANSWERED.value, 0),
        )
