"""Bring the database in step with the curated files on start-up.

New curated facts and sources are added, changed ones updated, and facts the
file merged into another retired, moving to the merged fact what members and
reps taught the old one; a fact a rep edited or removed is never overwritten.
The stores do the writing, together in one transaction.

>>> from knowledge.curated import load_curated
>>> from knowledge.database import open_database
>>> db = open_database(":memory:")
>>> sync_curated(db, load_curated()).updated, sync_curated(db, load_curated()).added
(0, 0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlite_utils

from knowledge.curated import Curated
from knowledge.database import write_transaction
from knowledge.facts import FactStore, curated_hash
from knowledge.models import QuestionOrigin
from knowledge.proposals import ProposalQueue
from knowledge.sources import SourceStore
from knowledge.unanswered import UnansweredLog

CURATOR = "curated file"
"""The actor named in the history of changes the curated files make."""


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What loading the curated file did."""

    added: int
    updated: int
    kept_rep_edits: int
    changed_texts: tuple[str, ...] = ()
    """Keys of the sources whose text was new or changed."""
    retired: int = 0
    """Curated facts removed because the file merged them into another fact."""


def sync_curated(
    db: sqlite_utils.Database, curated: Curated, texts: Mapping[str, str] | None = None
) -> LoadReport:
    """Load the curated sources and facts into ``db``; idempotent.

    ``texts`` gives the full text of curated sources by key, where it was
    found; a source's stored text is replaced when it changed, and kept
    when it was not found this time. A fact a rep has edited or removed is
    never overwritten. A curated fact whose text changed in the file is
    updated, keeping the example questions reps and members taught it.
    """
    sources = SourceStore(db)
    facts = FactStore(db, sources)
    proposals, unanswered = ProposalQueue(db), UnansweredLog(db)
    added = updated = kept = retired = 0
    texts = texts or {}
    changed_texts: list[str] = []
    with write_transaction(db):
        for source in curated.sources.values():
            sources.save_source(source, actor=CURATOR)
            if texts.get(source.key) and sources.set_source_text(
                source.key, texts[source.key], actor=CURATOR
            ):
                changed_texts.append(source.key)
        for fact in curated.facts:
            state = facts.stored_state(fact.id)
            if state is None:
                facts.add_curated(fact, actor=CURATOR)
                added += 1
            elif state.edited_by_rep or state.removed:
                kept += 1
            elif state.curated_hash != curated_hash(fact):
                facts.reload_curated(fact, actor=CURATOR)
                updated += 1
        for old_id, new_id in curated.merged_into.items():
            outcome = _retire(facts, proposals, unanswered, old_id, new_id)
            retired += outcome is True
            kept += outcome is False
    return LoadReport(
        added=added,
        updated=updated,
        kept_rep_edits=kept,
        changed_texts=tuple(changed_texts),
        retired=retired,
    )


def _retire(
    facts: FactStore,
    proposals: ProposalQueue,
    unanswered: UnansweredLog,
    old_id: int,
    new_id: int,
) -> bool | None:
    """Retire curated fact ``old_id``, which the file merged into ``new_id``.

    What members and reps taught it moves to ``new_id``: its taught example
    questions, pending proposals and open "not what I asked" marks. Returns
    True when retired, False when kept because a rep edited it, None when
    there was nothing to retire.
    """
    state = facts.stored_state(old_id)
    if state is None or state.removed:
        return None
    if state.edited_by_rep:
        return False
    taught = [q for q in facts.fact(old_id).questions if q.origin is not QuestionOrigin.CURATED]
    for origin in {q.origin for q in taught}:
        facts.add_questions(new_id, [q.text for q in taught if q.origin is origin], origin, CURATOR)
    proposals.move_pending(old_id, new_id, actor=CURATOR)
    unanswered.move_rejections(old_id, new_id)
    facts.retire(old_id, merged_into=new_id, actor=CURATOR)
    return True
