"""The synonym file (knowledge/data/synonyms.toml) means what it says."""

from __future__ import annotations

import pytest

from knowledge.analysis import Analyser
from knowledge.lexicon import default_lexicon

LEXICON = default_lexicon()
VARIANTS = [
    (canonical, variant) for canonical, variants in LEXICON.synonyms.items() for variant in variants
]


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return Analyser(LEXICON)


@pytest.mark.parametrize(("canonical", "variant"), VARIANTS)
def test_every_variant_reads_as_its_own_term_and_no_other(
    analyser: Analyser, canonical: str, variant: str
) -> None:
    """A variant that stems like another term's (``forces``/``forced``), is too long
    to be matched, or is typo-repaired into something else, fails here."""
    assert analyser.analyse(variant).terms == (canonical,)
