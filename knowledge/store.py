"""Facts, their sources and their history, in SQLite.

>>> from knowledge.curated import load_curated
>>> from knowledge.database import open_database
>>> store = FactStore(open_database(":memory:"))
>>> store.load_curated(load_curated()).added == store.count_facts()
True
>>> store.fact(1).source_key
'steria-article-2013'
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any, TypeVar

import sqlite_utils
from rapidfuzz import fuzz, process

from knowledge.curated import Curated
from knowledge.database import utc_now, write_transaction
from knowledge.errors import (
    DuplicateSource,
    FactNotFound,
    InvalidFact,
    InvalidSource,
    QuoteNotInSource,
    SourceNotFound,
)
from knowledge.models import (
    ExampleQuestion,
    Fact,
    HistoryEntry,
    QuestionOrigin,
    QuoteStatus,
    Source,
    SourceHistoryEntry,
)
from knowledge.quotes import closest_passage, normalise, quote_occurs
from knowledge.text import MENTION_OR_MARKUP, clean

H = TypeVar("H", HistoryEntry, SourceHistoryEntry)

REP_FACT_ID_START = 10_001
"""Facts added by reps are numbered from here, so they never collide with a
curated fact added to the file later."""
MAX_ANSWER_CHARS = 1_000
MAX_QUOTE_CHARS = 1_000
MAX_QUESTION_CHARS = 300
MAX_QUESTIONS = 300
SAME_WORDING_SCORE = 95.0
"""rapidfuzz ratio of two cleaned questions at or above which a taught wording is a repeat."""
CURATOR = "curated file"
MAX_TITLE_CHARS = 200
_SOURCE_COLUMNS = "key, title, kind, issuer, date, reference, url, file, text_hash"
_METADATA = ("title", "kind", "issuer", "date", "reference", "url", "file")


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
class LoadReport:
    """What loading the curated file did."""

    added: int
    updated: int
    kept_rep_edits: int
    changed_texts: tuple[str, ...] = ()
    """Keys of the sources whose text was new or changed."""
    retired: int = 0
    """Curated facts removed because the file merged them into another fact."""


class FactStore:
    """Reads and changes facts; every change is recorded in the fact's history."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    # --- sources -------------------------------------------------------------

    def sources(self) -> list[Source]:
        return [
            _source(row)
            for row in self._db.query(f"SELECT {_SOURCE_COLUMNS} FROM sources ORDER BY key")
        ]

    def source(self, key: str) -> Source:
        rows = list(self._db.query(f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE key = ?", [key]))
        if not rows:
            raise SourceNotFound(f"there is no source {key!r}")
        return _source(rows[0])

    def source_text(self, key: str) -> str:
        """The full text of source ``key``; empty when the database does not have it."""
        self.source(key)
        return str(self._db.execute("SELECT text FROM sources WHERE key = ?", [key]).fetchone()[0])

    def save_source(self, source: Source, *, actor: str = CURATOR) -> None:
        """Add or change a source's details (never its text), recording a change in its history."""
        with write_transaction(self._db):
            self._save_metadata(source, actor)

    def add_source(self, source: Source, text: str, *, actor: str) -> Source:
        """Register a new document with its full text; returns it with its key and hash.

        Without a key, one is made from the title. Raises ``InvalidSource`` for
        a bad title or a taken key, ``DuplicateSource`` when the same text is
        already a source.
        """
        title = " ".join(source.title.split())
        if not title or not source.kind.strip():
            raise InvalidSource("a source needs a title and a kind")
        if len(title) > MAX_TITLE_CHARS or MENTION_OR_MARKUP.search(title):
            raise InvalidSource(
                f"the title must be plain text without mentions or markup,"
                f" at most {MAX_TITLE_CHARS} characters"
            )
        if not text.strip():
            raise InvalidSource("the document has no text")
        digest = text_hash(text)
        with write_transaction(self._db):
            same = list(
                self._db.query("SELECT key, title FROM sources WHERE text_hash = ?", [digest])
            )
            if same:
                raise DuplicateSource(
                    f"this document is already source {same[0]['key']!r} ({same[0]['title']})"
                )
            key = source.key.strip() or self._free_key(title)
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", key):
                raise InvalidSource("a source key is lower-case letters, digits and dashes")
            if self._db.execute("SELECT 1 FROM sources WHERE key = ?", [key]).fetchone():
                raise InvalidSource(f"there is already a source {key!r}")
            added = Source(
                key=key,
                title=title,
                kind=source.kind.strip(),
                issuer=source.issuer.strip(),
                date=source.date.strip(),
                reference=source.reference.strip(),
                url=source.url.strip(),
                file=source.file,
                text_hash=digest,
            )
            self._db.table("sources").insert({**asdict(added), "text": text})
            self._record_source(key, "add", actor, before=None, after=added)
        return added

    def set_source_text(self, key: str, text: str, *, actor: str) -> bool:
        """Store a new full text for source ``key``; returns whether it changed."""
        with write_transaction(self._db):
            return self._set_text(key, text, actor)

    def source_history(self, key: str) -> list[SourceHistoryEntry]:
        rows = self._db.query(
            "SELECT * FROM source_history WHERE source_key = ? ORDER BY id", [key]
        )
        return [_history_entry(SourceHistoryEntry, row) for row in rows]

    def quote_status(self, fact: Fact) -> QuoteStatus:
        """Whether ``fact``'s quote occurs in its source's text, or could not be checked."""
        text = self.source_text(fact.source_key)
        if not text or not fact.quote.strip():
            return QuoteStatus.NOT_VERIFIED
        return QuoteStatus.VERIFIED if quote_occurs(fact.quote, text) else QuoteStatus.NOT_FOUND

    def facts_with_missing_quotes(self) -> list[Fact]:
        """Facts whose quote does not occur in their source's text, for reps to fix.

        Checked afresh on every call, so a source whose text changed is re-verified.
        """
        texts = {
            row["key"]: normalise(row["text"])
            for row in self._db.query("SELECT key, text FROM sources WHERE text != ''")
        }
        return [
            fact
            for fact in self.iter_facts()
            if fact.source_key in texts
            and fact.quote.strip()
            and normalise(fact.quote) not in texts[fact.source_key]
        ]

    def check_quote(self, source_key: str, quote: str) -> None:
        """Raise ``QuoteNotInSource`` (with the closest passage) when ``quote`` does not
        occur in the text of source ``source_key``. A source without text, or a fact
        without a quote (a rep's note), is not checked."""
        text = self.source_text(source_key)
        if not text or not quote.strip() or quote_occurs(quote, text):
            return
        passage = closest_passage(quote, text)
        if passage is None:
            raise QuoteNotInSource(f"the quote is not in source {source_key!r}", None)
        raise QuoteNotInSource(
            f"the quote is not in source {source_key!r}; the closest passage is:"
            f" \u201c{passage.text}\u201d",
            passage.text,
        )

    def _free_key(self, title: str) -> str:
        slug = "-".join(clean(title).split())[:40].strip("-") or "source"
        key, number = slug, 1
        while self._db.execute("SELECT 1 FROM sources WHERE key = ?", [key]).fetchone():
            number += 1
            key = f"{slug}-{number}"
        return key

    def _save_metadata(self, source: Source, actor: str) -> bool:
        rows = list(
            self._db.query(f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE key = ?", [source.key])
        )
        before = _source(rows[0]) if rows else None
        metadata = {name: getattr(source, name) for name in _METADATA}
        if before is not None and all(getattr(before, n) == v for n, v in metadata.items()):
            return False
        if before is None:
            self._db.table("sources").insert({"key": source.key, **metadata})
        else:
            self._db.table("sources").update(source.key, metadata)
        after = Source(key=source.key, text_hash=before.text_hash if before else "", **metadata)
        self._record_source(source.key, "edit" if before else "add", actor, before, after)
        return True

    def _set_text(self, key: str, text: str, actor: str) -> bool:
        before = self.source(key)
        digest = text_hash(text) if text else ""
        if digest == before.text_hash:
            return False
        self._db.execute(
            "UPDATE sources SET text = ?, text_hash = ? WHERE key = ?", [text, digest, key]
        )
        after = Source(**{**asdict(before), "text_hash": digest})
        self._record_source(key, "text", actor, before, after)
        return True

    def _record_source(
        self, key: str, action: str, actor: str, before: Source | None, after: Source | None
    ) -> None:
        self._db.execute(
            "INSERT INTO source_history (source_key, action, actor, at, before, after)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [key, action, actor, utc_now(), _source_json(before), _source_json(after)],
        )

    # --- facts ---------------------------------------------------------------

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
        row = self._fact_row(fact_id)
        return _fact(row, self._questions_of(fact_id))

    def add_fact(
        self,
        *,
        answer: str,
        source_key: str,
        quote: str,
        questions: Sequence[str],
        keywords: Sequence[str] = (),
        actor: str,
    ) -> Fact:
        """Add a rep's fact; raises ``InvalidFact`` or ``SourceNotFound``, and
        ``QuoteNotInSource`` when the source has text and the quote is not in it."""
        self.check_quote(source_key, quote)
        with write_transaction(self._db):
            fact_id = max(REP_FACT_ID_START, self._next_id())
            fact = _checked(
                Fact(
                    id=fact_id,
                    answer=answer,
                    source_key=source_key,
                    quote=quote,
                    questions=tuple(ExampleQuestion(q, QuestionOrigin.REP) for q in questions),
                    keywords=tuple(keywords),
                )
            )
            self._insert(fact, origin="rep", curated_hash=None)
            self._record(fact.id, "add", actor, before=None, after=fact)
        return fact

    def add_fact_with_note(
        self,
        note: Source,
        *,
        answer: str,
        quote: str,
        questions: Sequence[str],
        keywords: Sequence[str] = (),
        actor: str,
    ) -> Fact:
        """Add a rep's fact citing ``note``, a source without text (a rep's own note),
        saving the note first unless the very same source is stored already (a note
        given again). One transaction: a refused fact leaves no note behind.

        Raises what ``add_fact`` raises, and ``InvalidSource`` when the note has no
        key, title or kind, or its key is another source's.
        """
        if not (note.key.strip() and note.title.strip() and note.kind.strip()):
            raise InvalidSource("a source needs a key, a title and a kind")
        with write_transaction(self._db):
            stored = list(
                self._db.query(f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE key = ?", [note.key])
            )
            if not stored:
                self._save_metadata(note, actor)
            elif _source(stored[0]) != note:
                raise InvalidSource(f"there is already a source {note.key!r}")
            return self.add_fact(
                answer=answer,
                source_key=note.key,
                quote=quote,
                questions=questions,
                keywords=keywords,
                actor=actor,
            )

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
            self.source(source_key)
        with write_transaction(self._db):
            before = self.fact(fact_id)
            if quote is not None or source_key is not None:
                self.check_quote(
                    before.source_key if source_key is None else source_key,
                    before.quote if quote is None else quote,
                )
            new_questions = before.questions
            if questions is not None:
                new_questions = tuple(ExampleQuestion(q, QuestionOrigin.REP) for q in questions)
            after = _checked(
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
        fuzzy-equal to an example the fact already has is not added twice.
        """
        with write_transaction(self._db):
            return self._add_questions(fact_id, texts, origin, actor)

    def _add_questions(
        self, fact_id: int, texts: Iterable[str], origin: QuestionOrigin, actor: str
    ) -> Fact:
        """``add_questions`` inside the caller's write transaction."""
        before = self.fact(fact_id)
        added = [
            ExampleQuestion(text, origin) for text in _new_wordings(before.question_texts, texts)
        ]
        after = _checked(
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

    def history(self, fact_id: int) -> list[HistoryEntry]:
        rows = self._db.query("SELECT * FROM fact_history WHERE fact_id = ? ORDER BY id", [fact_id])
        return [_history_entry(HistoryEntry, row) for row in rows]

    def count_facts(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM facts WHERE removed = 0").fetchone()[0])

    # --- the curated file ----------------------------------------------------

    def load_curated(self, curated: Curated, texts: Mapping[str, str] | None = None) -> LoadReport:
        """Load the curated sources and facts; idempotent.

        ``texts`` gives the full text of curated sources by key, where it was
        found; a source's stored text is replaced when it changed, and kept
        when it was not found this time. A fact a rep has edited or removed is
        never overwritten. A curated fact whose text changed in the file is
        updated, keeping the example questions reps and members taught it.
        """
        added = updated = kept = 0
        texts = texts or {}
        changed_texts: list[str] = []
        with write_transaction(self._db):
            for source in curated.sources.values():
                self._save_metadata(source, CURATOR)
                if texts.get(source.key) and self._set_text(source.key, texts[source.key], CURATOR):
                    changed_texts.append(source.key)
            for fact in curated.facts:
                digest = _curated_hash(fact)
                rows = list(self._db.query("SELECT * FROM facts WHERE id = ?", [fact.id]))
                if not rows:
                    self._insert(fact, origin="curated", curated_hash=digest)
                    self._record(fact.id, "load", CURATOR, before=None, after=fact)
                    added += 1
                elif rows[0]["edited_by_rep"] or rows[0]["removed"]:
                    kept += 1
                elif rows[0]["curated_hash"] != digest:
                    before = self.fact(fact.id)
                    taught = tuple(
                        q for q in before.questions if q.origin is not QuestionOrigin.CURATED
                    )
                    after = Fact(
                        id=fact.id,
                        answer=fact.answer,
                        source_key=fact.source_key,
                        quote=fact.quote,
                        questions=fact.questions + taught,
                        keywords=fact.keywords,
                    )
                    self._update(after, edited_by_rep=False, curated_hash=digest)
                    self._record(fact.id, "reload", CURATOR, before=before, after=after)
                    updated += 1
            retired = 0
            for old_id, new_id in curated.merged_into.items():
                outcome = self._retire(old_id, new_id)
                retired += outcome is True
                kept += outcome is False
        return LoadReport(
            added=added,
            updated=updated,
            kept_rep_edits=kept,
            changed_texts=tuple(changed_texts),
            retired=retired,
        )

    def _retire(self, old_id: int, new_id: int) -> bool | None:
        """Remove curated fact ``old_id``, which the file merged into ``new_id``.

        What members and reps taught it moves to ``new_id``: its taught example
        questions, pending proposals and open "not what I asked" marks. Returns
        True when retired, False when kept because a rep edited it, None when
        there was nothing to retire.
        """
        rows = list(self._db.query("SELECT * FROM facts WHERE id = ?", [old_id]))
        if not rows or rows[0]["removed"]:
            return None
        if rows[0]["edited_by_rep"]:
            return False
        before = self.fact(old_id)
        taught = [q for q in before.questions if q.origin is not QuestionOrigin.CURATED]
        for origin in {q.origin for q in taught}:
            self._add_questions(
                new_id, [q.text for q in taught if q.origin is origin], origin, CURATOR
            )
        self._db.execute(
            "UPDATE OR IGNORE proposals SET fact_id = ? WHERE fact_id = ? AND status = 'pending'",
            [new_id, old_id],
        )
        self._db.execute(
            "UPDATE proposals SET status = 'rejected', closed_at = ?, closed_by = ?"
            " WHERE fact_id = ? AND status = 'pending'",
            [utc_now(), CURATOR, old_id],
        )  # left only where the merged fact already had the same proposal
        self._db.execute(
            "UPDATE unanswered SET rejected_fact_id = ?"
            " WHERE rejected_fact_id = ? AND status = 'open'",
            [new_id, old_id],
        )
        self._db.execute(
            "UPDATE facts SET removed = 1, updated_at = ? WHERE id = ?", [utc_now(), old_id]
        )
        self._record(old_id, f"merged into fact {new_id}", CURATOR, before=before, after=None)
        return True

    # --- export and import ---------------------------------------------------

    def export(self) -> dict[str, Any]:
        """Everything about facts, sources and history, as plain JSON-able data."""
        return {
            "format": "shared-services-kb/1",
            "sources": [dict(row) for row in self._db.query("SELECT * FROM sources ORDER BY key")],
            "facts": [dict(row) for row in self._db.query("SELECT * FROM facts ORDER BY id")],
            "fact_questions": [
                dict(row) for row in self._db.query("SELECT * FROM fact_questions ORDER BY id")
            ],
            "fact_history": [
                dict(row) for row in self._db.query("SELECT * FROM fact_history ORDER BY id")
            ],
            "source_history": [
                dict(row) for row in self._db.query("SELECT * FROM source_history ORDER BY id")
            ],
        }

    def import_(self, data: dict[str, Any]) -> int:
        """Load an ``export()`` into a database that has no facts yet; returns the fact count.

        Raises ``InvalidFact`` when the data is not an export or the database is not empty.
        """
        if data.get("format") != "shared-services-kb/1":
            raise InvalidFact("this file is not a fact export (format shared-services-kb/1)")
        if self._db.execute("SELECT count(*) FROM facts").fetchone()[0]:
            raise InvalidFact("import needs an empty database: this one already has facts")
        with write_transaction(self._db):
            for table in ("sources", "facts", "fact_questions", "fact_history", "source_history"):
                rows = data.get(table, [])
                if rows:
                    self._db.table(table).insert_all(rows)
        return len(data.get("facts", []))

    # --- rows ------------------------------------------------------------------

    def _fact_row(self, fact_id: int) -> dict[str, Any]:
        rows = list(self._db.query("SELECT * FROM facts WHERE id = ? AND removed = 0", [fact_id]))
        if not rows:
            raise FactNotFound(f"there is no fact {fact_id}")
        return rows[0]

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


def _new_wordings(known: Sequence[str], texts: Iterable[str]) -> list[str]:
    """The texts, cleaned of mentions and markup, that are not repeats of ``known``."""
    seen = [clean(text) for text in known]
    fresh: list[str] = []
    for text in texts:
        wording = " ".join(MENTION_OR_MARKUP.sub(" ", text).split())
        if not wording or len(wording) > MAX_QUESTION_CHARS:
            continue
        cleaned = clean(wording)
        if process.extractOne(cleaned, seen, scorer=fuzz.ratio, score_cutoff=SAME_WORDING_SCORE):
            continue
        seen.append(cleaned)
        fresh.append(wording)
    return fresh


def _history_entry(model: type[H], row: dict[str, Any]) -> H:
    """A history row as its model: every field of the model, read by name."""
    return model(**{field.name: row[field.name] for field in fields(model)})


def _checked(fact: Fact) -> Fact:
    """Return ``fact`` trimmed, or raise ``InvalidFact`` saying what is wrong."""
    answer, quote = fact.answer.strip(), fact.quote.strip()
    questions = tuple(
        ExampleQuestion(" ".join(q.text.split()), q.origin)
        for q in fact.questions
        if q.text.strip()
    )
    if not answer:
        raise InvalidFact("a fact needs an answer")
    if len(answer) > MAX_ANSWER_CHARS:
        raise InvalidFact(f"the answer is too long (at most {MAX_ANSWER_CHARS} characters)")
    if len(quote) > MAX_QUOTE_CHARS:
        raise InvalidFact(f"the quote is too long (at most {MAX_QUOTE_CHARS} characters)")
    if not questions:
        raise InvalidFact("a fact needs at least one example question")
    if len(questions) > MAX_QUESTIONS:
        raise InvalidFact(f"a fact can have at most {MAX_QUESTIONS} example questions")
    if any(len(q.text) > MAX_QUESTION_CHARS for q in questions):
        raise InvalidFact(f"an example question is too long (at most {MAX_QUESTION_CHARS})")
    return Fact(
        id=fact.id,
        answer=answer,
        source_key=fact.source_key,
        quote=quote,
        questions=questions,
        keywords=tuple(k.strip() for k in fact.keywords if k.strip()),
    )


def _curated_hash(fact: Fact) -> str:
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


def text_hash(text: str) -> str:
    """The sha256 of a document's text, as hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _source(row: dict[str, Any]) -> Source:
    return Source(**row)


def _source_json(source: Source | None) -> str:
    if source is None:
        return ""
    return json.dumps(asdict(source), ensure_ascii=False)


def _fact(row: dict[str, Any], questions: tuple[ExampleQuestion, ...]) -> Fact:
    return Fact(
        id=row["id"],
        answer=row["answer"],
        source_key=row["source_key"],
        quote=row["quote"],
        questions=questions,
        keywords=tuple(json.loads(row["keywords"])),
    )
