"""Turn a question or a fact's text into weighted content terms.

The pipeline: clean (``knowledge.text``), drop chat filler, repair typos
against the knowledge base's own vocabulary, read number words as digits,
stem (so inflections meet), then apply the synonym phrase rules so every
way of naming a thing becomes one canonical term. Each term is weighed by
how rare its word is in general English (wordfreq): "the" weighs almost
nothing, "Serco" a lot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge import frequencies
from knowledge.frequencies import word_zipf
from knowledge.lexicon import Lexicon
from knowledge.text import MAX_QUESTION_CHARS, clean, fold

_remembered_clean = lru_cache(maxsize=4_096)(clean)


def cleaned(text: str) -> str:
    """``clean(text)``, remembered: indexing cleans each text twice (for the
    vocabulary, then to analyse it), and the curated facts fit in the cache.
    ``clean`` reads only the first ``MAX_QUESTION_CHARS``, so only those are kept."""
    return _remembered_clean(text[:MAX_QUESTION_CHARS])


# Weight of a term = WEIGHT_CEILING - its Zipf frequency in English, clipped to
# [MIN_WEIGHT, MAX_WEIGHT]. Zipf 7+ is "the"; 3 is a rare word; 0 unknown.
WEIGHT_CEILING = 6.5
MIN_WEIGHT = 0.1
MAX_WEIGHT = 4.0
NUMBER_WEIGHT = 3.0

# Typo repair: a word outside the vocabulary is repaired when it is not an
# English word (Zipf below REAL_WORD_ZIPF), or when it is a rare one and a
# vocabulary word one edit away is much more common (e.g. "kelley" -> "kelly").
REAL_WORD_ZIPF = 3.0
RARE_WORD_REPAIR_MARGIN = 1.0
MIN_REPAIR_LENGTH = 3

# The words naming what a question is about: after a possessive ("Khakhria's
# phone number"), after "which"/"what" used as a determiner ("which payroll
# system"), and X in "who is the X of". A fact that never mentions them cannot
# answer, however much else it shares with the question.
_HEAD_PATTERNS = (
    re.compile(
        r"\b(?!(?:what|that|it|who|where|there|here|he|she|how|when|why|let|this)['\u2019]s)"
        r"\w+['\u2019]s\s+(\w+)(?:\s+(\w+))?"
    ),
    re.compile(r"\b(?:which|what)\s+(\w+)(?:\s+(\w+))?"),
    re.compile(r"\b(?:who|what)\s+(?:is|was|are|were)\s+the\s+(\w+)\s+(?:of|for|at)\b"),
    # "who is the dsg group secretary": the role, ending the question
    re.compile(r"\bwho\s+(?:is|was|are|were)\s+(?:the|their|our)\s+(?:[\w-]+\s+){0,4}?(\w+)\W*$"),
)
_DIGITS = re.compile(r"^\d+$")
HEAD_MAX_ZIPF = 6.0
"""Words this common ("i", "they", "so", "when", "go") are grammar, not what a question is about."""


def _join_spelt_letters(words: list[str]) -> list[str]:
    """'d b s' is 'dbs'; a lone letter other than 'a' and 'i' says nothing and is dropped."""
    joined: list[str] = []
    letters: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha() and word not in ("a", "i"):
            letters.append(word)
            continue
        if len(letters) > 1:
            joined.append("".join(letters))
        letters = []
        if word:
            joined.append(word)
    return joined


def _heads_of(words: tuple[str | None, ...], not_a_head: frozenset[str]) -> list[str]:
    """The head words of one pattern match: a word after one that is grammar
    ("what can *i*", "what i *actually*") is not what the question is about."""
    heads: list[str] = []
    for word in words:
        if not word or not _can_be_head(word, not_a_head):
            break
        heads.append(word)
    return heads


def _can_be_head(word: str, not_a_head: frozenset[str]) -> bool:
    return len(word) > 1 and word not in not_a_head and word_zipf(word) < HEAD_MAX_ZIPF


@dataclass(frozen=True, slots=True)
class Analysis:
    """A text reduced to what matching needs."""

    terms: tuple[str, ...]
    """Content terms in order (stems or canonical synonyms), filler removed."""
    weights: dict[str, float]
    """Weight of each distinct term."""
    question_types: frozenset[str]
    """What kind of answer the text asks for (quantity, time, place, person, reason,
    definition)."""
    focus: frozenset[str] = frozenset()
    """Terms naming what the question is about; a fact must cover them to answer."""
    text: str = ""
    """The cleaned text with typos repaired, for plain string similarity."""

    @property
    def numbers(self) -> frozenset[str]:
        return frozenset(term for term in self.terms if _DIGITS.match(term))

    @property
    def total_weight(self) -> float:
        return sum(self.weights.values())


def _allowed_edits(word: str) -> int:
    """One slip in a short or middling word, two in a long one."""
    return 1 if len(word) < 8 else 2


def word_weight(word: str) -> float:
    if _DIGITS.match(word):
        return NUMBER_WEIGHT
    return min(MAX_WEIGHT, max(MIN_WEIGHT, WEIGHT_CEILING - word_zipf(word)))


class Analyser:
    """Analyses text against a lexicon and a vocabulary of known words.

    >>> from knowledge.lexicon import default_lexicon
    >>> analyser = Analyser(default_lexicon(), vocabulary=["steria", "contract"])
    >>> analyser.analyse("whats the steira contrat worth").terms
    ('steria', 'contract', 'worth')
    """

    def __init__(self, lexicon: Lexicon, vocabulary: Iterable[str] = ()) -> None:
        self._lexicon = lexicon
        self._frequencies = frequencies.english()
        """Held so that a saved index carries them (``__setstate__``)."""
        self._stemmer = snowballstemmer.stemmer("english")
        self._phrases: dict[tuple[str, ...], str] = {}
        phrase_words: set[str] = set()
        for canonical, variants in lexicon.synonyms.items():
            for variant in variants:
                words = clean(variant).split()
                phrase_words.update(words)
                # Read as a question is read: its filler dropped ("ministry of
                # defence" is met as "ministry defence"), number words as digits.
                key = tuple(
                    self._stem(lexicon.number_words.get(word, word))
                    for word in words
                    if word not in lexicon.filler
                )
                if key:
                    self._phrases[key] = canonical
        self._longest_phrase_words = max(map(len, self._phrases), default=0)
        self._question_patterns = {
            kind: re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b")
            for kind, phrases in lexicon.question_types.items()
        }
        self._vocabulary: set[str] = (
            set(phrase_words) | set(lexicon.number_words) | set(lexicon.filler)
        )
        self._vocabulary_list: list[str] = []
        self._vocabulary_by_length: dict[tuple[int, int], list[str]] = {}
        self.extend_vocabulary(vocabulary)

    @property
    def lexicon(self) -> Lexicon:
        return self._lexicon

    def __getstate__(self) -> dict[str, object]:
        """What a saved index holds: each object once, without the sorted views of
        the vocabulary, rebuilt on loading."""
        state = dict(self.__dict__)
        del state["_vocabulary_list"], state["_vocabulary_by_length"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        # Read back from a saved index: its word frequencies serve this process,
        # which then need not import wordfreq.
        self.__dict__.update(state)
        self._vocabulary_list = sorted(self._vocabulary)
        self._vocabulary_by_length = {}
        frequencies.use(self._frequencies)

    def extend_vocabulary(self, words: Iterable[str]) -> None:
        """Add known-good words (from the knowledge base) that typos are repaired to."""
        self._vocabulary.update(word for word in words if not _DIGITS.match(word))
        self._vocabulary_list = sorted(self._vocabulary)
        self._vocabulary_by_length.clear()
        self._repair_unknown.cache_clear()

    def surface(self, text: str) -> str:
        """The cleaned text with contractions spelled out, letters typed one by one
        joined, and typos repaired."""
        contractions = self._lexicon.contractions
        words = " ".join(contractions.get(word, word) for word in cleaned(text).split())
        return " ".join(self._repair(word) for word in _join_spelt_letters(words.split()))

    def analyse(self, text: str) -> Analysis:
        words = self.surface(text).split()
        question_types = self._question_types(" ".join(words))
        head_words = self._head_words(text)
        stems: list[str] = []
        surface: list[str] = []
        for word in words:
            if word in self._lexicon.filler and word not in head_words:
                continue
            word = self._lexicon.number_words.get(word, word)
            surface.append(word)
            stems.append(self._stem(word))
        terms: list[str] = []
        weights: dict[str, float] = {}
        focus: set[str] = set()
        index = 0
        while index < len(stems):
            canonical, length = self._longest_phrase(stems, index)
            length = max(length, 1)
            if canonical is None:
                term, weight = stems[index], word_weight(surface[index])
            else:
                term, weight = canonical, word_weight(canonical)
            if head_words.intersection(surface[index : index + length]):
                focus.add(term)
            index += length
            terms.append(term)
            weights[term] = max(weight, weights.get(term, 0.0))
        return Analysis(tuple(terms), weights, question_types, frozenset(focus), " ".join(words))

    def _head_words(self, text: str) -> frozenset[str]:
        text = text[:MAX_QUESTION_CHARS]
        # ``fold`` of ASCII text is its lower case; skipping its per-character
        # accent stripping saves a slow pass over every text indexed.
        folded = text.lower() if text.isascii() else fold(text)
        heads: set[str] = set()
        for pattern in _HEAD_PATTERNS:
            for match in pattern.finditer(folded):
                heads.update(_heads_of(match.groups(), self._lexicon.not_a_head))
        return frozenset(self._repair(word) for word in heads)

    def _longest_phrase(self, stems: list[str], start: int) -> tuple[str | None, int]:
        for length in range(min(self._longest_phrase_words, len(stems) - start), 0, -1):
            canonical = self._phrases.get(tuple(stems[start : start + length]))
            if canonical is not None:
                return canonical, length
        return None, 0

    def _question_types(self, text: str) -> frozenset[str]:
        return frozenset(
            kind for kind, pattern in self._question_patterns.items() if pattern.search(text)
        )

    @lru_cache(maxsize=16_384)  # noqa: B019 - the analyser lives as long as its matcher
    def _stem(self, word: str) -> str:
        return str(self._stemmer.stemWord(word))

    def _repair(self, word: str) -> str:
        """Return the vocabulary word ``word`` is a typo of, or ``word`` itself."""
        if (
            word in self._vocabulary
            or word in self._lexicon.filler
            or len(word) < MIN_REPAIR_LENGTH
            or _DIGITS.match(word)
        ):
            return word
        return self._repair_unknown(word)

    def _words_of_length(self, shortest: int, longest: int) -> list[str]:
        """The vocabulary words of these lengths, in the vocabulary's (sorted) order.

        A word more than k letters longer or shorter is more than k edits away, so
        searching only these finds the same words, in the same order, several times faster.
        """
        words = self._vocabulary_by_length.get((shortest, longest))
        if words is None:
            words = [w for w in self._vocabulary_list if shortest <= len(w) <= longest]
            self._vocabulary_by_length[shortest, longest] = words
        return words

    @lru_cache(maxsize=16_384)  # noqa: B019 - the analyser lives as long as its matcher
    def _repair_unknown(self, word: str) -> str:
        zipf = word_zipf(word)
        edits = _allowed_edits(word)
        found = process.extract(
            word,
            self._words_of_length(len(word) - edits, len(word) + edits),
            scorer=OSA.distance,
            score_cutoff=edits,
            limit=8,
        )
        if not found:
            return word
        best_distance = min(distance for _, distance, _ in found)
        closest = [candidate for candidate, distance, _ in found if distance == best_distance]
        if len(word) <= 4:
            closest = [candidate for candidate in closest if candidate[0] == word[0]]
        if not closest:
            return word
        candidate = max(closest, key=word_zipf)
        if zipf < REAL_WORD_ZIPF:
            return candidate
        if best_distance == 1 and word_zipf(candidate) >= zipf + RARE_WORD_REPAIR_MARGIN:
            return candidate
        return word
