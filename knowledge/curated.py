"""Read the curated facts and sources from the TOML files under ``knowledge/data``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from knowledge.errors import InvalidFact
from knowledge.models import ExampleQuestion, Fact, QuestionOrigin, Source

FACTS_FILE = "facts.toml"
SOURCES_FILE = "sources.toml"


@dataclass(frozen=True, slots=True)
class Curated:
    """The curated knowledge base as written in version control."""

    sources: dict[str, Source]
    facts: tuple[Fact, ...]


def load_curated(folder: Path | None = None) -> Curated:
    """Read and check the curated files (from ``folder``, default: the package's own).

    Raises ``InvalidFact`` naming the fact and field when the files are inconsistent.
    """
    sources = tuple(_source(entry) for entry in _read(folder, SOURCES_FILE).get("source", []))
    by_key = {source.key: source for source in sources}
    facts = tuple(_fact(entry) for entry in _read(folder, FACTS_FILE).get("fact", []))
    seen: set[int] = set()
    for fact in facts:
        if fact.id in seen:
            raise InvalidFact(f"fact {fact.id} appears twice in {FACTS_FILE}")
        if fact.source_key not in by_key:
            raise InvalidFact(f"fact {fact.id} names unknown source {fact.source_key!r}")
        seen.add(fact.id)
    return Curated(sources=by_key, facts=facts)


def _read(folder: Path | None, name: str) -> dict[str, Any]:
    if folder is not None:
        return tomllib.loads((folder / name).read_text(encoding="utf-8"))
    with resources.files("knowledge.data").joinpath(name).open("rb") as file:
        return tomllib.load(file)


def _source(entry: dict[str, Any]) -> Source:
    return Source(
        key=entry["key"],
        title=entry["title"],
        kind=entry["kind"],
        issuer=entry.get("issuer", ""),
        date=entry.get("date", ""),
        reference=entry.get("reference", ""),
        url=entry.get("url", ""),
        file=entry.get("file", ""),
    )


def _fact(entry: dict[str, Any]) -> Fact:
    fact_id = entry.get("id")
    if not isinstance(fact_id, int):
        raise InvalidFact(f"a fact in {FACTS_FILE} has no integer id: {entry!r:.80}")
    for field in ("answer", "source", "quote"):
        if not isinstance(entry.get(field), str) or not entry[field].strip():
            raise InvalidFact(f"fact {fact_id} has no {field}")
    questions = entry.get("questions", [])
    if not questions:
        raise InvalidFact(f"fact {fact_id} has no example questions")
    return Fact(
        id=fact_id,
        answer=entry["answer"],
        source_key=entry["source"],
        quote=entry["quote"],
        questions=tuple(ExampleQuestion(text, QuestionOrigin.CURATED) for text in questions),
        keywords=tuple(entry.get("keywords", [])),
    )
