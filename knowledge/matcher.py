"""Match a member's question to one fact, a few suggestions, or nothing.

How a fact is scored against a question (both analysed by ``Analyser``):

* **coverage**: the share of the question's weighted content terms that the
  fact covers anywhere (answer, example questions, keywords, quote);
* **closeness**: the weighted overlap (Dice) between the question and the
  fact's example questions and answer, with terms common across the knowledge
  base counting for less: mostly the best text's, partly the second best's, so
  a fact that one stray example question resembles counts for less than one
  that two of its texts support;
* **vetoes**: a fact cannot answer a question with a number it does not
  contain, a rare word (a name, jargon, an unrepaired typo) it never uses, or a
  question type it cannot satisfy ("how much" needs a figure, "when" a date,
  "what is DBS" a fact saying what DBS is: ``knowledge.definitions``).

The decision rule (``Matcher.match``): a confident, clear winner answers; a
middling score or a close race suggests; anything else is left unanswered.
A question asking two things is also scored on its first part alone, and one
after a lead-in ("been here 15 years, all worried. who is taking over?") on the
sentence that asks.
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.analysis import REAL_WORD_ZIPF, Analyser, Analysis, cleaned, word_zipf
from knowledge.definitions import (
    DEFINITION,
    asks_what_it_is,
    passages_saying_what_it_is,
    with_family,
)
from knowledge.lexicon import Lexicon, default_lexicon
from knowledge.models import Candidate, Fact, Match, Outcome
from knowledge.semantic import DIMENSIONS, default_encoder

# Thresholds on the 0-100 score, swept on ../shared/eval/dev_questions.jsonl,
# benchmarks/near_miss.jsonl and the leave-one-out and whole-fact-removal checks
# of ``python -m benchmarks.accuracy`` (66 facts, 1,307 example questions),
# counting a wrong answer as three times worse than none. At 68 and a margin
# of 4: dev 37/48 right, 0 wrong; leave-one-out 946 own fact, 54 another;
# removal 297 answered by another fact. A margin of 2 gave 38/48 with 1 wrong,
# 970 and 72, and 343; a threshold of 64, 39/48 with 1 wrong and 2 of the
# near-miss list answered. Re-swept at 59 facts (after merging facts cut from
# one sentence): 64-67 answer 2-3 more dev questions but 1 wrong, and the
# margin trades leave-one-out own fact for removal one for one; 68 and 4 stay.
# With closeness blending the two best texts (``BEST_TEXT_SHARE``, 56 facts,
# 1,591 example questions), re-swept 66-68 and margins 3-5: 67 and 4 answer one
# dev question more with none wrong; 66 answers a dev question wrongly.
ANSWER_THRESHOLD = 67.0
SUGGEST_THRESHOLD = 40.0
CLEAR_WINNER_MARGIN = 4.0
EXACT_MATCH_SCORE = 99.5
"""A question that reads (once analysed) as one of a fact's example questions scores
100: a wording a curator or rep gave that fact. It answers when it leads at all
(another fact with the same wording ties); on the sets above, +1 dev, +2
leave-one-out, no wrong answer more."""
EXACT_MATCH_LEAD = 0.5
MAX_SUGGESTIONS = 3

COVERAGE_SHARE = 0.45
CLOSENESS_SHARE = 0.45
SURFACE_SHARE = 0.10
"""Shares of the score: coverage, closeness, and the plain string similarity
(rapidfuzz ratio) to the nearest example question, which breaks ties between
facts that cover a short question equally well."""
BEST_TEXT_SHARE = 0.75
"""Of closeness, the share of the best text's overlap; the second best's has the
rest. With 0.75 (swept 0.5-1.0 with the threshold and margin, on the sets above):
dev +1, leave-one-out own fact +5 and another fact -3, removal -1."""
RARE_TERM_WEIGHT = 3.0
"""A question term at least this rare (Zipf <= 3.5) that a fact never uses vetoes it."""
NAME_WEIGHT = 2.5
"""A question term at least this rare (Zipf <= 4) can be a name: "what is X" asks
what X is when X is only such terms (``knowledge.definitions``)."""
MIN_QUESTION_WEIGHT = 1.0
"""Below this total content weight a question says too little to answer."""

FEW_WORDINGS = 20
"""A fact with fewer example questions than this (every fact a rep adds by command;
the curated ones have 20 to 95) answers only when the meaning agrees too: with few
wordings a lexical lead over a neighbouring fact is weak evidence."""
AGREEING_CONFIDENCE = 1.5
"""The least fused confidence (lexical score / 100 + semantic closeness) of such an answer."""
AGREEING_LEAD = 0.05
"""How far such a fact's semantic closeness must lead every other fact's."""
SUGGEST_CONFIDENCE = 0.8
"""The least fused confidence of a "did you mean" suggestion."""
SUGGEST_CLOSENESS_ALONE = 0.65
"""The least semantic closeness of a suggestion that shares no word with the question."""
SEMANTIC_POOL = 8
"""Suggestions are drawn from the lexical finalists and this many semantically closest facts."""

_FIRST_CLAUSE_END = re.compile(
    r"[?;\n]|\b(?:and|or|also|plus)\s+(?=(?:who|what|when|where|why|how|which|in which|is|are|"
    r"does|do|did|will|can|could|has|have)\b)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_ASKING_START = re.compile(
    r"^\W*(?:who|whom|whose|what|whats|when|where|why|how|which|is|are|was|were|does|do|did|"
    r"will|would|can|could|has|have|should)\b",
    re.IGNORECASE,
)


def _asking_sentence(text: str) -> str | None:
    """The last sentence that asks (ends in "?" or opens with a question word),
    when the text has other sentences: "Been at DWP 15 years, all worried.
    Who is taking over?" asks "Who is taking over?"."""
    sentences = [part for part in _SENTENCE_END.split(text.strip()) if part.strip()]
    if len(sentences) < 2:
        return None
    for sentence in reversed(sentences):
        if sentence.rstrip().endswith("?") or _ASKING_START.match(sentence):
            return sentence
    return None


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
    r"this year|last month|next year|in due course|today|until|before|after|"
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
    """What scoring needs of a fact, kept small: a knowledge base may hold 100,000."""

    fact_id: int
    slot: int
    """The fact's position in the slot-indexed arrays (postings, ``_alive``)."""
    terms: array[int]
    """Ids of the terms the fact uses only outside its texts (keywords, quote;
    ``extra_size`` of them), then those of its answer and of each example
    question, each text ended by -1."""
    extra_size: int
    text_count: int
    examples: str
    """The example questions' surface forms, one a line (one string is smaller than many)."""
    example_count: int
    answerable: int
    """Bit mask of the question types the fact can satisfy (``_TYPE_BITS``)."""

    def vocabulary(self) -> set[int]:
        """Ids of every term the fact uses anywhere."""
        vocabulary = set(self.terms)
        vocabulary.discard(-1)
        return vocabulary

    def texts(self) -> np.ndarray:
        return np.frombuffer(self.terms, dtype=np.int32, offset=4 * self.extra_size)

    def example_texts(self) -> list[str]:
        return self.examples.split("\n") if self.example_count else []


