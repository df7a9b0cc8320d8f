"""Facts, their example questions and their history, in SQLite.

``FactStore`` writes only the ``facts``, ``fact_questions`` and
``fact_history`` tables; a fact's source and quote are checked with the
``SourceStore`` it is given.

>>> from knowledge.curated import load_curated
>>> from knowledge.curated_sync import sync_curated
>>> from knowledge.database import open_database
>>> db = open_database(":memory:")
>>> sync_curated(db, load_curated()).added == FactStore(db).count_facts()
True
>>> FactStore(db).fact(1).source_key
'steria-article-2013'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import sqlite_utils

from knowledge.database import utc_now, write_transaction
from knowledge.errors import FactNotFound
from knowledge.fact_rules import checked, new_wordings
from knowledge.models import ExampleQuestion, Fact, FactChange, HistoryEntry, QuestionOrigin
from knowledge.sources import SourceStore

REP_FACT_ID_START = 10_001
"""Facts added by reps are numbered from here, so they never collide with a
curated fact added to the file later."""
_ARCHIVED = ("facts", "fact_questions", "fact_history")
"""The tables this store writes, as an export names them."""


class FactStream:
    """The store's facts as a re-iterable: each pass is a fresh ``iter_facts`` query.

    For readers that go over the facts more than once without keeping them
    (the ``Matcher`` reads them twice): with 100,000 facts, holding every
    ``Fact`` at once would cost over 100 MB: ``Matcher(store.fact_stream())``.
    """

    def __init__(self, store: FactStore) -> None:
        self._store = store

    def __iter__(self) -> Iterator[Fact]:
        return self._store.iter_facts()


@dataclass(frozen=True, slots=True)
class StoredState:
    """What the curated sync needs to know of a stored fact, removed or not."""

    removed: bool
    edited_by_rep: bool
    curated_hash: str | None


class FactStore:
    """Reads and changes facts; every change is recorded in the fact's history."""

    def __init__(self, db: sqlite_utils.Database, sources: SourceStore | None = None) -> None:
        """``sources``: where a fact's source and quote are checked; by default the
        sources in ``db``."""
        self._db = db
        self._sources = sources if sources is not None else SourceStore(db)

    # --- reading -------------------------------------------------------------

    def facts(self) -> list[Fact]:
        """Every fact that has not been removed, by id."""
        return list(self.iter_facts())

    def iter_facts(self) -> Iterator[Fact]:
        """Every fact that has not been removed, by id, each read as it is wanted.

        Facts and example questions are read side by side, both in fact-id
        order, so only the fact being yielded is in memory. For several passes
        over one snapshot, read inside ``read_transaction``.
        """
        questions = self._db.execute(
            "SELECT fact_id, text, origin FROM fact_questions ORDER BY fact_id, position"
        )
        pending = questions.fetchone()
        for row in self._db.query("SELECT * FROM facts WHERE removed = 0 ORDER BY id"):
            own: list[ExampleQuestion] = []
            # Questions of a removed fact come before the next live fact's; skipped.
            while pending is not None and pending[0] <= row["id"]:
                if pending[0] == row["id"]:
                    own.append(ExampleQuestion(pending[1], QuestionOrigin(pending[2])))
                pending = questions.fetchone()
            yield _fact(row, tuple(own))

    def fact_stream(self) -> FactStream:
        """Every fact, read afresh on each pass and never all held at once (``FactStream``)."""
        return FactStream(self)

    def facts_version(self) -> str:
        """A value that changes whenever a fact or an example question is added,
        changed or removed, by this connection or any other (migration 5's triggers)."""
        return str(self._db.execute("SELECT version FROM facts_version").fetchone()[0])

    def fact(self, fact_id: int) -> Fact:
        """The fact ``fact_id``; raises ``FactNotFound`` if it is absent or removed."""
        rows = list(self._db.query("SELECT * FROM facts WHERE id = ? AND removed = 0", [fact_id]))
        if not rows:
            raise FactNotFound(f"there is no fact {fact_id}")
        return _fact(rows[0], self._questions_of(fact_id))

    def stored_state(self, fact_id: int) -> StoredState | None:
        """How fact ``fact_id`` is stored, removed or not; None when it never was."""
        rows = list(
            self._db.query(
                "SELECT removed, edited_by_rep, curated_hash FROM facts WHERE id = ?", [fact_id]
            )
        )
        if not rows:
            return None
        row = rows[0]
        return StoredState(bool(row["removed"]), bool(row["edited_by_rep"]), row["curated_hash"])

    def history(self, fact_id: int) -> list[HistoryEntry]:
        rows = self._db.query("SELECT * FROM fact_history WHERE fact_id = ? ORDER BY id", [fact_id])
        return [
            HistoryEntry(**{field.name: row[field.name] for field in fields(HistoryEntry)})
            for row in rows
        ]

    def changes(self, since: str, until: str) -> list[FactChange]:
        """Each fact changed after ``since`` up to ``until`` (UTC ISO times, included):
        its actions in order, and its answer after them (or before its removal);
        most recently changed first."""
        rows = self._db.query(
            "SELECT fact_id, action, before, after FROM fact_history"
            " WHERE at > ? AND at <= ? ORDER BY id",
            [since, until],
        )
        actions: dict[int, list[str]] = {}
        answers: dict[int, str] = {}
        for row in rows:
            actions.setdefault(row["fact_id"], []).append(row["action"])
            answers[row["fact_id"]] = json.loads(row["after"] or row["before"])["answer"]
            # Re-inserted so that dict order is "least recently changed first".
            actions[row["fact_id"]] = actions.pop(row["fact_id"])
        return [
            FactChange(fact_id, tuple(done), answers[fact_id])
            for fact_id, done in reversed(actions.items())
        ]

    def count_facts(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM facts WHERE removed = 0").fetchone()[0])

    def is_empty(self) -> bool:
        """Whether no fact was ever stored, not even one since removed."""
        return self._db.execute("SELECT 1 FROM facts LIMIT 1").fetchone() is None

    # --- reps' changes -------------------------------------------------------

    def add_fact(
        self,
        *,
        answer: str,
        source_key: str,
        quote: str,
        questions: Sequence[str],
        keywords: Sequence[str] = (),
        actor: str,
        learned: Sequence[str] = (),
    ) -> Fact:
        """Add a rep's fact; raises ``InvalidFact`` or ``SourceNotFound``, and
        ``QuoteNotInSource`` when the source has text and the quote is not in it.

        ``learned``: members' wordings that become example questions too (those
        new beside the rep's, as ``add_questions`` takes them)."""
        self._sources.check_quote(source_key, quote)
        with write_transaction(self._db):
            fact_id = max(REP_FACT_ID_START, self._next_id())
            fact = checked(
                Fact(
                    id=fact_id,
                    answer=answer,
                    source_key=source_key,
                    quote=quote,
                    questions=tuple(ExampleQuestion(q, QuestionOrigin.REP) for q in questions)
                    + tuple(
                        ExampleQuestion(wording, QuestionOrigin.LEARNED)
                        for wording in new_wordings(questions, learned)
                    ),
                    keywords=tuple(keywords),
                )
            )
            self._insert(fact, origin="rep", curated_hash=None)
            self._record(fact.id, "add", actor, before=None, after=fact)
        return fact

    def edit_fact(
        self,
        fact_id: int,
        *,
        actor: str,
        answer: str | None = None,
        source_key: str | None = None,
        quote: str | None = None,
        questions: Sequence[str] | None = None,
        keywords: Sequence[str] | None = None,
    ) -> Fact:
        """Change the given parts of a fact; the rest stays. Returns the new fact.

        A new quote or source is checked like ``add_fact``'s (``QuoteNotInSource``).
        """
        if source_key is not None:
            self._sources.source(source_key)
        with write_transaction(self._db):
            before = self.fact(fact_id)
            if quote is not None or source_key is not None:
                self._sources.check_quote(
                    before.source_key if source_key is None else source_key,
                    before.quote if quote is None else quote,
                )
            new_questions = before.questions
            if questions is not None:
                new_questions = tuple(ExampleQuestion(q, QuestionOrigin.REP) for q in questions)
            after = checked(
                Fact(
                    id=fact_id,
                    answer=before.answer if answer is None else answer,
                    source_key=before.source_key if source_key is None else source_key,
                    quote=before.quote if quote is None else quote,
                    questions=new_questions,
                    keywords=before.keywords if keywords is None else tuple(keywords),
                )
            )
            self._update(after, edited_by_rep=True)
            self._record(fact_id, "edit", actor, before=before, after=after)
        return after

    def add_questions(
        self, fact_id: int, texts: Iterable[str], origin: QuestionOrigin, actor: str
    ) -> Fact:
        """Add example questions to a fact (a taught or learned wording).

        Each wording is checked like any rep input: mentions and markup are
        dropped, one longer than ``MAX_QUESTION_CHARS`` is skipped, and one
        fuzzy-equal to an example the fact already has is not added twice
        (``knowledge.fact_rules``).
        """
        with write_transaction(self._db):
            before = self.fact(fact_id)
            added = [
                ExampleQuestion(text, origin) for text in new_wordings(before.question_texts, texts)
            ]
            after = checked(
                Fact(
                    id=fact_id,
                    answer=before.answer,
                    source_key=before.source_key,
                    quote=before.quote,
                    questions=before.questions + tuple(added),
                    keywords=before.keywords,
                )
            )
            if added:
                self._update(after, edited_by_rep=False)
                self._record(fact_id, "add questions", actor, before=before, after=after)
        return after

    def remove_fact(self, fact_id: int, *, actor: str) -> Fact:
        """Soft-remove a fact: it stops answering; it and its history stay."""
        with write_transaction(self._db):
            before = self.fact(fact_id)
            self._db.execute(
                "UPDATE facts SET removed = 1, edited_by_rep = 1, updated_at = ? WHERE id = ?",
                [utc_now(), fact_id],
            )
            self._record(fact_id, "remove", actor, before=before, after=None)
        return before

    def store_imported(
        self, new: Sequence[Fact], changed: Sequence[tuple[Fact, Fact]], *, actor: str
    ) -> list[Fact]:
        """Store facts of an import, already checked as ``add_fact`` checks them
        (``knowledge.bulk_import``): the ``new`` ones numbered as reps' facts are,
        and each ``(before, after)`` change, as a rep's edit. Returns the new facts
        with their ids."""
        with write_transaction(self._db):
            first_id = max(REP_FACT_ID_START, self._next_id())
            added = [replace(fact, id=first_id + n) for n, fact in enumerate(new)]
            for fact in added:
                self._insert(fact, origin="rep", curated_hash=None)
                self._record(fact.id, "add", actor, before=None, after=fact)
            for before, after in changed:
                self._update(after, edited_by_rep=True)
                self._record(after.id, "edit", actor, before=before, after=after)
        return added

    # --- the curated file's changes ------------------------------------------

    def add_curated(self, fact: Fact, *, actor: str) -> None:
        """Store curated fact ``fact``, new to the database, as the file gives it."""
        with write_transaction(self._db):
            self._insert(fact, origin="curated", curated_hash=curated_hash(fact))
            self._record(fact.id, "load", actor, before=None, after=fact)

    def reload_curated(self, fact: Fact, *, actor: str) -> None:
        """Replace stored fact ``fact.id`` by the file's changed ``fact``, keeping the
        example questions reps and members taught it. Raises ``FactNotFound``."""
        with write_transaction(self._db):
            before = self.fact(fact.id)
            taught = tuple(q for q in before.questions if q.origin is not QuestionOrigin.CURATED)
            after = Fact(
                id=fact.id,
                answer=fact.answer,
                source_key=fact.source_key,
                quote=fact.quote,
                questions=fact.questions + taught,
                keywords=fact.keywords,
            )
            self._update(after, edited_by_rep=False, curated_hash=curated_hash(fact))
            self._record(fact.id, "reload", actor, before=before, after=after)

    def retire(self, old_id: int, *, merged_into: int, actor: str) -> None:
        """Remove curated fact ``old_id``, merged into fact ``merged_into`` by the file;
        unlike a rep's removal, a later file may bring it back. Raises ``FactNotFound``."""
        with write_transaction(self._db):
            before = self.fact(old_id)
            self._db.execute(
                "UPDATE facts SET removed = 1, updated_at = ? WHERE id = ?", [utc_now(), old_id]
            )
            action = f"merged into fact {merged_into}"
            self._record(old_id, action, actor, before=before, after=None)

    # --- export and import ---------------------------------------------------

    def export_rows(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of this store's tables, by table name, as an export keeps them."""
        return {
            table: [dict(row) for row in self._db.query(f"SELECT * FROM {table} ORDER BY id")]
            for table in _ARCHIVED
        }

    def import_rows(self, rows: Mapping[str, Any]) -> None:
        """Insert an export's rows of this store's tables, as they were."""
        with write_transaction(self._db):
            for table in _ARCHIVED:
                if rows.get(table):
                    self._db.table(table).insert_all(rows[table])

    # --- rows ----------------------------------------------------------------

    def _questions_of(self, fact_id: int) -> tuple[ExampleQuestion, ...]:
        rows = self._db.execute(
            "SELECT text, origin FROM fact_questions WHERE fact_id = ? ORDER BY position",
            [fact_id],
        )
        return tuple(ExampleQuestion(text, QuestionOrigin(origin)) for text, origin in rows)

    def _next_id(self) -> int:
        return int(self._db.execute("SELECT coalesce(max(id), 0) + 1 FROM facts").fetchone()[0])

    def _insert(self, fact: Fact, *, origin: str, curated_hash: str | None) -> None:
        now = utc_now()
        self._db.execute(
            "INSERT INTO facts (id, answer, source_key, quote, keywords, origin, curated_hash,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                fact.id,
                fact.answer,
                fact.source_key,
                fact.quote,
                json.dumps(list(fact.keywords)),
                origin,
                curated_hash,
                now,
                now,
            ],
        )
        self._write_questions(fact)

    def _update(self, fact: Fact, *, edited_by_rep: bool, curated_hash: str | None = None) -> None:
        self._db.execute(
            "UPDATE facts SET answer = ?, source_key = ?, quote = ?, keywords = ?,"
            " edited_by_rep = max(edited_by_rep, ?), curated_hash = coalesce(?, curated_hash),"
            " updated_at = ? WHERE id = ?",
            [
                fact.answer,
                fact.source_key,
                fact.quote,
                json.dumps(list(fact.keywords)),
                int(edited_by_rep),
                curated_hash,
                utc_now(),
                fact.id,
            ],
        )
        self._db.execute("DELETE FROM fact_questions WHERE fact_id = ?", [fact.id])
        self._write_questions(fact)

    def _write_questions(self, fact: Fact) -> None:
        for position, question in enumerate(fact.questions):
            self._db.execute(
                "INSERT INTO fact_questions (fact_id, position, text, origin) VALUES (?, ?, ?, ?)",
                [fact.id, position, question.text, question.origin.value],
            )

    def _record(
        self, fact_id: int, action: str, actor: str, *, before: Fact | None, after: Fact | None
    ) -> None:
        self._db.execute(
            "INSERT INTO fact_history (fact_id, action, actor, at, before, after)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [fact_id, action, actor, utc_now(), _fact_json(before), _fact_json(after)],
        )


def curated_hash(fact: Fact) -> str:
    """A curated fact's fingerprint: it changes when the file changes the fact."""
    return hashlib.sha256(_fact_json(fact).encode()).hexdigest()


def _fact_json(fact: Fact | None) -> str:
    if fact is None:
        return ""
    return json.dumps(
        {
            "answer": fact.answer,
            "source": fact.source_key,
            "quote": fact.quote,
            "questions": [[q.text, q.origin.value] for q in fact.questions],
            "keywords": list(fact.keywords),
        },
        ensure_ascii=False,
    )


def _fact(row: dict[str, Any], questions: tuple[ExampleQuestion, ...]) -> Fact:
    return Fact(
        id=row["id"],
        answer=row["answer"],
        source_key=row["source_key"],
        quote=row["quote"],
        questions=questions,
        keywords=tuple(json.loads(row["keywords"])),
    )
