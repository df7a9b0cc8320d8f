"""The matcher's index: every fact's terms, postings and meaning, by slot.

Terms are interned to integer ids and each term's postings (the slots of the
facts using it) are kept as compact arrays; each fact has one semantic vector
(``knowledge.semantic``). ``upsert`` and ``remove`` change one fact's entries;
nothing is rebuilt, and dead slots are reclaimed only when they pile up.
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice

import numpy as np

from knowledge.analysis import REAL_WORD_ZIPF, Analyser, cleaned
from knowledge.definitions import DEFINITION, passages_saying_what_it_is, with_family
from knowledge.frequencies import word_zipf
from knowledge.lexicon import Lexicon
from knowledge.models import Fact
from knowledge.semantic import DIMENSIONS, Encoder

TYPE_BITS = {"quantity": 1, "time": 2, "place": 4}
"""The question types a fact must show it can satisfy, each one bit of a mask;
the words that show it are data (``answer_words`` in knowledge/data/language.toml)."""
# A figure in digits: money, a percentage, a count of things. A bare digit is not
# enough: dates ("29 July 2014") and names ("Unit 4") have them.
_FIGURE_IN_DIGITS = (
    r"£\s?\d|\d+\s*(?:%|percent|per cent|million|billion|bn|m\b|years?\b|centres?\b)"
)
_YEAR = r"\b(?:19|20)\d\d\b"
# "The 2014 circular says…" names the document, not a date the fact can answer with.
_ATTRIBUTION = re.compile(
    r"\b(?:19|20)\d\d\s+(?:[\w-]+\s+){0,4}?(?:circular|article)\b", re.IGNORECASE
)


_ALWAYS_ANSWERABLE = frozenset({"person", "reason", DEFINITION})
"""Question types any text may answer: "who" and "why" have no form to look for,
and "what is X" has its own check (``knowledge.definitions``)."""


def required_bits(question_types: frozenset[str]) -> int | None:
    """The ``TYPE_BITS`` a text must show to answer a question of these types; None
    when one of them is a type no text can be seen to answer."""
    needed = question_types - _ALWAYS_ANSWERABLE
    if not needed.issubset(TYPE_BITS):
        return None
    return sum(TYPE_BITS[kind] for kind in needed)


def answerable_bits(patterns: dict[str, re.Pattern[str]], text: str) -> int:
    """The ``TYPE_BITS`` of the question types ``text`` shows it can answer."""
    return sum(TYPE_BITS[kind] for kind, pattern in patterns.items() if pattern.search(text))


def answerable_patterns(lexicon: Lexicon) -> dict[str, re.Pattern[str]]:
    """For each question type, what in a fact's answer or quote shows it can answer it."""
    words = {
        kind: r"\b(?:" + "|".join(re.escape(word) for word in lexicon.answer_words[kind]) + r")\b"
        for kind in TYPE_BITS
    }
    return {
        "quantity": re.compile(f"{_FIGURE_IN_DIGITS}|{words['quantity']}", re.IGNORECASE),
        "time": re.compile(f"{_YEAR}|{words['time']}", re.IGNORECASE),
        "place": re.compile(words["place"], re.IGNORECASE),
    }


ENCODE_CHUNK = 256
"""Facts whose texts are encoded in one batch while an index is built: a batch a fact
wakes the tokenizer's thread pool once a fact, and a chunk keeps a stream of facts
from being held all at once."""

SAYS_WHAT_IT_IS = "="
"""Prefix of the pseudo-term "=dbs" a fact uses when it says what DBS is: its
postings are the facts that can answer "what is DBS". Cleaning strips "=", so
no analysed text ever holds such a term."""


@dataclass(frozen=True, slots=True)
class IndexedFact:
    """What scoring needs of a fact, kept small: a knowledge base may hold 100,000."""

    fact_id: int
    slot: int
    """The fact's position in the slot-indexed arrays (postings, ``alive``)."""
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
    """Bit mask of the question types the fact can satisfy (``TYPE_BITS``)."""

    def vocabulary(self) -> set[int]:
        """Ids of every term the fact uses anywhere."""
        vocabulary = set(self.terms)
        vocabulary.discard(-1)
        return vocabulary

    def texts(self) -> np.ndarray:
        return np.frombuffer(self.terms, dtype=np.int32, offset=4 * self.extra_size)

    def example_texts(self) -> list[str]:
        return self.examples.split("\n") if self.example_count else []


