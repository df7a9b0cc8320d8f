"""Match a member's question to one fact, a few suggestions, or nothing.

How a fact is scored against a question (both analysed by ``Analyser``):

* **coverage**: the share of the question's weighted content terms that the
  fact covers anywhere (answer, example questions, keywords, quote);
* **closeness**: the best weighted overlap (Dice) between the question and one
  of the fact's example questions, its answer or its keywords, with terms
  common across the knowledge base counting for less;
* **vetoes**: a fact cannot answer a question with a number it does not
  contain, a rare word (a name, jargon, an unrepaired typo) it never uses, or a
  question type it cannot satisfy ("how much" needs a figure, "when" a date).

The decision rule (``Matcher.match``): a confident, clear winner answers; a
middling score or a close race suggests; anything else is left unanswered.
A question asking two things is also scored on its first part alone.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from knowledge.analysis import REAL_WORD_ZIPF, Analyser, Analysis, word_zipf
from knowledge.lexicon import Lexicon, default_lexicon
from knowledge.models import Candidate, Fact, Match, Outcome
from knowledge.text import clean

# Thresholds on the 0-100 score. Swept on ../shared/eval/dev_questions.jsonl,
# benchmarks/near_miss.jsonl and the whole-fact-removal check of
# ``python -m benchmarks.accuracy`` (66 facts, 1,078 example questions): at 68
# the dev set had 1 wrong answer in 64 and 38/48 right, and 25 % of a removed
# fact's questions were answered by another fact; at 62, 2 wrong, 41/48 right,
# 33 %. A wrong answer is worse than none, so 68.
ANSWER_THRESHOLD = 68.0
SUGGEST_THRESHOLD = 40.0
CLEAR_WINNER_MARGIN = 2.0
MAX_SUGGESTIONS = 3

COVERAGE_SHARE = 0.45
CLOSENESS_SHARE = 0.45
SURFACE_SHARE = 0.10
"""Shares of the score: coverage, closeness, and the plain string similarity
(rapidfuzz ratio) to the nearest example question, which breaks ties between
facts that cover a short question equally well."""
RARE_TERM_WEIGHT = 3.0
"""A question term at least this rare (Zipf <= 3.5) that a fact never uses vetoes it."""
MIN_QUESTION_WEIGHT = 1.0
"""Below this total content weight a question says too little to answer."""

_FIRST_CLAUSE_END = re.compile(
    r"[?;\n]|\b(?:and|or|also|plus)\s+(?=(?:who|what|when|where|why|how|which|in which|is|are|"
    r"does|do|did|will|can|could|has|have)\b)",
    re.IGNORECASE,
)
# What can answer "how much / how many": money, percentages, counts of things.
# A bare digit is not enough: dates ("29 July 2014") and names ("Unit 4") have them.
_FIGURE = re.compile(
    r"£\s?\d|\d+\s*(?:%|percent|per cent|million|billion|bn|m\b|years?\b|centres?\b)|"
    r"\b(?:several|two|three|four|five|six|seven|eight|nine|ten|twelve|hundreds?|thousands?|"
    r"millions?|billions?|half|quarter|dozens?)\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\b(?:19|20)\d\d\b|\b(?:january|february|march|april|may|june|july|august|september|"
    r"october|november|december|monday|tuesday|wednesday|thursday|friday|year end|"
    r"this year|last month|next year|in due course|today|already|until|before|after|"
    r"soon|years?)\b",
    re.IGNORECASE,
)
_PLACE = re.compile(r"\b(?:britain|england|scotland|wales|france|french|london)\b", re.IGNORECASE)
# "The 2014 circular says…" names the document, not a date the fact can answer with.
_ATTRIBUTION = re.compile(
    r"\b(?:19|20)\d\d\s+(?:[\w-]+\s+){0,4}?(?:circular|article)\b", re.IGNORECASE
)
_ANSWERABLE_BY_PATTERN = {"quantity": _FIGURE, "time": _TIME, "place": _PLACE}


@dataclass(frozen=True, slots=True)
class _IndexedFact:
    fact: Fact
    vocabulary: frozenset[str]
    texts: tuple[frozenset[str], ...]
    examples: tuple[str, ...]
    answerable_types: frozenset[str]


class Matcher:
    """Scores questions against a set of facts.

    >>> matcher = Matcher(curated.facts)
    >>> matcher.match("who owns sscl").outcome
    <Outcome.ANSWER: 'answer'>
    """

    def __init__(self, facts: Iterable[Fact], lexicon: Lexicon | None = None) -> None:
        self._analyser = Analyser(lexicon or default_lexicon())
        self._facts: dict[int, _IndexedFact] = {}
        self._term_weights: dict[str, float] = {}
        self._text_totals_cache: dict[int, tuple[float, ...]] = {}
        self._postings: dict[str, set[int]] = defaultdict(set)
        facts = list(facts)
        self._analyser.extend_vocabulary(_words_of(facts))
        for fact in facts:
            self._index(fact)

    def __len__(self) -> int:
        return len(self._facts)

    def upsert(self, fact: Fact) -> None:
        """Add or replace one fact; it is answerable at once."""
        self.remove(fact.id)
        self._text_totals_cache.clear()
        self._analyser.extend_vocabulary(_words_of([fact]))
        self._index(fact)

    def remove(self, fact_id: int) -> None:
        indexed = self._facts.pop(fact_id, None)
        if indexed is None:
            return
        self._text_totals_cache.clear()
        for term in indexed.vocabulary:
            self._postings[term].discard(fact_id)

    def match(self, question: str, excluded_fact_ids: Iterable[int] = ()) -> Match:
        """Decide what to reply to ``question``; never raises on any string."""
        excluded = frozenset(excluded_fact_ids)
        scores: dict[int, float] = {}
        for variant in self._variants(question):
            if variant.total_weight < MIN_QUESTION_WEIGHT or variant.numbers == set(variant.terms):
                continue  # too little said, or nothing but numbers
            for fact_id, score in self._score_all(variant, excluded).items():
                scores[fact_id] = max(score, scores.get(fact_id, 0.0))
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
        return _decide(ranked)

    def _variants(self, question: str) -> list[Analysis]:
        whole = self._analyser.analyse(question)
        parts = [part for part in _FIRST_CLAUSE_END.split(question, maxsplit=1) if part.strip()]
        if len(parts) < 2:
            return [whole]
        return [whole, self._analyser.analyse(parts[0])]

    def _score_all(self, question: Analysis, excluded: frozenset[int]) -> dict[int, float]:
        candidates: set[int] = set()
        for term in question.weights:
            candidates.update(self._postings.get(term, ()))
        weighted = {term: self._weigh(term, w) for term, w in question.weights.items()}
        scores = {}
        for fact_id in candidates - excluded:
            score = self._score(question, weighted, self._facts[fact_id])
            if score is not None:
                scores[fact_id] = score
        return scores

    def _score(
        self, question: Analysis, weighted: dict[str, float], indexed: _IndexedFact
    ) -> float | None:
        """The fact's 0-100 score for the question, or None when vetoed.

        ``weighted`` is the question's terms weighed for closeness (``_weigh``).
        """
        if not question.question_types.issubset(indexed.answerable_types | {"person", "reason"}):
            return None
        covered = 0.0
        for term, weight in question.weights.items():
            if term in indexed.vocabulary:
                covered += weight
            elif weight >= RARE_TERM_WEIGHT or term in question.numbers or term in question.focus:
                return None
        coverage = covered / question.total_weight
        closeness = self._closeness(weighted, indexed)
        surface = process.extractOne(question.text, indexed.examples, scorer=fuzz.ratio)
        return 100.0 * (COVERAGE_SHARE * coverage + CLOSENESS_SHARE * closeness) + (
            SURFACE_SHARE * (surface[1] if surface else 0.0)
        )

    def _closeness(self, weighted: dict[str, float], indexed: _IndexedFact) -> float:
        """The best weighted Dice overlap with one of the fact's texts (a term weighs the
        same on both sides)."""
        question_total = sum(weighted.values())
        best = 0.0
        for text, text_total in zip(indexed.texts, self._text_totals(indexed), strict=True):
            shared = sum(weight for term, weight in weighted.items() if term in text)
            if shared:
                best = max(best, 2 * shared / (question_total + text_total))
        return best

    def _text_totals(self, indexed: _IndexedFact) -> tuple[float, ...]:
        """Each text's weight; cached until a fact changes (specificity moves with the facts)."""
        totals = self._text_totals_cache.get(indexed.fact.id)
        if totals is None:
            totals = tuple(
                sum(self._weigh(term, self._term_weights[term]) for term in text)
                for text in indexed.texts
            )
            self._text_totals_cache[indexed.fact.id] = totals
        return totals

    def _weigh(self, term: str, weight: float) -> float:
        return self._specificity(term) * self._term_weights.get(term, weight)

    def _specificity(self, term: str) -> float:
        """1 for a term in one fact, falling towards 0.3 for a term in every fact."""
        count = len(self._postings.get(term, ())) or 1
        total = max(len(self._facts), 2)
        return 0.3 + 0.7 * (1 - math.log(count) / math.log(total))

    def _index(self, fact: Fact) -> None:
        analysed = [
            self._analyser.analyse(text)
            for text in (fact.answer, " ".join(fact.keywords), *fact.question_texts)
        ]
        quote = self._analyser.analyse(fact.quote)
        vocabulary = frozenset(term for a in (*analysed, quote) for term in a.weights)
        for analysis in (*analysed, quote):
            self._term_weights.update(analysis.weights)
        claim = f"{_ATTRIBUTION.sub(' ', fact.answer)} {fact.quote}"
        answerable = frozenset(
            kind for kind, pattern in _ANSWERABLE_BY_PATTERN.items() if pattern.search(claim)
        )
        self._facts[fact.id] = _IndexedFact(
            fact=fact,
            vocabulary=vocabulary,
            # Keywords count for coverage, not closeness: a bag of every keyword
            # would look like a perfect example question for many questions.
            texts=tuple(frozenset(a.weights) for a in analysed[:1] + analysed[2:] if a.weights),
            examples=tuple(self._analyser.surface(text) for text in fact.question_texts),
            answerable_types=answerable,
        )
        for term in vocabulary:
            self._postings[term].add(fact.id)


