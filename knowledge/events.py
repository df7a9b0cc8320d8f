"""What happened to each question, for reps' statistics: the outcome and the fact, nothing else."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlite_utils

from knowledge.database import utc_now, write_transaction
from knowledge.models import Outcome, Stats, WeekCounts


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

    def weekly(self, weeks: int, now: datetime | None = None) -> list[WeekCounts]:
        """Counts for each of the last ``weeks`` weeks (Monday to Sunday, UTC), oldest
        first, the current week last and partial; a week without questions counts zeros."""
        today = (now or datetime.now(UTC)).astimezone(UTC).date()
        starts = [week_start(today) - timedelta(weeks=ago) for ago in reversed(range(weeks))]
        counts: dict[date, dict[str, int]] = {start: {} for start in starts}
        if not starts:
            return []
        rows = self._db.query(
            "SELECT substr(at, 1, 10) AS day, outcome, count(*) AS n FROM question_events"
            " WHERE at >= ? GROUP BY day, outcome",
            [starts[0].isoformat()],
        )
        for row in rows:
            week = counts.get(week_start(date.fromisoformat(row["day"])))
            if week is not None:
                week[row["outcome"]] = week.get(row["outcome"], 0) + row["n"]
        return [
            WeekCounts(
                week_start=start,
                answered=week.get(Outcome.ANSWER.value, 0),
                suggested=week.get(Outcome.SUGGESTIONS.value, 0),
                unanswered=week.get(Outcome.UNANSWERED.value, 0),
            )
            for start, week in counts.items()
        ]


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())