_TYPE_BITS = {kind: 1 << bit for bit, kind in enumerate(_ANSWERABLE_BY_PATTERN)}
_ALWAYS_ANSWERABLE = frozenset({"person", "reason"})
_SAYS_WHAT_IT_IS = "="
"""Prefix of the pseudo-term "=dbs" a fact uses when it says what DBS is: its
postings are the facts that can answer "what is DBS". Cleaning strips "=", so
no analysed text ever holds such a term."""
_TOP = MAX_SUGGESTIONS
"""The most facts ``_decide`` looks at: the top one, the runner-up, the suggestions."""
_FIRST_BATCH = 8
_LAST_BATCH = 2048
"""Candidates are scored together, in batches growing from the first size to the last."""
_BOUND_SLACK = 1e-6
"""Added to upper bounds so floating-point rounding never prunes a fact that ties."""


@dataclass(slots=True)
class _Variant:
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
    scores: dict[int, float | None]
    says_what_it_is: np.ndarray | None
    """When the reading asks what something is ("what is DBS"), which slots' facts
    say what it is: only they may answer it, the others only be suggested."""


@dataclass(frozen=True, slots=True)
class _Meaning:
    """How close in meaning a question is to every fact, read once a question."""

    closeness: np.ndarray
    """Each slot's cosine closeness; -2 for a removed or excluded fact."""
    closest: int
    """The slot closest in meaning."""
    runner_up: float
    """The second closest slot's closeness."""

    def best_other_than(self, slot: int) -> float:
        """The closeness of the closest fact other than ``slot``'s."""
        return self.runner_up if slot == self.closest else float(self.closeness[self.closest])


