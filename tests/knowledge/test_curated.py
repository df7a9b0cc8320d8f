"""The curated files: complete, consistent, and true to their documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.curated import SHIPPED_DOCUMENTS, load_curated, source_texts
from knowledge.text import collapse_whitespace

CURATED = load_curated()


def test_the_knowledge_base_has_the_expected_size() -> None:
    assert 50 <= len(CURATED.facts) <= 100


@pytest.mark.parametrize("fact", CURATED.facts, ids=lambda fact: f"fact{fact.id}")
def test_every_fact_is_complete(fact) -> None:
    assert len(fact.questions) >= 3, "a fact needs several example questions"
    assert fact.answer.strip() and fact.quote.strip()
    assert fact.source_key in CURATED.sources
    assert len({q.text.casefold() for q in fact.questions}) == len(fact.questions)


def test_sources_claim_nothing_the_documents_do_not_give() -> None:
    for source in CURATED.sources.values():
        assert source.url == "", "neither document gives a URL"
        assert source.file, "each curated source names its document"
    circular = CURATED.sources["pcs-dsg-circular-2014"]
    assert (circular.date, circular.reference) == ("29 July 2014", "DSg/MB/35/14")


@pytest.mark.parametrize("fact", CURATED.facts, ids=lambda fact: f"fact{fact.id}")
def test_every_quote_occurs_verbatim_in_its_document(fact) -> None:
    source = CURATED.sources[fact.source_key]
    document = collapse_whitespace((SHIPPED_DOCUMENTS / source.file).read_text(encoding="utf-8"))
    assert collapse_whitespace(fact.quote) in document


def test_the_dated_metadata_occurs_in_the_documents() -> None:
    circular = CURATED.sources["pcs-dsg-circular-2014"]
    text = (SHIPPED_DOCUMENTS / circular.file).read_text(encoding="utf-8")
    assert circular.date in text and circular.reference in text
    assert circular.title in text


def test_a_knowledge_base_checks_every_quote_with_no_documents_folder(tmp_path: Path) -> None:
    # A fresh clone has no ../shared beside it: the shipped documents are enough.
    kb = KnowledgeBase.open(tmp_path / "kb.db", sources_dir=None)
    assert all(source.has_text for source in kb.sources())
    assert kb.facts_with_missing_quotes() == []
    kb.close()


def test_a_documents_folder_replaces_a_shipped_document(tmp_path: Path) -> None:
    circular = CURATED.sources["pcs-dsg-circular-2014"]
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / circular.file).write_text("A different text, quoting nothing.", encoding="utf-8")
    texts = source_texts(CURATED.sources.values(), folder)
    assert texts[circular.key] == "A different text, quoting nothing."
    others = [s for s in CURATED.sources.values() if s.key != circular.key]
    assert all(texts[s.key] == source_texts([s])[s.key] for s in others)
