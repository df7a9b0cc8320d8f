"""Questions that ask what a name is, and the facts that say what one is.

"What is DBS?" or "what does CSS stand for?" can only be answered by a fact that
says what DBS or CSS is ("DBS stands for Defence Business Services…"), not by one
that merely mentions it ("the civil servants in DBS have delivered…"), however
many words the two share.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from knowledge.analysis import Analysis

DEFINITION = "definition"
"""The question type of a question asking what something is (``language.toml``
lists the phrases that ask it outright: "stand for", "acronym", …)."""

MAX_NAMED_TERMS = 2
""""What is X" asks what X is when X is a name of at most this many terms."""

_WHAT_IS = re.compile(
    # what is X (but "what is X about / for / doing" asks about X, not what it is)
    # ("what's X" is cleaned to "what X")
    r"^(?:so |and |ok )?(?:what|wot|wat)(?: is| are| r)? (?!.*\b(?:about|for|doing|like|called)\b)"
    r"|\b(?:what|wot|wat)(?: is| are| r)? (?:it|that)$"  # X - what's that
    r"|\bmean(?:s|ing)?$"  # what does X mean, X meaning
)
_ASKING_WORD = "mean"
"""The stem of "mean", "meaning": in "X meaning" it asks, X is what is asked about."""

# Where a fact's answer says what something is; each group is the something,
# a few words long (or what it stands for). Words are matched possessively and
# from a word's start, so indexing 100,000 answers does not backtrack through
# every letter.
_WORDS = r"(?<!\S)\S++(?:\s+\S++){0,4}"
_SAYS_WHAT_IT_IS = (
    re.compile(rf"({_WORDS})\s+(?:stands for|is short for)\b"),
    # "Defence Business Services (DBS)", "DSg (Defence Sector Group)"; not an
    # aside such as "(not named in the article)"
    re.compile(rf"({_WORDS})\s+\(([A-Z][^)]{{0,60}})\)"),
    re.compile(r"\b(?:called|known as|titled)\s+(\S++(?:\s+\S++){0,5})"),
    re.compile(r"\bdescribes\s+(\S++(?:\s+\S++){0,3})\s+as\b"),
    re.compile(r"(?:^|[.!?]\s+)(\S++(?:\s+\S++){0,5}?)\s+(?:is|are)\s+(?:a|an|the)\b"),
)
_NUMBERED = re.compile(r"^([a-z]+)\d+$")


def asks_what_it_is(question: Analysis, name_weight: float) -> bool:
    """Is this analysed question asking what a name is? Either outright ("what
    does DSg stand for": the ``DEFINITION`` type) or as "what is DBS", "whats
    ngss", "css - what's that", where every term is a name: weighs at least
    ``name_weight``."""
    if DEFINITION in question.question_types:
        return True
    named = [weight for term, weight in question.weights.items() if term != _ASKING_WORD]
    if not 0 < len(named) <= MAX_NAMED_TERMS or not _WHAT_IS.search(question.text):
        return False
    return min(named) >= name_weight


def passages_saying_what_it_is(answer: str) -> Iterator[str]:
    """The parts of a fact's answer that name what it says something is."""
    for pattern in _SAYS_WHAT_IT_IS:
        for match in pattern.finditer(answer):
            yield from (group for group in match.groups() if group)


def with_family(terms: set[str]) -> set[str]:
    """The terms, and the family name of each numbered one: saying what ISSC2
    stands for ("Independent Shared Service 2") says what ISSC is."""
    family = {match.group(1) for term in terms if (match := _NUMBERED.match(term))}
    return terms | family
