"""A plain BM25 baseline to set the project's matcher against.

Each fact is one document: its answer plus its example questions, lower-cased and cut
into words. The top-scoring fact is answered when its BM25 score reaches the threshold;
otherwise the baseline abstains. ``Match.score`` holds the raw BM25 score, not 0..100.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rank_bm25 import BM25Okapi

from benchmarks.scoring import EvalQuestion, Figures, Graded, grade
from knowledge.models import Fact, Match, Outcome

_WORD = re.compile(r"\w+")


def tokenise(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class Bm25Baseline:
    """BM25Okapi over answer + example questions, answering above ``threshold``."""

    def __init__(self, facts: Iterable[Fact], threshold: float = 0.0) -> None:
        self.facts = tuple(facts)
        self.threshold = threshold
        documents = [tokenise(" ".join((fact.answer, *fact.question_texts))) for fact in self.facts]
        self._index = BM25Okapi(documents)

    def top(self, question: str) -> tuple[int, float]:
        """The best fact's id and its BM25 score."""
        return self.ranked(question, 1)[0]

    def ranked(self, question: str, count: int) -> list[tuple[int, float]]:
        """The ``count`` best facts' ids and BM25 scores, best first (ties in fact order)."""
        scores = self._index.get_scores(tokenise(question))
        order = sorted(range(len(self.facts)), key=lambda position: -scores[position])
        return [(self.facts[position].id, float(scores[position])) for position in order[:count]]

    def match(self, question: str) -> Match:
        return _decide(*self.top(question), self.threshold)


def _decide(fact_id: int, score: float, threshold: float) -> Match:
    if score >= threshold:
        return Match(Outcome.ANSWER, score, fact_id=fact_id)
    return Match(Outcome.UNANSWERED, score)


@dataclass(frozen=True, slots=True)
class Tuning:
    threshold: float
    figures: Figures


def tune_threshold(baseline: Bm25Baseline, questions: Sequence[EvalQuestion]) -> Tuning:
    """Grid-search the threshold on ``questions`` for the best accuracy, ties to fewer wrong.

    The grid is every top score seen (each gives a different set of answered questions)
    plus infinity ("never answer"), so the search is exhaustive; among equal results the
    lowest threshold wins.
    """
    facts_by_id = {fact.id: fact for fact in baseline.facts}
    tops = [(question, *baseline.top(question.asked)) for question in questions]

    def figures_at(threshold: float) -> Figures:
        graded = []
        for question, fact_id, score in tops:
            match = _decide(fact_id, score, threshold)
            graded.append(Graded(question, match, grade(question, match, facts_by_id)))
        return Figures.of(graded)

    grid = sorted({score for _, _, score in tops} | {math.inf})
    tunings = [Tuning(threshold, figures_at(threshold)) for threshold in grid]
    return max(
        tunings,
        key=lambda tuning: (
            tuning.figures.correct + tuning.figures.abstained,
            -tuning.figures.wrong,
        ),
    )
