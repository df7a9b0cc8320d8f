"""Lexical scoring: how well a fact's words cover and resemble a question's.

How a fact is scored against a reading of the question (both analysed by
``Analyser``), on a 0-100 scale:

* **coverage**: the share of the question's weighted content terms that the
  fact covers anywhere (answer, example questions, keywords, quote);
* **closeness**: the weighted overlap (Dice) between the question and the
  fact's example questions and answer, with terms common across the knowledge
  base counting for less: mostly the best text's, partly the second best's, so
  a fact that one stray example question resembles counts for less than one
  that two of its texts support;
* **surface**: the plain string similarity to its nearest example question;
* **vetoes**: a fact cannot answer a question with a number it does not
  contain, without the thing the question is about (its focus), or of a type it
  cannot satisfy ("how much" needs a figure, "when" a date). Vetoed facts are
  not candidates at all. Each veto is kept because removing it answers union
  questions wrongly (benchmarks/README.md, "Which vetoes earn their place").

Each candidate also gets an upper bound of its score from its exact coverage,
accumulated from the postings in one vectorised pass, so that the matcher can
score candidates best bound first and stop early (``Decision.could_change``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.analysis import Analysis
from knowledge.definitions import asks_what_it_is
from knowledge.matcher.index import SAYS_WHAT_IT_IS, FactIndex, required_bits

COVERAGE_SHARE = 0.45
CLOSENESS_SHARE = 0.45
SURFACE_SHARE = 0.10
"""Shares of the score: coverage, closeness, and the plain string similarity
(rapidfuzz ratio) to the nearest example question, which breaks ties between
facts that cover a short question equally well."""
BEST_TEXT_SHARE = 0.75
"""Of closeness, the share of the best text's overlap; the second best's has the rest."""
NAME_WEIGHT = 2.5
"""A question term at least this rare (Zipf <= 4) can be a name: "what is X" asks
what X is when X is only such terms (``knowledge.definitions``)."""
MIN_QUESTION_WEIGHT = 1.0
"""Below this total content weight a question says too little to answer."""
EXACT_SCORE = 100.0
"""The score of one of a fact's own wordings, word for word."""
_BOUND_SLACK = 1e-6
"""Added to upper bounds so floating-point rounding never prunes a fact that ties."""


@dataclass(slots=True)
class Reading:
    """One reading of the question, with its candidate facts and their score bounds."""

    analysis: Analysis
    question_total: float
    """The question's total closeness weight."""
    closeness_table: np.ndarray
    """Each term id's closeness weight in the question (0 for terms it lacks), and a 0 last."""
    covered: np.ndarray
    """Each slot's covered share of the question's weight, times its total weight."""
    eligible: np.ndarray
    """One flag a slot: does the fact escape every veto?"""
    slots: np.ndarray
    """The eligible slots, highest bound first."""
    bounds: np.ndarray
    says_what_it_is: np.ndarray | None
    """When the reading asks what something is ("what is DBS"), which slots' facts
    say what it is: only they may answer it, the others only be suggested."""
    scores: dict[int, float | None] = field(default_factory=dict)


def says_enough(analysis: Analysis) -> bool:
    """Does the reading say enough to be scored: some weight, and not only numbers?"""
    return analysis.total_weight >= MIN_QUESTION_WEIGHT and analysis.numbers != set(analysis.terms)


def candidates(index: FactIndex, question: Analysis, excluded: list[int]) -> Reading | None:
    """The facts that escape every veto, each with an upper bound of its score."""
    needed_mask = required_bits(question.question_types)
    if needed_mask is None:
        return None
    weighted = {term: index.weigh(term, w) for term, w in question.weights.items()}
    term_ids: list[int] = []
    raw: list[float] = []
    closeness_weights: list[float] = []
    required: list[int] = []
    for term, weight in question.weights.items():
        term_id = index.term_ids.get(term)
        known = term_id is not None and index.fact_counts[term_id] > 0
        if term in question.numbers or term in question.focus:
            if not known:
                return None  # no fact uses it, so every fact is vetoed
            required.append(len(term_ids))
        if known and term_id is not None:  # restated so the type checker sees an int
            term_ids.append(term_id)
            raw.append(weight)
            closeness_weights.append(weighted[term])
    if not term_ids:
        return None
    postings = [np.frombuffer(index.postings[term_id], dtype=np.int32) for term_id in term_ids]
    size = len(index.by_slot)
    slots_hit = np.concatenate(postings)
    lengths = [len(p) for p in postings]
    covered = np.bincount(slots_hit, weights=np.repeat(raw, lengths), minlength=size)
    shared = np.bincount(slots_hit, weights=np.repeat(closeness_weights, lengths), minlength=size)
    eligible = np.frombuffer(index.alive, dtype=np.uint8).astype(bool)
    eligible &= covered > 0
    if required:
        hits = np.bincount(np.concatenate([postings[i] for i in required]), minlength=size)
        eligible &= hits == len(required)
    if needed_mask:
        answerable = np.frombuffer(index.answerable, dtype=np.uint8)
        eligible &= (answerable & needed_mask) == needed_mask
    if excluded:
        eligible[excluded] = False
    slots = np.flatnonzero(eligible)
    if not len(slots):
        return None
    question_total = sum(weighted.values())
    # Closeness is at most 2s/(q+s) for s the covered closeness weight (a text
    # holding every covered term and nothing else); surface similarity at most 100.
    shared = shared[slots]
    bounds = (
        100.0
        * (
            COVERAGE_SHARE * covered[slots] / question.total_weight
            + CLOSENESS_SHARE * 2 * shared / (question_total + shared)
        )
        + SURFACE_SHARE * 100.0
        + _BOUND_SLACK
    )
    order = np.argsort(-bounds, kind="stable")
    table = np.zeros(len(index.term_names) + 1)
    table[term_ids] = closeness_weights
    return Reading(
        question,
        question_total,
        table,
        covered,
        eligible,
        slots[order],
        bounds[order],
        _saying_what_it_is(index, question),
    )


