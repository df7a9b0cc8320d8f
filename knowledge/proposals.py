"""Proposed example questions: what members chose from "did you mean", waiting for a rep.

Nothing a member clicks changes the knowledge base by itself: a choice is
kept here (the wording and the fact, never who chose) until a rep approves it
as an example question of that fact or rejects it.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from knowledge.database import utc_now, write_transaction
from knowledge.errors import ProposalNotFound
from knowledge.models import Proposal, ProposalStatus
from knowledge.text import clean

MAX_PROPOSAL_CHARS = 300


class ProposalQueue:
    """Records members' choices and lets reps close them."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def propose(self, text: str, fact_id: int) -> Proposal | None:
        """Keep ``text`` as a proposed question of ``fact_id``; repeats add to its count.

        Returns None for text with no words or too long to be an example question.
        """
        text = " ".join(text.split())
        normalised = clean(text)
        if not normalised or len(text) > MAX_PROPOSAL_CHARS:
            return None
        with write_transaction(self._db):
            self._db.execute(
                "INSERT INTO proposals (fact_id, text, normalised, proposed_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (fact_id, normalised)"
                " DO UPDATE SET count = count + 1",
                [fact_id, text, normalised, utc_now()],
            )
        rows = self._db.query(
            "SELECT * FROM proposals WHERE fact_id = ? AND normalised = ?", [fact_id, normalised]
        )
        return _proposal(next(iter(rows)))

    def pending(self) -> list[Proposal]:
        """Pending proposals, most-chosen first."""
        rows = self._db.query(
            "SELECT * FROM proposals WHERE status = 'pending' ORDER BY count DESC, id"
        )
        return [_proposal(row) for row in rows]

    def pending_one(self, proposal_id: int) -> Proposal:
        rows = list(
            self._db.query(
                "SELECT * FROM proposals WHERE id = ? AND status = 'pending'", [proposal_id]
            )
        )
        if not rows:
            raise ProposalNotFound(f"there is no pending proposal {proposal_id}")
        return _proposal(rows[0])

    def close(self, proposal_id: int, status: ProposalStatus, *, actor: str) -> None:
        with write_transaction(self._db):
            self.pending_one(proposal_id)
            self._db.execute(
                "UPDATE proposals SET status = ?, closed_at = ?, closed_by = ? WHERE id = ?",
                [status.value, utc_now(), actor, proposal_id],
            )

    def move_pending(self, old_fact_id: int, new_fact_id: int, *, actor: str) -> None:
        """Move the pending proposals of fact ``old_fact_id`` (merged into another by
        the curated file) to ``new_fact_id``; one the new fact already has is rejected."""
        with write_transaction(self._db):
            self._db.execute(
                "UPDATE OR IGNORE proposals SET fact_id = ?"
                " WHERE fact_id = ? AND status = 'pending'",
                [new_fact_id, old_fact_id],
            )
            self._db.execute(
                "UPDATE proposals SET status = 'rejected', closed_at = ?, closed_by = ?"
                " WHERE fact_id = ? AND status = 'pending'",
                [utc_now(), actor, old_fact_id],
            )


def _proposal(row: dict[str, Any]) -> Proposal:
    return Proposal(
        id=row["id"],
        fact_id=row["fact_id"],
        text=row["text"],
        proposed_at=row["proposed_at"],
        count=row["count"],
        status=ProposalStatus(row["status"]),
    )
