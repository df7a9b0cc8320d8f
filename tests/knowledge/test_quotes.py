"""Quotes checked against their documents, and the passage an approximate quote means."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.quotes import (
    _normalise,
    closest_passage,
    find_quote,
    normalise,
    paragraph_around,
    quote_occurs,
)

DOCUMENT = (
    "Corporate shared services – the threat becomes clearer\n\n"
    "The department’s “back office” work was\ntransferred to Shared Services Connected Ltd,\n"
    "a joint venture with Steria.  PCS opposes offshoring of these jobs.\n\n"
    "A second paragraph about pay."
)
WORDS = DOCUMENT.split()


@pytest.mark.parametrize(
    "quote",
    [
        "the threat becomes clearer",
        'The department\'s "back office" work was transferred',  # straight marks, line break
        "THE DEPARTMENT’S “BACK OFFICE” WORK",
        "a joint venture with Steria. PCS opposes",  # two spaces in the document
        "  transferred to Shared\tServices  ",
    ],
)
def test_a_quote_occurs_with_whitespace_quote_marks_and_case_normalised(quote: str) -> None:
    assert quote_occurs(quote, DOCUMENT)


@pytest.mark.parametrize(
    "quote",
    [
        "the threat becomes clear as day",
        "transferred to SSCL",
        "",
        "   ",
        "PCS supports offshoring",
    ],
)
def test_a_quote_with_other_words_does_not_occur(quote: str) -> None:
    assert not quote_occurs(quote, DOCUMENT)


def test_the_closest_passage_is_the_documents_exact_words_snapped_to_whole_words() -> None:
    passage = closest_passage("joint venture with sterai, PCS oposes offshore", DOCUMENT)
    assert passage is not None
    assert quote_occurs(passage.text, DOCUMENT)
    assert "joint venture with Steria" in passage.text and "opposes" in passage.text
    start, end = passage.start, passage.end
    assert start == 0 or not DOCUMENT[start - 1].isalnum()
    assert end == len(DOCUMENT) or not DOCUMENT[end].isalnum()
    assert passage.text == " ".join(DOCUMENT[start:end].split())


def test_an_exact_quote_is_its_own_passage() -> None:
    passage = closest_passage("pcs opposes OFFSHORING", DOCUMENT)
    assert passage is not None
    assert (passage.text, passage.score) == ("PCS opposes offshoring", 100.0)
    assert find_quote("not there", DOCUMENT) is None
    assert closest_passage("", DOCUMENT) is None
    assert closest_passage("words", "") is None


def test_the_paragraph_around_a_passage_stops_at_blank_lines() -> None:
    passage = find_quote("a joint venture with Steria", DOCUMENT)
    assert passage is not None
    before, marked, after = paragraph_around(passage, DOCUMENT)
    assert before.startswith("The department’s") and marked == "a joint venture with Steria."[:-1]
    assert after.endswith("of these jobs.")
    assert "threat" not in before and "pay" not in after


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_run_of_the_documents_words_is_found_again(data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(WORDS) - 1))
    end = data.draw(st.integers(start + 1, len(WORDS)))
    quote = " ".join(WORDS[start:end])
    garbled = data.draw(st.sampled_from([quote, quote.upper(), re.sub(r"[’“”]", "'", quote)]))
    passage = closest_passage(garbled, DOCUMENT)
    assert passage is not None and quote_occurs(quote, passage.text)


@given(st.text(alphabet=st.sampled_from("aBßİ \t\n\u00a0\u2003\u2019\u201c\"'`x.")) | st.text())
def test_the_quick_normalise_gives_the_same_text_as_the_mapped_one(text: str) -> None:
    """``normalise`` (used for thousands of quotes in an import) skips the offset map."""
    assert normalise(text) == _normalise(text).text