def _words_of(facts: Iterable[Fact]) -> set[str]:
    """The words typos are repaired to: everything a fact states, and the real
    English words of its example questions (a typo written into an example
    question must not become a word that other typos are "repaired" to)."""
    words: set[str] = set()
    for fact in facts:
        for text in (fact.answer, fact.quote, *fact.keywords):
            words.update(clean(text).split())
        for text in fact.question_texts:
            words.update(word for word in clean(text).split() if word_zipf(word) >= REAL_WORD_ZIPF)
    return words


def _decide(ranked: list[tuple[int, float]]) -> Match:
    if not ranked:
        return Match(Outcome.UNANSWERED, score=0.0)
    top_id, top_score = ranked[0]
    if top_score < SUGGEST_THRESHOLD:
        return Match(Outcome.UNANSWERED, score=top_score, nearest_fact_id=top_id)
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if top_score >= ANSWER_THRESHOLD and top_score - runner_up >= CLEAR_WINNER_MARGIN:
        return Match(Outcome.ANSWER, score=top_score, fact_id=top_id, nearest_fact_id=top_id)
    suggestions = tuple(
        Candidate(fact_id, score)
        for fact_id, score in ranked[:MAX_SUGGESTIONS]
        if score >= SUGGEST_THRESHOLD
    )
    return Match(
        Outcome.SUGGESTIONS, score=top_score, suggestions=suggestions, nearest_fact_id=top_id
    )
