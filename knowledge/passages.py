"""Passages of the registered documents that may answer a question no fact answers.

Each source's text is cut into passages (``knowledge.paragraphs``); each passage
is analysed as a fact's texts are (``knowledge.analysis``: stems, synonyms,
typo repair against the documents' own words) and given a sentence embedding
(``knowledge.semantic``). A question is scored against every passage by

* **coverage**: the share of the question's weighted content terms the passage
  holds, each term's weight (rarity in English) times its specificity among the
  passages, so "PCS", in every circular, counts for less than "redundancies";
* **similarity**: the cosine of the question's and the passage's embeddings;

each over the readings the matcher scores (the question whole, the first of
two questions, the sentence that asks), after the matcher's vetoes: a passage
lacking a number or the focus of the question ("Khakhria's *phone*"), or that
cannot answer its type ("how much" needs a figure, "when" a date), is not a
candidate. Only passages over ``PASSAGE_THRESHOLD`` are returned: a passage
shown to a member must be likely to say the answer, since no rep checked it.

A hit's text is the source's own, character for character; it may hold
``@everyone`` or Markdown, and making it harmless in Discord is the
renderer's job, as for every text the bot echoes.

Usage::

    index = PassageIndex.build([("steria-article-2013", text), ...])
    for hit in index.search("how big is the government's stake in SSCL?"):
        print(hit.source_key, hit.paragraph, hit.text)
    index.update("steria-article-2013", new_text)
    index.remove("steria-article-2013")
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from knowledge.analysis import Analyser, Analysis, cleaned
from knowledge.lexicon import Lexicon, default_lexicon
from knowledge.matcher.index import answerable_bits, answerable_patterns, required_bits
from knowledge.matcher.lexical import says_enough
from knowledge.matcher.readings import readings
from knowledge.paragraphs import Passage, split_passages
from knowledge.semantic import DIMENSIONS, Encoder, default_encoder

COVERAGE_SHARE = 0.6
"""Of the score, coverage's share; similarity has the rest."""
MIN_COVERAGE = 0.5
"""A passage holding less than this share of the question's weighted terms is
not about what was asked, however close in meaning."""
PASSAGE_THRESHOLD = 45.0
"""The 0-100 score a passage needs to be shown (benchmarks/README.md, "Passages")."""
CANDIDATES = 64
"""The passages of best coverage whose similarity is computed: the embedding
is a tie-breaker among passages about the question, not a way to find them."""
MIN_SPECIFICITY = 0.3
"""The specificity of a term in every passage; one in a single passage has 1."""
_BATCH = 1_024


@dataclass(frozen=True, slots=True)
class PassageHit:
    """A passage found for a question, with how well it scored (0-100)."""

    passage: Passage
    score: float
    coverage: float
    """Share (0-1) of the question's weighted terms that the passage holds."""
    similarity: float
    """Cosine (-1 to 1) of the question's and the passage's embeddings."""

    @property
    def source_key(self) -> str:
        return self.passage.source_key

    @property
    def text(self) -> str:
        return self.passage.text

    @property
    def paragraph(self) -> int:
        return self.passage.paragraph

    @property
    def start(self) -> int:
        return self.passage.start


