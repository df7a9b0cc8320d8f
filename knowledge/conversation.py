"""Small talk: tell "hello", "thanks" or "are you a bot?" from a question.

>>> classify("hiya, thx!")
<ConversationKind.THANKS: 'thanks'>
>>> classify("hi, who owns sscl?") is None
True

A message is small talk only when, once its phrases (``knowledge/data/conversation.toml``)
are taken out, nothing but filler, punctuation and emoji is left; so a question
that starts with a greeting still reaches the matcher.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.lexicon import default_lexicon
from knowledge.models import ConversationKind
from knowledge.text import MENTION, URL, fold

DATA_FILE = "conversation.toml"
MIN_REPAIR_LENGTH = 4
"""Shorter words are not typo-repaired: "hi" and "ta" are one letter from too much."""
MAX_TYPOS = 2
"""More words than this outside the phrases and filler and it is no small talk,
whatever they are typos of: it bounds the fuzzy look-ups a real question costs
(classifying took 150 µs a curated question with no bound, 25 µs with it)."""

_DISCORD_TOKENS = re.compile(MENTION + r"|<a?:\w+:\d+>", re.I)
"""Mentions and custom emoji: addressing someone or an emoji is not substance."""
_APOSTROPHES = re.compile(r"['\u2018\u2019\u201b\u2032`]")
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")
"""A run of letters or digits, or one symbol (punctuation, an emoji)."""
_STRETCH = re.compile(r"(\w)\1{2,}")
_DOUBLE = re.compile(r"(\w)\1+")
_LAUGHTER = re.compile(r"(?:a?ha){2,}h?|(?:he){2,}|l+o+l+(?:o+l+)*|lmf?a+o+|x+d+")
""""hahaha", "lolol", "xDDD", however long: a reaction, like "lol"."""


@dataclass(frozen=True, slots=True)
class Phrasebook:
    """The small-talk data, its phrases read as messages are read (``_tokens``)."""

    phrases: dict[tuple[str, ...], ConversationKind]
    filler: frozenset[str]
    respellings: dict[str, tuple[str, ...]]
    priority: tuple[ConversationKind, ...]
    """Kinds in the order the data file lists them: the first found wins."""
    replies: dict[ConversationKind, str]
    how_to_ask: str
    example_question: str
    vocabulary: frozenset[str]
    """Every word of the phrases and filler."""
    repair_targets: tuple[str, ...]
    """The vocabulary's words long enough to repair a typo to."""
    longest_phrase: int


@cache
def phrasebook() -> Phrasebook:
    """The data shipped in ``knowledge/data/conversation.toml`` (read once per process)."""
    with resources.files("knowledge.data").joinpath(DATA_FILE).open("rb") as file:
        data = tomllib.load(file)
    respellings = {word: tuple(words.split()) for word, words in data["respellings"].items()}
    respellings.update(
        (word, tuple(words.split())) for word, words in default_lexicon().contractions.items()
    )
    priority = tuple(ConversationKind(kind) for kind in data["kinds"])
    phrases: dict[tuple[str, ...], ConversationKind] = {}
    for kind in reversed(priority):  # a phrase listed under two kinds keeps the first
        for phrase in data["kinds"][kind.value]:
            phrases[_respelled(_tokens(phrase), respellings)] = kind
    filler = frozenset(data["filler"])
    vocabulary = frozenset(word for phrase in phrases for word in phrase) | filler
    return Phrasebook(
        phrases=phrases,
        filler=filler,
        respellings=respellings,
        priority=priority,
        replies={ConversationKind(kind): text for kind, text in data["replies"].items()},
        how_to_ask=data["how_to_ask"]["text"],
        example_question=data["how_to_ask"]["example"],
        vocabulary=vocabulary,
        repair_targets=tuple(sorted(w for w in vocabulary if len(w) >= MIN_REPAIR_LENGTH)),
        longest_phrase=max(len(phrase) for phrase in phrases),
    )


def classify(message: str) -> ConversationKind | None:
    """The kind of small talk ``message`` is, or None when it is (or may be) a question.

    None also when nothing conversational is in it at all ("?", "👀"), and for a
    link, which is something to look at.
    """
    if URL.search(message):
        return None
    book = phrasebook()
    tokens = [_unstretched(token, book) for token in _tokens(message)]
    unknown = [token for token in tokens if _needs_repair(token, book)]
    if len(unknown) > MAX_TYPOS:
        return None
    repairs = {token: _repaired(token, book) for token in unknown}
    words = _respelled([repairs.get(token, token) for token in tokens], book.respellings)
    found: set[ConversationKind] = set()
    position = 0
    while position < len(words):
        for length in range(min(book.longest_phrase, len(words) - position), 0, -1):
            kind = book.phrases.get(words[position : position + length])
            if kind is not None:
                found.add(kind)
                position += length
                break
        else:
            word = words[position]
            if _LAUGHTER.fullmatch(word):
                found.add(ConversationKind.FEEDBACK)
            elif not _is_filler(word, book):
                return None  # something of substance: a question, or at least not small talk
            position += 1
    return next((kind for kind in book.priority if kind in found), None)


def friendly_reply(kind: ConversationKind) -> str:
    """A short reply to small talk of ``kind`` that says how to ask, with an example."""
    book = phrasebook()
    how_to_ask = book.how_to_ask.format(example=book.example_question)
    return f"{book.replies[kind]} {how_to_ask}"


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(_APOSTROPHES.sub("", fold(_DISCORD_TOKENS.sub(" ", text))))


def _respelled(tokens: list[str], respellings: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(word for token in tokens for word in respellings.get(token, (token,)))


def _unstretched(token: str, book: Phrasebook) -> str:
    """``token``, or the vocabulary word it is a stretched form of ("hiii", "thankss")."""
    if token in book.vocabulary or not token.isalpha():
        return token
    for shorter in (_STRETCH.sub(r"\1\1", token), _DOUBLE.sub(r"\1", token)):
        if shorter in book.vocabulary:
            return shorter
    return token


def _needs_repair(token: str, book: Phrasebook) -> bool:
    """A word that is neither ours nor a symbol: a typo of ours, or substance."""
    known = token in book.vocabulary or token in book.respellings or _LAUGHTER.fullmatch(token)
    return not known and any(char.isalnum() for char in token)


def _repaired(token: str, book: Phrasebook) -> str:
    """The vocabulary word ``token`` is one typo away from, else ``token``."""
    if len(token) < MIN_REPAIR_LENGTH or not token.isalpha():
        return token
    candidates = process.extract(
        token, book.repair_targets, scorer=OSA.distance, score_cutoff=1, limit=2
    )
    # Only an unambiguous repair: "thnaks" is "thanks", but a word one letter
    # from two of ours could be either, or neither.
    return candidates[0][0] if len(candidates) == 1 else token


def _is_filler(word: str, book: Phrasebook) -> bool:
    # punctuation or an emoji carries nothing either
    return word in book.filler or not any(char.isalnum() for char in word)
