"""When two wordings are one question, for grouping the unanswered log.

A wording is read as the matcher reads it (``knowledge.analysis``): its content
terms (stems and canonical synonyms, typos repaired) and the kind of answer it
asks for. Two wordings are one question when they ask for the same kind of
answer, name the same numbers, one's terms contain the other's (or they differ
by one mistyped word), and their sentence embeddings (``knowledge.semantic``)
are close: closer still when one adds words, since "when is the strike going
ahead" rewords "when is the strike?" but "when is the strike in Leeds?" asks
something else. The thresholds were set on the hand-labelled pairs of
``tests/knowledge/question_pairs.toml``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from knowledge.analysis import REAL_WORD_ZIPF, Analysis
from knowledge.frequencies import word_zipf
from knowledge.semantic import Encoder

MIN_TERM_WEIGHT = 0.5
"""Terms lighter than this ("my", "the", "will", "can") are grammar: a rewording
may add or drop them freely."""
SAME_TERMS_CLOSENESS = 0.8
"""Cosine closeness at or above which two wordings with the same terms are one
question; below it the words are the same but their order or spelling says
something else."""
MORE_TERMS_CLOSENESS = 0.9
"""Cosine closeness needed when one wording adds terms to the other: on the
labelled pairs, a rewording that adds words scores 0.92 or more, another
question that adds a place or a time 0.86 or less."""
TYPO_CLOSENESS = 0.6
"""Closeness needed of a wording that differs only by a mistyped word: the
embedding cuts an unknown word into pieces it barely knows (0.67 for "pensoin"),
so the terms, equal but for the typo, say more."""
MIN_TYPO_LENGTH = 4
LONG_WORD = 8
"""Terms this long may differ by two slips and still be one word mistyped, shorter ones by one."""


@dataclass(frozen=True, slots=True)
class Wording:
    """What grouping reads of one wording: its content terms and question types."""

    terms: frozenset[str]
    question_types: frozenset[str]

    @classmethod
    def of(cls, analysis: Analysis) -> Wording:
        terms = frozenset(
            term for term, weight in analysis.weights.items() if weight >= MIN_TERM_WEIGHT
        )
        return cls(terms, analysis.question_types)

    @classmethod
    def stored(cls, terms: str, question_types: str) -> Wording:
        """A wording as the log stores it (``stored_terms``, ``stored_types``)."""
        return cls(frozenset(terms.split()), frozenset(question_types.split()))

    @property
    def stored_terms(self) -> str:
        return " ".join(sorted(self.terms))

    @property
    def stored_types(self) -> str:
        return " ".join(sorted(self.question_types))

    def rarest_terms(self, count: int) -> list[str]:
        """Its ``count`` rarest terms in English, numbers first: those that find its
        rewordings among the fewest other questions."""
        return sorted(
            self.terms, key=lambda term: (0.0 if term.isdigit() else word_zipf(term), term)
        )[:count]

    def needed_closeness(self, other: Wording) -> float | None:
        """How close in meaning ``other`` must be to reword this; None when the
        terms alone say it cannot (another kind of answer, other numbers, or
        each naming something the other does not, but for one mistyped word)."""
        if not self.terms or not other.terms or self.question_types != other.question_types:
            return None
        only_mine, only_theirs = self.terms - other.terms, other.terms - self.terms
        if not only_mine and not only_theirs:
            return SAME_TERMS_CLOSENESS
        if any(term.isdigit() for term in only_mine | only_theirs):
            return None  # "the 2023 pay rise" is not "the pay rise", nor "the 2024 pay rise"
        if not only_mine or not only_theirs:
            return MORE_TERMS_CLOSENESS
        if len(only_mine) == len(only_theirs) == 1 and _typo_of_each_other(
            next(iter(only_mine)), next(iter(only_theirs))
        ):
            return TYPO_CLOSENESS
        return None


def _typo_of_each_other(first: str, second: str) -> bool:
    """Are two terms one word, one of them mistyped? They are a slip or two apart
    and one is no English word; "hire" and "fire" are two words."""
    if min(len(first), len(second)) < MIN_TYPO_LENGTH:
        return False
    slips = 1 if max(len(first), len(second)) < LONG_WORD else 2
    if OSA.distance(first, second, score_cutoff=slips) > slips:
        return False
    return min(word_zipf(first), word_zipf(second)) < REAL_WORD_ZIPF


def same_question(
    text: str, wording: Wording, candidates: Sequence[tuple[int, str, Wording]], encoder: Encoder
) -> int | None:
    """The id of the candidate ``(id, text, wording)`` that rewords ``text`` most
    closely, or None. Only those whose terms allow it are embedded."""
    possible = [
        (key, other_text, needed)
        for key, other_text, other in candidates
        if (needed := wording.needed_closeness(other)) is not None
    ]
    if not possible:
        return None
    vectors = encoder.encode([text, *(other_text for _, other_text, _ in possible)])
    closeness = vectors[1:] @ vectors[0]
    best: tuple[float, int] | None = None
    for (key, _, needed), close in zip(possible, closeness.tolist(), strict=True):
        if close >= needed and (best is None or close > best[0]):
            best = (close, key)
    return None if best is None else best[1]