class PassageIndex:
    """Every registered source's passages, their terms and embeddings, by slot.

    A source is added or replaced with ``update`` and dropped with ``remove``;
    slots of removed passages are reclaimed once they outnumber the live ones.
    """

    def __init__(self, lexicon: Lexicon | None = None, encoder: Encoder | None = None) -> None:
        self._analyser = Analyser(lexicon or default_lexicon())
        self._encoder = encoder or default_encoder()
        self._answerable = answerable_patterns(self._analyser.lexicon)
        self._passages: list[Passage | None] = []
        self._slots_by_source: dict[str, list[int]] = {}
        self._term_ids: dict[str, int] = {}
        self._postings: list[array[int]] = []
        self._alive = bytearray()
        self._types = bytearray()
        self._vectors = np.zeros((0, DIMENSIONS), np.float16)
        """Half precision: 256 bytes a passage, and similarity is only a tie-breaker."""
        self._live = 0

    @classmethod
    def build(
        cls,
        sources: Iterable[tuple[str, str]],
        lexicon: Lexicon | None = None,
        encoder: Encoder | None = None,
    ) -> PassageIndex:
        """An index of the passages of each ``(source_key, text)``."""
        index = cls(lexicon, encoder)
        index._add([passage for key, text in sources for passage in split_passages(key, text)])
        return index

    def __len__(self) -> int:
        """The number of live passages."""
        return self._live

    def __getstate__(self) -> dict[str, object]:
        """What a saved index holds: building one over many documents takes minutes
        (``benchmarks.passages``), loading it does not. The encoder is left out:
        its table is the package's own, and the default one serves on loading."""
        state = dict(self.__dict__)
        del state["_encoder"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._encoder = default_encoder()

    def update(self, source_key: str, text: str) -> None:
        """Index the source's (new) text in place of what it had."""
        self.remove(source_key)
        self._add(split_passages(source_key, text))

    def remove(self, source_key: str) -> None:
        """Forget the source's passages (nothing happens for an unknown key)."""
        for slot in self._slots_by_source.pop(source_key, []):
            self._passages[slot] = None
            self._alive[slot] = 0
            self._live -= 1
        if len(self._passages) - self._live > max(self._live, _BATCH):
            self._compact()

    def search(self, question: str, limit: int = 2) -> list[PassageHit]:
        """At most ``limit`` passages likely to answer the question, best first;
        none when the question has no content or no passage is good enough."""
        hits = self.scored(question, max(limit, 0))
        return [hit for hit in hits if hit.score >= PASSAGE_THRESHOLD]

    def scored(self, question: str, limit: int) -> list[PassageHit]:
        """The ``limit`` best passages escaping the vetoes, with their scores, whatever
        they are, over the readings of the question the matcher scores (whole, first
        part of two questions, the sentence that asks)."""
        best: dict[tuple[str, int], PassageHit] = {}
        for reading in readings(question):
            for hit in self._scored_reading(reading, limit):
                key = hit.source_key, hit.start
                if key not in best or hit.score > best[key].score:
                    best[key] = hit
        return sorted(best.values(), key=lambda hit: -hit.score)[:limit]

    def _scored_reading(self, question: str, limit: int) -> list[PassageHit]:
        analysis = self._analyser.analyse(question)
        if limit == 0 or not self._live or not says_enough(analysis):
            return []
        coverage = self._coverage(analysis)
        if coverage is None:
            return []
        slots = np.flatnonzero(coverage >= MIN_COVERAGE)
        if len(slots) > CANDIDATES:
            slots = slots[np.argsort(-coverage[slots], kind="stable")[:CANDIDATES]]
        if not len(slots):
            return []
        question_vector = self._encoder.encode([question])[0]
        similarity = self._vectors[slots].astype(np.float32) @ question_vector
        scores = 100.0 * (
            COVERAGE_SHARE * coverage[slots] + (1 - COVERAGE_SHARE) * np.maximum(similarity, 0.0)
        )
        order = np.argsort(-scores, kind="stable")[:limit]
        hits = []
        for position in order:
            passage = self._passages[slots[position]]
            assert passage is not None  # only live slots have coverage
            hits.append(
                PassageHit(
                    passage,
                    float(scores[position]),
                    float(coverage[slots[position]]),
                    float(similarity[position]),
                )
            )
        return hits

    def _coverage(self, analysis: Analysis) -> np.ndarray | None:
        """Each slot's covered share of the question's weight (0 for a vetoed
        slot), or None when every passage is vetoed."""
        needed_mask = required_bits(analysis.question_types)
        if needed_mask is None:
            return None
        size = len(self._passages)
        alive = np.frombuffer(self._alive, dtype=np.uint8).astype(bool)
        covered = np.zeros(size)
        eligible = alive.copy()
        total = 0.0
        for term, weight in analysis.weights.items():
            term_id = self._term_ids.get(term)
            postings = (
                np.frombuffer(self._postings[term_id], dtype=np.int32)
                if term_id is not None
                else np.zeros(0, np.int32)
            )
            postings = postings[alive[postings]]
            if term in analysis.numbers or term in analysis.focus:
                if not len(postings):
                    return None
                has_term = np.zeros(size, bool)
                has_term[postings] = True
                eligible &= has_term
            weight *= self._specificity(len(postings))
            total += weight
            covered[postings] += weight
        if needed_mask:
            types = np.frombuffer(self._types, dtype=np.uint8)
            eligible &= (types & needed_mask) == needed_mask
        coverage: np.ndarray = np.where(eligible, covered / max(total, 1e-9), 0.0)
        return coverage

    def _specificity(self, count: int) -> float:
        """1 for a term in at most one passage, falling to ``MIN_SPECIFICITY``
        for one in every passage; a term in none is as specific as can be."""
        if count <= 1 or self._live <= 1:
            return 1.0
        return MIN_SPECIFICITY + (1 - MIN_SPECIFICITY) * (
            1 - math.log(count) / math.log(self._live)
        )

    def _add(self, passages: list[Passage]) -> None:
        # The documents' words are what a question's typos are repaired to, and
        # a passage's own words, being known, are never "repaired".
        self._analyser.extend_vocabulary(
            {word for passage in passages for word in cleaned(passage.text).split()}
        )
        first = len(self._passages)
        self._grow_vectors(first + len(passages))
        for start in range(0, len(passages), _BATCH):
            batch = passages[start : start + _BATCH]
            vectors = self._encoder.encode([passage.text for passage in batch])
            self._vectors[first + start : first + start + len(batch)] = vectors
        for passage in passages:
            slot = len(self._passages)
            self._passages.append(passage)
            self._slots_by_source.setdefault(passage.source_key, []).append(slot)
            self._alive.append(1)
            self._types.append(answerable_bits(self._answerable, passage.text))
            for term in self._analyser.analyse(passage.text).weights:
                term_id = self._term_ids.setdefault(term, len(self._postings))
                if term_id == len(self._postings):
                    self._postings.append(array("i"))
                self._postings[term_id].append(slot)
        self._live += len(passages)

    def _grow_vectors(self, size: int) -> None:
        if size > len(self._vectors):
            grown = np.zeros((max(size, 2 * len(self._vectors)), DIMENSIONS), np.float16)
            grown[: len(self._vectors)] = self._vectors
            self._vectors = grown

    def _compact(self) -> None:
        """Renumber the live passages' slots and drop the dead ones from the postings."""
        alive = np.frombuffer(self._alive, dtype=np.uint8).astype(bool)
        kept = np.flatnonzero(alive)
        new_slot = np.cumsum(alive, dtype=np.int32) - 1
        self._vectors = self._vectors[kept]
        self._passages = [self._passages[slot] for slot in kept]
        self._types = bytearray(np.frombuffer(self._types, dtype=np.uint8)[kept].tobytes())
        self._alive = bytearray(b"\x01" * len(kept))
        for term_id, postings in enumerate(self._postings):
            slots = np.frombuffer(postings, dtype=np.int32)
            self._postings[term_id] = array("i", new_slot[slots[alive[slots]]].tobytes())
        self._slots_by_source = {}
        for slot, passage in enumerate(self._passages):
            assert passage is not None  # only live passages were kept
            self._slots_by_source.setdefault(passage.source_key, []).append(slot)