def score_in(index: FactIndex, reading: Reading, slot: int) -> float | None:
    """The fact's score for this reading of the question, or None when vetoed."""
    if slot not in reading.scores:
        eligible = bool(reading.eligible[slot])
        reading.scores[slot] = scores(index, reading, [slot])[0] if eligible else None
    return reading.scores[slot]


def scores(index: FactIndex, reading: Reading, slots: list[int]) -> list[float]:
    """The 0-100 scores of facts that escape every veto, computed together.

    Closeness is the best weighted Dice overlap with one of a fact's texts (a
    term weighs the same on both sides); surface similarity is the rapidfuzz
    ratio to its nearest example question.
    """
    facts = [index.fact_at(slot) for slot in slots]
    terms = np.concatenate([f.texts() for f in facts])
    ends = np.flatnonzero(terms < 0)
    text_starts = np.zeros_like(ends)
    text_starts[1:] = ends[:-1] + 1
    # Each text's sums; the separator (-1) reads the tables' last cell, 0.
    shared = np.add.reduceat(reading.closeness_table[terms], text_starts)
    totals = np.add.reduceat(index.text_weight_table()[terms], text_starts)
    dice = 2 * shared / (reading.question_total + totals)
    best, second = _two_best(dice, [f.text_count for f in facts])
    closeness = BEST_TEXT_SHARE * best + (1 - BEST_TEXT_SHARE) * second
    examples = [f.example_texts() for f in facts]
    ratios = process.cdist(
        [reading.analysis.text],
        [text for texts in examples for text in texts] or [""],
        scorer=fuzz.ratio,
        dtype=np.float64,
    )[0]
    surface = np.zeros(len(facts))
    counts = [len(texts) for texts in examples]
    has_examples = np.array(counts) > 0
    if has_examples.any():
        surface[has_examples] = np.maximum.reduceat(
            ratios, _starts([count for count in counts if count])
        )
    coverage = reading.covered[slots] / reading.analysis.total_weight
    result = 100.0 * (COVERAGE_SHARE * coverage + CLOSENESS_SHARE * closeness) + (
        SURFACE_SHARE * surface
    )
    # One of the fact's own wordings, word for word: as high as a score goes.
    exact = (coverage >= 1 - _BOUND_SLACK) & (best >= 1 - _BOUND_SLACK) & (surface >= 100.0)
    result[exact] = EXACT_SCORE
    return [float(score) for score in result]


def _saying_what_it_is(index: FactIndex, question: Analysis) -> np.ndarray | None:
    """When the question asks what something is, one flag a slot: does the
    fact say what any of the question's terms is? Otherwise None."""
    if not asks_what_it_is(question, NAME_WEIGHT):
        return None
    flags = np.zeros(len(index.by_slot), dtype=bool)
    for term in question.weights:
        term_id = index.term_ids.get(SAYS_WHAT_IT_IS + term)
        if term_id is not None:
            flags[np.frombuffer(index.postings[term_id], dtype=np.int32)] = True
    return flags


def _starts(lengths: list[int]) -> np.ndarray:
    """Where each of consecutive runs of these (non-zero) lengths starts."""
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    return starts


def _two_best(values: np.ndarray, lengths: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The largest and second largest value of each consecutive run of these
    (non-zero) lengths; a run of one has its one value as both."""
    starts = _starts(lengths)
    runs = np.repeat(np.arange(len(lengths)), lengths)
    order = np.lexsort((-values, runs))
    best = values[order[starts]]
    second = best.copy()
    longer = np.array(lengths) > 1
    second[longer] = values[order[starts[longer] + 1]]
    return best, second
