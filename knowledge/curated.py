"""Read the curated facts and sources from the TOML files under ``knowledge/data``."""

from __future__ import annotations

import json
import logging
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from knowledge.documents import extract_text
from knowledge.errors import InvalidDocument, InvalidFact
from knowledge.models import ExampleQuestion, Fact, QuestionOrigin, Source

log = logging.getLogger(__name__)

FACTS_FILE = "facts.toml"
SOURCES_FILE = "sources.toml"
SHIPPED_DOCUMENTS = Path(__file__).resolve().parent / "data" / "documents"
"""The curated sources' documents, shipped with the project so that every quote is
checked on any machine."""


@dataclass(frozen=True, slots=True)
class Curated:
    """The curated knowledge base as written in version control."""

    sources: dict[str, Source]
    facts: tuple[Fact, ...]
    merged_into: dict[int, int] = field(default_factory=dict)
    """Retired curated fact ids and the fact each was merged into (a fact's
    ``replaces = [...]`` in ``facts.toml``)."""


def load_curated(folder: Path | None = None) -> Curated:
    """Read and check the curated files (from ``folder``, default: the package's own).

    Raises ``InvalidFact`` naming the fact and field when the files are inconsistent.
    """
    sources = tuple(_source(entry) for entry in _read(folder, SOURCES_FILE).get("source", []))
    by_key = {source.key: source for source in sources}
    document = _read(folder, FACTS_FILE)
    facts = parse_facts(document)
    for fact in facts:
        if fact.source_key not in by_key:
            raise InvalidFact(f"fact {fact.id} names unknown source {fact.source_key!r}")
    return Curated(sources=by_key, facts=facts, merged_into=_merged_into(document, facts))


def source_texts(sources: Iterable[Source], folder: Path | None = None) -> dict[str, str]:
    """The full text of each source with a ``file``, by key: read from ``folder``
    (the ``SOURCES_DIR`` setting) when it holds that file, else from the
    documents shipped with the project (``knowledge/data/documents``).

    A source whose document is absent or unreadable is left out (and logged):
    its facts still answer, marked "not verified".
    """
    texts: dict[str, str] = {}
    for source in sources:
        if not source.file:
            continue
        path = _document_path(source.file, folder)
        if path is None:
            log.warning("no text for source %s: no document %s", source.key, source.file)
            continue
        try:
            texts[source.key] = extract_text(path)
        except InvalidDocument as error:
            log.warning("no text for source %s: %s", source.key, error)
    return texts


def _document_path(file: str, folder: Path | None) -> Path | None:
    """Where the document ``file`` is: in ``folder`` first, so that a union can
    replace a shipped document or add its own, then among the shipped ones."""
    for directory in (folder, SHIPPED_DOCUMENTS):
        if directory is not None and (directory / file).is_file():
            return directory / file
    return None


def parse_facts(document: dict[str, Any]) -> tuple[Fact, ...]:
    """The facts of a parsed ``facts.toml``; raises ``InvalidFact`` for a bad or repeated one."""
    facts = tuple(_fact(entry) for entry in document.get("fact", []))
    seen: set[int] = set()
    for fact in facts:
        if fact.id in seen:
            raise InvalidFact(f"fact {fact.id} appears twice in {FACTS_FILE}")
        seen.add(fact.id)
    return facts


def _merged_into(document: dict[str, Any], facts: tuple[Fact, ...]) -> dict[int, int]:
    """Each id a fact ``replaces``, mapped to that fact; raises ``InvalidFact``
    for an id that is still a fact or that two facts replace."""
    live = {fact.id for fact in facts}
    merged: dict[int, int] = {}
    for entry in document.get("fact", []):
        replaced = entry.get("replaces", [])
        if not isinstance(replaced, list) or not all(isinstance(i, int) for i in replaced):
            raise InvalidFact(f"fact {entry['id']}: replaces must be a list of fact ids")
        for old_id in replaced:
            if old_id in live:
                raise InvalidFact(
                    f"fact {entry['id']} replaces fact {old_id}, which is still in the file"
                )
            if old_id in merged:
                raise InvalidFact(
                    f"fact {old_id} is replaced by both {merged[old_id]} and {entry['id']}"
                )
            merged[old_id] = entry["id"]
    return merged


def facts_toml(facts: Iterable[Fact]) -> str:
    """Write facts in the format of ``facts.toml``, for a maintainer to fold into the file.

    Example questions that were not curated carry a comment with their origin.
    Strings are written as JSON strings, which TOML reads as basic strings.
    """
    blocks = []
    for fact in facts:
        questions = "\n".join(
            f"  {_toml_string(q.text)},"
            + ("" if q.origin is QuestionOrigin.CURATED else f"  # {q.origin.value}")
            for q in fact.questions
        )
        keywords = ", ".join(_toml_string(keyword) for keyword in fact.keywords)
        blocks.append(
            "[[fact]]\n"
            f"id = {fact.id}\n"
            f"source = {_toml_string(fact.source_key)}\n"
            f"answer = {_toml_string(fact.answer)}\n"
            f"questions = [\n{questions}\n]\n"
            f"keywords = [{keywords}]\n"
            f"quote = {_toml_string(fact.quote)}\n"
        )
    return "\n".join(blocks)


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


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
    for name in ("answer", "source", "quote"):
        if not isinstance(entry.get(name), str) or not entry[name].strip():
            raise InvalidFact(f"fact {fact_id} has no {name}")
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
