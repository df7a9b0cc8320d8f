"""When reps last had their digest: the period each digest covered, so that the next
one starts where it ended and a restarted bot neither repeats nor skips a week."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlite_utils

from knowledge.database import utc_now, write_transaction


class DigestLog:
    """Writes only the ``digests`` table: one row per digest posted, no text, no member."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def record(self, since: datetime, until: datetime) -> None:
        """Remember that reps were told about ``since`` to ``until``."""
        with write_transaction(self._db):
            self._db.execute(
                "INSERT INTO digests (period_start, period_end, posted_at) VALUES (?, ?, ?)",
                [timestamp(since), timestamp(until), utc_now()],
            )

    def last_end(self) -> datetime | None:
        """Where the last digest's period ended; None before the first."""
        row = self._db.execute("SELECT max(period_end) FROM digests").fetchone()
        return None if row[0] is None else datetime.fromisoformat(row[0])


def timestamp(moment: datetime) -> str:
    """``moment`` in the format of every stored time (UTC ISO 8601, to the second)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")
