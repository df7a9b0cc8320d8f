"""The curated files: complete, consistent, and true to their documents."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from knowledge.curated import load_curated
from knowledge.text import collapse_whitespace
from tests.conftest import PROJECT_ROOT

SEEDS = Path(os.environ.get("SEEDS_DIR", PROJECT_ROOT.parent / "shared" / "seeds"))
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


@pytest.mark.skipif(
    not SEEDS.is_dir(),
    reason=f"the source documents are not here ({SEEDS}); they ship beside the project in CI",
)
@pytest.mark.parametrize("fact", CURATED.facts, ids=lambda fact: f"fact{fact.id}")
def test_every_quote_occurs_verbatim_in_its_document(fact) -> None:
    source = CURATED.sources[fact.source_key]
    document = collapse_whitespace((SEEDS / source.file).read_text(encoding="utf-8"))
    assert collapse_whitespace(fact.quote) in document


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the source documents are not here ({SEEDS})")
def test_the_dated_metadata_occurs_in_the_documents() -> None:
    circular = CURATED.sources["pcs-dsg-circular-2014"]
    text = (SEEDS / circular.file).read_text(encoding="utf-8")
    assert circular.date in text and circular.reference in text
    assert circular.title in text
