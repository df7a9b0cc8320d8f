"""The documents facts cite: their details, full text and history, in SQLite.

``SourceStore`` writes only the ``sources`` and ``source_history`` tables; it
also checks a fact's quote against its source's text, since only it reads
that text.

>>> from knowledge.database import open_database
>>> sources = SourceStore(open_database(":memory:"))
>>> sources.add_source(Source("", "Minutes", "minutes"), "We met.", actor="rep").key
'minutes'
>>> sources.check_quote("minutes", "we met")
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, fields
from typing import Any

import sqlite_utils

from knowledge.database import utc_now, write_transaction
from knowledge.errors import DuplicateSource, InvalidSource, QuoteNotInSource, SourceNotFound
from knowledge.models import Fact, QuoteStatus, Source, SourceHistoryEntry
from knowledge.quotes import closest_passage, normalise, quote_occurs
from knowledge.text import MENTION_OR_MARKUP, clean

MAX_TITLE_CHARS = 200
_SOURCE_COLUMNS = "key, title, kind, issuer, date, reference, url, file, text_hash"
_METADATA = ("title", "kind", "issuer", "date", "reference", "url", "file")
_ARCHIVED = {"sources": "key", "source_history": "id"}
"""The tables this store writes, as an export names them, each with its order."""


class SourceStore:
    """Reads and changes sources; every change is recorded in the source's history."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def sources(self) -> list[Source]:
        return [
            _source(row)
            for row in self._db.query(f"SELECT {_SOURCE_COLUMNS} FROM sources ORDER BY key")
        ]

    def source(self, key: str) -> Source:
        """The source ``key``; raises ``SourceNotFound``."""
        found = self._find(key)
        if found is None:
            raise SourceNotFound(f"there is no source {key!r}")
        return found

    def source_text(self, key: str) -> str:
        """The full text of source ``key``; empty when the database does not have it."""
        self.source(key)
        return str(self._db.execute("SELECT text FROM sources WHERE key = ?", [key]).fetchone()[0])

    def source_history(self, key: str) -> list[SourceHistoryEntry]:
        rows = self._db.query(
            "SELECT * FROM source_history WHERE source_key = ? ORDER BY id", [key]
        )
        return [
            SourceHistoryEntry(
                **{field.name: row[field.name] for field in fields(SourceHistoryEntry)}
            )
            for row in rows
        ]

    def save_source(self, source: Source, *, actor: str) -> bool:
        """Add or change a source's details (never its text), recording a change in
        its history; returns whether anything changed."""
        with write_transaction(self._db):
            before = self._find(source.key)
            metadata = {name: getattr(source, name) for name in _METADATA}
            if before is not None and all(getattr(before, n) == v for n, v in metadata.items()):
                return False
            if before is None:
                self._db.table("sources").insert({"key": source.key, **metadata})
            else:
                self._db.table("sources").update(source.key, metadata)
            after = Source(key=source.key, text_hash=before.text_hash if before else "", **metadata)
            self._record(source.key, "edit" if before else "add", actor, before, after)
        return True

    def add_note(self, note: Source, *, actor: str) -> None:
        """Save ``note``, a source without text (a rep's own note), unless the very same
        source is stored already (a note given again).

        Raises ``InvalidSource`` when the note has no key, title or kind, or its
        key is another source's.
        """
        if not (note.key.strip() and note.title.strip() and note.kind.strip()):
            raise InvalidSource("a source needs a key, a title and a kind")
        with write_transaction(self._db):
            stored = self._find(note.key)
            if stored is None:
                self.save_source(note, actor=actor)
            elif stored != note:
                raise InvalidSource(f"there is already a source {note.key!r}")

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
            if self._find(key) is not None:
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
            self._record(key, "add", actor, before=None, after=added)
        return added

    def set_source_text(self, key: str, text: str, *, actor: str) -> bool:
        """Store a new full text for source ``key``; returns whether it changed.
        Raises ``SourceNotFound``."""
        with write_transaction(self._db):
            before = self.source(key)
            digest = text_hash(text) if text else ""
            if digest == before.text_hash:
                return False
            self._db.execute(
                "UPDATE sources SET text = ?, text_hash = ? WHERE key = ?", [text, digest, key]
            )
            after = Source(**{**asdict(before), "text_hash": digest})
            self._record(key, "text", actor, before, after)
        return True

    # --- quotes ------------------------------------------------------------------

    def quote_status(self, fact: Fact) -> QuoteStatus:
        """Whether ``fact``'s quote occurs in its source's text, or could not be checked."""
        text = self.source_text(fact.source_key)
        if not text or not fact.quote.strip():
            return QuoteStatus.NOT_VERIFIED
        return QuoteStatus.VERIFIED if quote_occurs(fact.quote, text) else QuoteStatus.NOT_FOUND

    def missing_quotes(self, facts: Iterable[Fact]) -> list[Fact]:
        """Those of ``facts`` whose quote does not occur in their source's text.

        Checked afresh on every call, so a source whose text changed is re-verified.
        Only the texts the facts cite are read: most registered documents back no fact.
        """
        texts: dict[str, str] = {}

        def normalised(key: str) -> str:
            if key not in texts:
                row = self._db.execute("SELECT text FROM sources WHERE key = ?", [key]).fetchone()
                texts[key] = normalise(row[0]) if row and row[0] else ""
            return texts[key]

        return [
            fact
            for fact in facts
            if fact.quote.strip()
            and normalised(fact.source_key)
            and normalise(fact.quote) not in normalised(fact.source_key)
        ]

    def check_quote(self, source_key: str, quote: str) -> None:
        """Raise ``QuoteNotInSource`` (with the closest passage) when ``quote`` does not
        occur in the text of source ``source_key``. A source without text, or a fact
        without a quote (a rep's note), is not checked. Raises ``SourceNotFound``."""
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

    # --- export and import ---------------------------------------------------------

    def export_rows(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of this store's tables, by table name, as an export keeps them."""
        return {
            table: [dict(row) for row in self._db.query(f"SELECT * FROM {table} ORDER BY {order}")]
            for table, order in _ARCHIVED.items()
        }

    def import_rows(self, rows: Mapping[str, Any]) -> None:
        """Insert an export's rows of this store's tables, as they were."""
        with write_transaction(self._db):
            for table in _ARCHIVED:
                if rows.get(table):
                    self._db.table(table).insert_all(rows[table])

    def _find(self, key: str) -> Source | None:
        rows = list(self._db.query(f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE key = ?", [key]))
        return _source(rows[0]) if rows else None

    def _free_key(self, title: str) -> str:
        slug = "-".join(clean(title).split())[:40].strip("-") or "source"
        key, number = slug, 1
        while self._find(key) is not None:
            number += 1
            key = f"{slug}-{number}"
        return key

    def _record(
        self, key: str, action: str, actor: str, before: Source | None, after: Source | None
    ) -> None:
        self._db.execute(
            "INSERT INTO source_history (source_key, action, actor, at, before, after)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [key, action, actor, utc_now(), _source_json(before), _source_json(after)],
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