class Matcher:
    """Scores questions against a set of facts.

    >>> matcher = Matcher(curated.facts)
    >>> matcher.match("who owns sscl").outcome
    <Outcome.ANSWER: 'answer'>

    Terms are interned to integer ids and each term's postings (the slots of the
    facts using it) are kept as compact arrays. A question's candidates are the
    live facts that use every term it cannot do without (rare words, numbers,
    its focus) and can satisfy its type; an upper bound of each one's score,
    from its exact coverage, is accumulated from the postings in one vectorised
    pass (numpy), and candidates are scored in full, in batches, best bound
    first, only until no bound left could change what ``_decide`` does. The
    decisions are those of scoring every fact (tests/knowledge/test_matcher_index.py).
    ``upsert`` and ``remove`` change one fact's postings; nothing is rebuilt.

    ``facts`` is read twice (typo repair needs every word before any fact is
    analysed): an iterator is copied, a collection or any other re-iterable is
    not, so one that makes its facts as it goes never has them all in memory.
    """

    def __init__(self, facts: Iterable[Fact], lexicon: Lexicon | None = None) -> None:
        self._analyser = Analyser(lexicon or default_lexicon())
        self._facts: dict[int, _IndexedFact] = {}
        self._by_slot: list[_IndexedFact | None] = []
        self._alive = bytearray()
        self._answerable = bytearray()
        self._term_ids: dict[str, int] = {}
        self._term_names: list[str] = []
        self._weights_by_id = array("d")
        """The weight each term had in the last text indexed that used it."""
        self._postings: list[array[int]] = []
        self._fact_counts = array("i")
        """How many live facts use each term."""
        self._text_weights: np.ndarray | None = None
        self._encoder = default_encoder()
        self._vectors = np.zeros((64, DIMENSIONS), dtype=np.float32)
        """Each slot's semantic vector (``knowledge.semantic``); grown by doubling."""
        if isinstance(facts, Iterator):  # it could be read only once
            facts = list(facts)
        self._analyser.extend_vocabulary(_words_of(facts))
        for fact in facts:
            self._index(fact)

    def __len__(self) -> int:
        return len(self._facts)

    def __getstate__(self) -> dict[str, object]:
        """What a saved index holds (``knowledge.index_cache``): each object once,
        without the views rebuilt from it on loading."""
        state = dict(self.__dict__)
        del state["_by_slot"], state["_term_names"], state["_encoder"]
        state["_text_weights"] = None
        state["_vectors"] = self._vectors[: len(self._alive)]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._by_slot = [None] * len(self._alive)
        for indexed in self._facts.values():
            self._by_slot[indexed.slot] = indexed
        self._term_names = list(self._term_ids)  # ids were given in insertion order
        self._encoder = default_encoder()

    def upsert(self, fact: Fact) -> None:
        """Add or replace one fact; it is answerable at once."""
        self.remove(fact.id)
        self._text_weights = None
        self._analyser.extend_vocabulary(_words_of([fact]))
        self._index(fact)

    def remove(self, fact_id: int) -> None:
        indexed = self._facts.pop(fact_id, None)
        if indexed is None:
            return
        self._text_weights = None
        # The slot stays in the postings, masked as dead, so removal costs
        # nothing per posting; ``_compact`` reclaims dead slots when they pile up.
        self._alive[indexed.slot] = 0
        self._by_slot[indexed.slot] = None
        for term_id in indexed.vocabulary():
            self._fact_counts[term_id] -= 1
        if len(self._by_slot) > 2 * len(self._facts) + 64:
            self._compact()

    def match(self, question: str, excluded_fact_ids: Iterable[int] = ()) -> Match:
        """Decide what to reply to ``question``; never raises on any string."""
        excluded = [
            self._facts[fact_id].slot for fact_id in excluded_fact_ids if fact_id in self._facts
        ]
        variants = []
        for analysis in self._variants(question):
            if analysis.total_weight < MIN_QUESTION_WEIGHT or analysis.numbers == set(
                analysis.terms
            ):
                continue  # too little said, or nothing but numbers
            variant = self._candidates(analysis, excluded)
            if variant is not None:
                variants.append(variant)
        asking_what = [v.says_what_it_is for v in variants if v.says_what_it_is is not None]
        alone = len(variants) == 1
        meaning = self._meaning(question, excluded)
        finalists = {
            slot for variant in variants for slot in self._best_of(variant, alone, meaning)
        }
        scores: dict[int, float] = {}
        slots_by_id: dict[int, int] = {}
        for slot in finalists:
            best = None
            for variant in variants:
                score = self._score_in(variant, slot)
                if score is not None and (best is None or score > best):
                    best = score
            if best is not None:
                fact_id = self._fact_at(slot).fact_id
                scores[fact_id] = best
                slots_by_id[fact_id] = slot
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
        top_may_answer = not ranked or self._may_answer(
            slots_by_id[ranked[0][0]], ranked[0][1], asking_what, meaning
        )
        match = _decide(ranked, top_may_answer)
        if match.outcome is Outcome.ANSWER:
            return match
        lexical = {slots_by_id[fact_id]: score for fact_id, score in ranked[:_TOP]}
        return self._suggest(match, lexical, variants, meaning.closeness)

    def _meaning(self, question: str, excluded: list[int]) -> _Meaning:
        """Each slot's semantic closeness to the question (cosine, -1 to 1; -2 for a
        removed or excluded fact, so it never leads), with the two closest."""
        size = len(self._by_slot)
        closeness = self._vectors[:size] @ self._encoder.encode([question])[0]
        closeness[np.frombuffer(self._alive, dtype=np.uint8) == 0] = -2.0
        closeness[excluded] = -2.0
        if size < 2:
            return _Meaning(closeness, 0, -2.0)
        first, second = np.argpartition(-closeness, 1)[:2].tolist()
        if closeness[second] > closeness[first]:
            first, second = second, first
        return _Meaning(closeness, first, float(closeness[second]))

    def _may_answer(
        self, slot: int, score: float, asking_what: list[np.ndarray], meaning: _Meaning
    ) -> bool:
        """May the fact in ``slot`` answer, with this score? The one rule both the
        decision and the pruning shortcut ask (``_may_answer_what_it_is``). A fact
        with few wordings must also be clearly the closest in meaning, with enough
        fused confidence; one of its own wordings, word for word, always may."""
        if not _may_answer_what_it_is(asking_what, slot, score):
            return False
        if self._fact_at(slot).example_count >= FEW_WORDINGS or score >= EXACT_MATCH_SCORE:
            return True
        mine = float(meaning.closeness[slot])
        return (
            mine >= meaning.best_other_than(slot) + AGREEING_LEAD
            and score / 100.0 + mine >= AGREEING_CONFIDENCE
        )

    def _suggest(
        self,
        match: Match,
        lexical: dict[int, float],
        variants: list[_Variant],
        closeness: np.ndarray,
    ) -> Match:
        """Did you mean: the facts most likely by both signals, the lexical
        finalists and the semantically closest, ranked by fused confidence."""
        pool = dict(lexical)
        live = int((closeness > -2.0).sum())
        for slot in np.argsort(-closeness, kind="stable")[: min(SEMANTIC_POOL, live)].tolist():
            if slot not in pool:
                scores = [self._score_in(variant, slot) for variant in variants]
                pool[slot] = max((score for score in scores if score is not None), default=0.0)
        fused = sorted(
            ((score / 100.0 + float(closeness[slot]), slot) for slot, score in pool.items()),
            reverse=True,
        )
        # Meaning alone must be strong: a question sharing no word with any fact
        # ("what time does the canteen open?") is logged for reps, not redirected.
        supported = [
            (confidence, slot)
            for confidence, slot in fused
            if confidence >= (SUGGEST_CONFIDENCE if pool[slot] > 0 else SUGGEST_CLOSENESS_ALONE)
        ]
        suggestions = tuple(
            Candidate(self._fact_at(slot).fact_id, 50.0 * confidence)
            for confidence, slot in supported[:MAX_SUGGESTIONS]
        )
        nearest = match.nearest_fact_id
        if nearest is None and fused:
            nearest = self._fact_at(fused[0][1]).fact_id
        outcome = Outcome.SUGGESTIONS if suggestions else Outcome.UNANSWERED
        return Match(outcome, score=match.score, suggestions=suggestions, nearest_fact_id=nearest)

    def _variants(self, question: str) -> list[Analysis]:
        """The readings of a question: whole; its first part when it asks two
        things; and the sentence that asks, when other sentences lead up to it."""
        readings = [question]
        parts = [part for part in _FIRST_CLAUSE_END.split(question, maxsplit=1) if part.strip()]
        if len(parts) > 1:
            readings.append(parts[0])
        asked = _asking_sentence(question)
        if asked is not None and asked not in readings:
            readings.append(asked)
        return [self._analyser.analyse(reading) for reading in readings]

    def _candidates(self, question: Analysis, excluded: list[int]) -> _Variant | None:
        """The facts that escape every veto, each with an upper bound of its score."""
        needed_types = question.question_types - _ALWAYS_ANSWERABLE - {DEFINITION}
        if not needed_types.issubset(_TYPE_BITS):
            return None
        needed_mask = sum(_TYPE_BITS[kind] for kind in needed_types)
        weighted = {term: self._weigh(term, w) for term, w in question.weights.items()}
        term_ids, raw, closeness_weights = [], [], []
        required: list[int] = []
        for term, weight in question.weights.items():
            term_id = self._term_ids.get(term)
            known = term_id is not None and self._fact_counts[term_id] > 0
            if weight >= RARE_TERM_WEIGHT or term in question.numbers or term in question.focus:
                if not known:
                    return None  # no fact uses it, so every fact is vetoed
                required.append(len(term_ids))
            if known:
                term_ids.append(term_id)
                raw.append(weight)
                closeness_weights.append(weighted[term])
        if not term_ids:
            return None
        postings = [np.frombuffer(self._postings[term_id], dtype=np.int32) for term_id in term_ids]
        size = len(self._by_slot)
        slots_hit = np.concatenate(postings)
        lengths = [len(p) for p in postings]
        covered = np.bincount(slots_hit, weights=np.repeat(raw, lengths), minlength=size)
        shared = np.bincount(
            slots_hit, weights=np.repeat(closeness_weights, lengths), minlength=size
        )
        eligible = np.frombuffer(self._alive, dtype=np.uint8).astype(bool)
        eligible &= covered > 0
        if required:
            hits = np.bincount(
                np.concatenate([postings[index] for index in required]), minlength=size
            )
            eligible &= hits == len(required)
        if needed_mask:
            answerable = np.frombuffer(self._answerable, dtype=np.uint8)
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
        table = np.zeros(len(self._term_names) + 1)
        table[term_ids] = closeness_weights
        return _Variant(
            question,
            question_total,
            table,
            covered,
            eligible,
            slots[order],
            bounds[order],
            {},
            self._saying_what_it_is(question),
        )

    def _saying_what_it_is(self, question: Analysis) -> np.ndarray | None:
        """When the question asks what something is, one flag a slot: does the
        fact say what any of the question's terms is? Otherwise None."""
        if not asks_what_it_is(question, NAME_WEIGHT):
            return None
        flags = np.zeros(len(self._by_slot), dtype=bool)
        for term in question.weights:
            term_id = self._term_ids.get(_SAYS_WHAT_IT_IS + term)
            if term_id is not None:
                flags[np.frombuffer(self._postings[term_id], dtype=np.int32)] = True
        return flags

    def _best_of(self, variant: _Variant, alone: bool, meaning: _Meaning) -> list[int]:
        """The slots of the facts ``_decide`` could look at, scoring as few as possible.

        Candidates are scored in batches, in order of their bound, until the next
        bound could not change the decision (``_could_place``); every later
        bound is lower, so the facts left unscored cannot matter.
        """
        best: list[tuple[float, int]] = []
        slots, bounds = variant.slots, variant.bounds
        start, size = 0, _FIRST_BATCH
        asking_what = [] if variant.says_what_it_is is None else [variant.says_what_it_is]
        while start < len(slots) and _could_place(
            float(bounds[start]),
            best,
            alone and (not best or self._may_answer(best[0][1], best[0][0], asking_what, meaning)),
        ):
            batch = slots[start : start + size].tolist()
            for slot, score in zip(batch, self._scores(variant, batch), strict=True):
                variant.scores[slot] = score
                best.append((score, slot))
            best.sort(key=lambda item: item[0], reverse=True)
            del best[_TOP:]
            start, size = start + size, min(size * 4, _LAST_BATCH)
        return [slot for _, slot in best]

    def _score_in(self, variant: _Variant, slot: int) -> float | None:
        """The fact's score for this reading of the question, or None when vetoed."""
        if slot not in variant.scores:
            eligible = bool(variant.eligible[slot])
            variant.scores[slot] = self._scores(variant, [slot])[0] if eligible else None
        return variant.scores[slot]

    def _fact_at(self, slot: int) -> _IndexedFact:
        indexed = self._by_slot[slot]
        assert indexed is not None, "a dead slot is never a candidate"
        return indexed

    def _scores(self, variant: _Variant, slots: list[int]) -> list[float]:
        """The 0-100 scores of facts that escape every veto, computed together.

        Closeness is the best weighted Dice overlap with one of a fact's texts (a
        term weighs the same on both sides); surface similarity is the rapidfuzz
        ratio to its nearest example question.
        """
        facts = [self._fact_at(slot) for slot in slots]
        terms = np.concatenate([f.texts() for f in facts])
        ends = np.flatnonzero(terms < 0)
        text_starts = np.zeros_like(ends)
        text_starts[1:] = ends[:-1] + 1
        # Each text's sums; the separator (-1) reads the tables' last cell, 0.
        shared = np.add.reduceat(variant.closeness_table[terms], text_starts)
        totals = np.add.reduceat(self._text_weight_table()[terms], text_starts)
        dice = 2 * shared / (variant.question_total + totals)
        best, second = _two_best(dice, [f.text_count for f in facts])
        closeness = BEST_TEXT_SHARE * best + (1 - BEST_TEXT_SHARE) * second
        examples = [f.example_texts() for f in facts]
        ratios = process.cdist(
            [variant.analysis.text],
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
        coverage = variant.covered[slots] / variant.analysis.total_weight
        scores = 100.0 * (COVERAGE_SHARE * coverage + CLOSENESS_SHARE * closeness) + (
            SURFACE_SHARE * surface
        )
        # One of the fact's own wordings, word for word: as high as a score goes.
        exact = (coverage >= 1 - _BOUND_SLACK) & (best >= 1 - _BOUND_SLACK) & (surface >= 100.0)
        scores[exact] = 100.0
        return [float(score) for score in scores]

    def _text_weight_table(self) -> np.ndarray:
        """Each term id's weight in a fact's text (``_weigh``), and a 0 last.

        Rebuilt, in one vectorised pass, after a fact changes: specificity moves
        with the facts.
        """
        if self._text_weights is None:
            counts = np.maximum(np.frombuffer(self._fact_counts, dtype=np.int32), 1)
            specificity = 0.3 + 0.7 * (1 - np.log(counts) / math.log(max(len(self._facts), 2)))
            table = np.zeros(len(counts) + 1)
            table[:-1] = specificity * np.frombuffer(self._weights_by_id, dtype=np.float64)
            self._text_weights = table
        return self._text_weights

    def _weigh(self, term: str, weight: float) -> float:
        term_id = self._term_ids.get(term)
        known = weight if term_id is None else self._weights_by_id[term_id]
        return self._specificity(term) * known

    def _specificity(self, term: str) -> float:
        """1 for a term in one fact, falling towards 0.3 for a term in every fact."""
        term_id = self._term_ids.get(term)
        count = (self._fact_counts[term_id] if term_id is not None else 0) or 1
        total = max(len(self._facts), 2)
        return 0.3 + 0.7 * (1 - math.log(count) / math.log(total))

    def _term_id(self, term: str) -> int:
        term_id = self._term_ids.get(term)
        if term_id is None:
            term_id = self._term_ids[term] = len(self._postings)
            self._term_names.append(term)
            self._postings.append(array("i"))
            self._fact_counts.append(0)
            self._weights_by_id.append(0.0)
        return term_id

    def _index(self, fact: Fact) -> None:
        analysed = [
            self._analyser.analyse(text)
            for text in (fact.answer, " ".join(fact.keywords), *fact.question_texts)
        ]
        quote = self._analyser.analyse(fact.quote)
        for analysis in (*analysed, quote):
            for term, weight in analysis.weights.items():
                self._weights_by_id[self._term_id(term)] = weight
        vocabulary = {self._term_ids[term] for a in (*analysed, quote) for term in a.weights}
        vocabulary.update(
            self._term_id(_SAYS_WHAT_IT_IS + term) for term in self._terms_it_says_what_is(fact)
        )
        # Keywords count for coverage, not closeness: a bag of every keyword
        # would look like a perfect example question for many questions.
        texts = array("i")
        text_count = 0
        for analysis in analysed[:1] + analysed[2:]:
            if analysis.weights:
                texts.extend(self._term_ids[term] for term in analysis.weights)
                texts.append(-1)
                text_count += 1
        if not text_count:
            texts.append(-1)  # one empty text, so that every fact has one
        claim = f"{_ATTRIBUTION.sub(' ', fact.answer)} {fact.quote}"
        answerable = sum(
            _TYPE_BITS[kind]
            for kind, pattern in _ANSWERABLE_BY_PATTERN.items()
            if pattern.search(claim)
        )
        slot = len(self._by_slot)
        self._store_vector(slot, self._encoder.fact_vector(fact))
        extra = array("i", sorted(vocabulary.difference(texts)))
        # The example questions' surface forms are their analyses' texts.
        examples = [analysis.text for analysis in analysed[2:]]
        indexed = _IndexedFact(
            fact_id=fact.id,
            slot=slot,
            terms=extra + texts,
            extra_size=len(extra),
            text_count=max(text_count, 1),
            examples="\n".join(examples),
            example_count=len(examples),
            answerable=answerable,
        )
        self._facts[fact.id] = indexed
        self._by_slot.append(indexed)
        self._alive.append(1)
        self._answerable.append(answerable)
        for term_id in sorted(vocabulary):
            self._postings[term_id].append(slot)
            self._fact_counts[term_id] += 1

    def _store_vector(self, slot: int, vector: np.ndarray) -> None:
        if slot >= len(self._vectors):
            grown = np.zeros((max(2 * len(self._vectors), slot + 1), DIMENSIONS), np.float32)
            grown[: len(self._vectors)] = self._vectors
            self._vectors = grown
        self._vectors[slot] = vector

    def _terms_it_says_what_is(self, fact: Fact) -> set[str]:
        passages = passages_saying_what_it_is(fact.answer)
        return with_family(
            {term for passage in passages for term in self._analyser.analyse(passage).weights}
        )

    def _compact(self) -> None:
        """Renumber the live facts' slots and rebuild the postings without the dead ones."""
        live = [indexed for indexed in self._by_slot if indexed is not None]
        self._vectors = self._vectors[[indexed.slot for indexed in live]]
        self._by_slot = []
        self._alive = bytearray(len(live))
        self._answerable = bytearray()
        self._postings = [array("i") for _ in self._postings]
        for slot, indexed in enumerate(live):
            moved = replace(indexed, slot=slot)
            self._facts[moved.fact_id] = moved
            self._by_slot.append(moved)
            self._alive[slot] = 1
            self._answerable.append(moved.answerable)
            for term_id in sorted(moved.vocabulary()):
                self._postings[term_id].append(slot)


def _words_of(facts: Iterable[Fact]) -> set[str]:
    """The words typos are repaired to: everything a fact states, and the real
    English words of its example questions (a typo written into an example
    question must not become a word that other typos are "repaired" to)."""
    words: set[str] = set()
    for fact in facts:
        for text in (fact.answer, fact.quote, *fact.keywords):
            words.update(cleaned(text).split())
        for text in fact.question_texts:
            words.update(
                word for word in cleaned(text).split() if word_zipf(word) >= REAL_WORD_ZIPF
            )
    return words


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


def _may_answer_what_it_is(asking_what: list[np.ndarray], slot: int, score: float) -> bool:
    """May the fact in ``slot`` answer, with this score? Not when a reading asks what
    something is (``asking_what``: each such reading's flags of the facts saying
    it) and the fact does not say, unless the question is one of the fact's own
    wordings: a curator or rep said it answers. When it may not, the suggestions
    after it matter, and the shortcut for a clear answer does not hold."""
    return not asking_what or score >= EXACT_MATCH_SCORE or any(f[slot] for f in asking_what)


def _could_place(bound: float, best: list[tuple[float, int]], alone: bool) -> bool:
    """Could a fact scoring up to ``bound`` change what ``_decide`` does, given the
    ``best`` scores so far (highest first)?

    It could if it may beat the top; or, while the top would answer, if it may
    come within ``CLEAR_WINNER_MARGIN`` of it; or else if it may be one of the
    first ``_TOP`` suggestions. Lower scores only matter as the top one. The
    shortcut for a clear answer holds only when the question is read ``alone``
    (one variant): another reading could still make it a close race.
    """
    if not best or bound >= best[0][0]:
        return True
    top = best[0][0]
    if (
        alone
        and top >= ANSWER_THRESHOLD
        and (len(best) < 2 or best[1][0] < top - CLEAR_WINNER_MARGIN)
    ):
        return bound >= top - CLEAR_WINNER_MARGIN
    return bound >= SUGGEST_THRESHOLD and (len(best) < _TOP or bound >= best[-1][0])


def _decide(ranked: list[tuple[int, float]], top_may_answer: bool = True) -> Match:
    """The rule: a confident, clear winner answers (unless it may not: it does not
    say what the question asks is); a middling score or a close race suggests;
    anything lower is left unanswered."""
    if not ranked:
        return Match(Outcome.UNANSWERED, score=0.0)
    top_id, top_score = ranked[0]
    if top_score < SUGGEST_THRESHOLD:
        return Match(Outcome.UNANSWERED, score=top_score, nearest_fact_id=top_id)
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    lead = top_score - runner_up
    clear = lead >= CLEAR_WINNER_MARGIN or (
        top_score >= EXACT_MATCH_SCORE and lead >= EXACT_MATCH_LEAD
    )
    if top_score >= ANSWER_THRESHOLD and clear and top_may_answer:
        return Match(Outcome.ANSWER, score=top_score, fact_id=top_id, nearest_fact_id=top_id)
    suggestions = tuple(
        Candidate(fact_id, score)
        for fact_id, score in ranked[:MAX_SUGGESTIONS]
        if score >= SUGGEST_THRESHOLD
    )
    return Match(
        Outcome.SUGGESTIONS, score=top_score, suggestions=suggestions, nearest_fact_id=top_id
    )
