"""Export and import: every fact, source and history entry as plain JSON-able data.

An export is the ``SourceStore``'s and the ``FactStore``'s rows, each store
dumping and loading only its own tables, under one format name.

>>> from knowledge.database import open_database
>>> db = open_database(":memory:")
>>> sources = SourceStore(db)
>>> sorted(export(sources, FactStore(db, sources)))
['fact_history', 'fact_questions', 'facts', 'format', 'source_history', 'sources']
"""

from __future__ import annotations

from typing import Any

from knowledge.errors import InvalidFact
from knowledge.facts import FactStore
from knowledge.sources import SourceStore

FORMAT = "shared-services-kb/1"
TABLES = ("sources", "facts", "fact_questions", "fact_history", "source_history")
"""The tables an export holds, in the order it lists them."""


def export(sources: SourceStore, facts: FactStore) -> dict[str, Any]:
    """Everything about facts, sources and history, as plain JSON-able data.
    Read it inside ``read_transaction`` for one consistent snapshot."""
    rows = {**sources.export_rows(), **facts.export_rows()}
    return {"format": FORMAT, **{table: rows[table] for table in TABLES}}


def import_(sources: SourceStore, facts: FactStore, data: dict[str, Any]) -> int:
    """Load an ``export`` into a database that has no facts yet; returns the fact count.
    Call it inside ``write_transaction``, so that a failed import leaves nothing.

    Raises ``InvalidFact`` when the data is not an export or the database is not empty.
    """
    if data.get("format") != FORMAT:
        raise InvalidFact(f"this file is not a fact export (format {FORMAT})")
    if not facts.is_empty():
        raise InvalidFact("import needs an empty database: this one already has facts")
    sources.import_rows(data)
    facts.import_rows(data)
    return len(data.get("facts", []))
