"""The language data the analyser uses: synonyms, filler, question words, numbers.

All of it lives in TOML files under ``knowledge/data`` so a rep can extend it
by pull request without touching code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Phrase rules and word lists, as written in the data files."""

    synonyms: dict[str, tuple[str, ...]]
    """Canonical token -> the words or phrases that mean it."""
    filler: frozenset[str]
    question_types: dict[str, tuple[str, ...]]
    """Question type (quantity, time, place, person, reason, definition) -> its phrases."""
    number_words: dict[str, str]
    contractions: dict[str, str]
    """A contraction typed without its apostrophe ("whos") -> the words it stands for."""
    not_a_head: frozenset[str]
    """Words that cannot be what a question is about ("what *kind* of")."""
    answer_words: dict[str, tuple[str, ...]]
    """Question type -> words in a fact showing it can answer that type."""


def _read_data(name: str) -> dict[str, object]:
    with resources.files("knowledge.data").joinpath(name).open("rb") as file:
        return tomllib.load(file)


@cache
def default_lexicon() -> Lexicon:
    """The lexicon shipped with the project (read once per process)."""
    synonyms_file = _read_data("synonyms.toml")
    language_file = _read_data("language.toml")
    terms = synonyms_file["term"]
    assert isinstance(terms, list)
    question_types = language_file["question_types"]
    number_words = language_file["number_words"]
    filler = language_file["filler"]
    contractions = language_file["contractions"]
    not_a_head = language_file["not_a_head"]
    answer_words = language_file["answer_words"]
    assert isinstance(not_a_head, list) and isinstance(answer_words, dict)
    assert isinstance(question_types, dict) and isinstance(number_words, dict)
    assert isinstance(contractions, dict)
    assert isinstance(filler, list)
    return Lexicon(
        synonyms={term["canonical"]: tuple(term["variants"]) for term in terms},
        filler=frozenset(filler),
        question_types={kind: tuple(phrases) for kind, phrases in question_types.items()},
        number_words=dict(number_words),
        contractions=dict(contractions),
        not_a_head=frozenset(not_a_head),
        answer_words={kind: tuple(words) for kind, words in answer_words.items()},
    )