class FactIndex:
    """The facts a matcher scores, by slot; see the module docstring.

    ``facts`` is read twice (typo repair needs every word before any fact is
    analysed): pass a re-iterable. The analyser's vocabulary grows with the facts.
    """

    def __init__(self, facts: Iterable[Fact], analyser: Analyser, encoder: Encoder) -> None:
        self.analyser = analyser
        self.encoder = encoder
        self._answerable_by_pattern = answerable_patterns(analyser.lexicon)
        self.facts: dict[int, IndexedFact] = {}
        self.by_slot: list[IndexedFact | None] = []
        self.alive = bytearray()
        self.answerable = bytearray()
        self.term_ids: dict[str, int] = {}
        self.term_names: list[str] = []
        self.weights_by_id = array("d")
        """The weight each term had in the last text indexed that used it."""
        self.postings: list[array[int]] = []
        self.fact_counts = array("i")
        """How many live facts use each term."""
        self._text_weights: np.ndarray | None = None
        self.vectors = np.zeros((64, DIMENSIONS), dtype=np.float32)
        """Each slot's semantic vector; grown by doubling."""
        self.analyser.extend_vocabulary(words_of(facts))
        for chunk in _chunks(facts, ENCODE_CHUNK):
            for fact, vector in zip(chunk, self.encoder.fact_vectors(chunk), strict=True):
                self._index(fact, vector)

    def __len__(self) -> int:
        return len(self.facts)

    def __getstate__(self) -> dict[str, object]:
        """What a saved index holds (``knowledge.index_cache``): each object once,
        without the views rebuilt from it on loading."""
        state = dict(self.__dict__)
        del state["by_slot"], state["term_names"], state["encoder"]
        state["_text_weights"] = None
        state["vectors"] = self.vectors[: len(self.alive)]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.by_slot = [None] * len(self.alive)
        for indexed in self.facts.values():
            self.by_slot[indexed.slot] = indexed
        self.term_names = list(self.term_ids)  # ids were given in insertion order

    def upsert(self, fact: Fact) -> None:
        """Add or replace one fact."""
        self.upsert_all([fact])

    def upsert_all(self, facts: Sequence[Fact]) -> None:
        """Add or replace ``facts``, extending the vocabulary once: extending it
        sorts it, so once a fact would make a big import quadratic."""
        for fact in facts:
            self.remove(fact.id)
        self.analyser.extend_vocabulary(words_of(facts))
        for fact, vector in zip(facts, self.encoder.fact_vectors(facts), strict=True):
            self._index(fact, vector)

    def remove(self, fact_id: int) -> None:
        indexed = self.facts.pop(fact_id, None)
        if indexed is None:
            return
        self._text_weights = None
        # The slot stays in the postings, masked as dead, so removal costs
        # nothing per posting; ``_compact`` reclaims dead slots when they pile up.
        self.alive[indexed.slot] = 0
        self.by_slot[indexed.slot] = None
        for term_id in indexed.vocabulary():
            self.fact_counts[term_id] -= 1
        if len(self.by_slot) > 2 * len(self.facts) + 64:
            self._compact()

    def fact_at(self, slot: int) -> IndexedFact:
        indexed = self.by_slot[slot]
        assert indexed is not None, "a dead slot is never a candidate"
        return indexed

    def live_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """Every slot's vector, and one flag a slot: is its fact alive?"""
        size = len(self.by_slot)
        return self.vectors[:size], np.frombuffer(self.alive, dtype=np.uint8) == 1

    def text_weight_table(self) -> np.ndarray:
        """Each term id's weight in a fact's text (``weigh``), and a 0 last.

        Rebuilt, in one vectorised pass, after a fact changes: specificity moves
        with the facts.
        """
        if self._text_weights is None:
            counts = np.maximum(np.frombuffer(self.fact_counts, dtype=np.int32), 1)
            specificity = 0.3 + 0.7 * (1 - np.log(counts) / math.log(max(len(self.facts), 2)))
            table = np.zeros(len(counts) + 1)
            table[:-1] = specificity * np.frombuffer(self.weights_by_id, dtype=np.float64)
            self._text_weights = table
        return self._text_weights

    def weigh(self, term: str, weight: float) -> float:
        """A question term's closeness weight: its weight in the facts, by its specificity."""
        term_id = self.term_ids.get(term)
        known = weight if term_id is None else self.weights_by_id[term_id]
        return self._specificity(term) * known

    def _specificity(self, term: str) -> float:
        """1 for a term in one fact, falling towards 0.3 for a term in every fact."""
        term_id = self.term_ids.get(term)
        count = (self.fact_counts[term_id] if term_id is not None else 0) or 1
        total = max(len(self.facts), 2)
        return 0.3 + 0.7 * (1 - math.log(count) / math.log(total))

    def _term_id(self, term: str) -> int:
        term_id = self.term_ids.get(term)
        if term_id is None:
            term_id = self.term_ids[term] = len(self.postings)
            self.term_names.append(term)
            self.postings.append(array("i"))
            self.fact_counts.append(0)
            self.weights_by_id.append(0.0)
        return term_id

    def _index(self, fact: Fact, vector: np.ndarray) -> None:
        """Index ``fact`` with its semantic ``vector``."""
        self._text_weights = None
        analysed = [
            self.analyser.analyse(text)
            for text in (fact.answer, " ".join(fact.keywords), *fact.question_texts)
        ]
        quote = self.analyser.analyse(fact.quote)
        for analysis in (*analysed, quote):
            for term, weight in analysis.weights.items():
                self.weights_by_id[self._term_id(term)] = weight
        vocabulary = {self.term_ids[term] for a in (*analysed, quote) for term in a.weights}
        vocabulary.update(
            self._term_id(SAYS_WHAT_IT_IS + term) for term in self._terms_it_says_what_is(fact)
        )
        # Keywords count for coverage, not closeness: a bag of every keyword
        # would look like a perfect example question for many questions.
        texts = array("i")
        text_count = 0
        for analysis in analysed[:1] + analysed[2:]:
            if analysis.weights:
                texts.extend(self.term_ids[term] for term in analysis.weights)
                texts.append(-1)
                text_count += 1
        if not text_count:
            texts.append(-1)  # one empty text, so that every fact has one
        claim = f"{_ATTRIBUTION.sub(' ', fact.answer)} {fact.quote}"
        answerable = answerable_bits(self._answerable_by_pattern, claim)
        slot = len(self.by_slot)
        self._store_vector(slot, vector)
        extra = array("i", sorted(vocabulary.difference(texts)))
        # The example questions' surface forms are their analyses' texts.
        examples = [analysis.text for analysis in analysed[2:]]
        indexed = IndexedFact(
            fact_id=fact.id,
            slot=slot,
            terms=extra + texts,
            extra_size=len(extra),
            text_count=max(text_count, 1),
            examples="\n".join(examples),
            example_count=len(examples),
            answerable=answerable,
        )
        self.facts[fact.id] = indexed
        self.by_slot.append(indexed)
        self.alive.append(1)
        self.answerable.append(answerable)
        for term_id in sorted(vocabulary):
            self.postings[term_id].append(slot)
            self.fact_counts[term_id] += 1

    def _store_vector(self, slot: int, vector: np.ndarray) -> None:
        if slot >= len(self.vectors):
            grown = np.zeros((max(2 * len(self.vectors), slot + 1), DIMENSIONS), np.float32)
            grown[: len(self.vectors)] = self.vectors
            self.vectors = grown
        self.vectors[slot] = vector

    def _terms_it_says_what_is(self, fact: Fact) -> set[str]:
        passages = passages_saying_what_it_is(fact.answer)
        return with_family(
            {term for passage in passages for term in self.analyser.analyse(passage).weights}
        )

    def _compact(self) -> None:
        """Renumber the live facts' slots and rebuild the postings without the dead ones."""
        live = [indexed for indexed in self.by_slot if indexed is not None]
        self.vectors = self.vectors[[indexed.slot for indexed in live]]
        self.by_slot = []
        self.alive = bytearray(len(live))
        self.answerable = bytearray()
        self.postings = [array("i") for _ in self.postings]
        for slot, indexed in enumerate(live):
            moved = replace(indexed, slot=slot)
            self.facts[moved.fact_id] = moved
            self.by_slot.append(moved)
            self.alive[slot] = 1
            self.answerable.append(moved.answerable)
            for term_id in sorted(moved.vocabulary()):
                self.postings[term_id].append(slot)


def _chunks(facts: Iterable[Fact], size: int) -> Iterator[list[Fact]]:
    """``facts`` in lists of ``size`` (the last shorter), read as they come."""
    iterator = iter(facts)
    while chunk := list(islice(iterator, size)):
        yield chunk


def words_of(facts: Iterable[Fact]) -> set[str]:
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
