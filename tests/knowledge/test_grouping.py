"""Which wordings are one question: the rule against hand-labelled pairs.

``question_pairs.toml`` holds pairs written for this test (none from the
evaluation sets): rewordings of one question, and different questions that
look alike (another question word, number, place or subject). Grouping two
different questions hides one from reps, so none may be grouped; leaving two
rewordings apart costs a rep a dismissal, so a few may be.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from knowledge.base import KnowledgeBase
from knowledge.grouping import Wording, same_question
from knowledge.semantic import default_encoder

PAIRS: list[dict[str, Any]] = tomllib.loads(
    (Path(__file__).parent / "question_pairs.toml").read_text(encoding="utf-8")
)["pair"]
MIN_REWORDINGS_GROUPED = 0.85


def grouped(kb: KnowledgeBase, first: str, second: str) -> bool:
    candidate = (1, second, Wording.of(kb._matcher.analyse(second)))
    wording = Wording.of(kb._matcher.analyse(first))
    return same_question(first, wording, [candidate], default_encoder()) == 1


def test_the_labelled_pairs_are_many_and_of_both_kinds() -> None:
    assert len(PAIRS) >= 40
    assert 0.3 < sum(pair["same"] for pair in PAIRS) / len(PAIRS) < 0.7


def test_no_two_different_questions_are_grouped(kb: KnowledgeBase) -> None:
    wrongly = [(p["a"], p["b"]) for p in PAIRS if not p["same"] and grouped(kb, p["a"], p["b"])]
    assert wrongly == []


def test_most_rewordings_are_grouped(kb: KnowledgeBase) -> None:
    same = [pair for pair in PAIRS if pair["same"]]
    apart = [(p["a"], p["b"]) for p in same if not grouped(kb, p["a"], p["b"])]
    assert len(apart) <= (1 - MIN_REWORDINGS_GROUPED) * len(same), apart


@pytest.mark.parametrize("pair", PAIRS[:6], ids=lambda pair: pair["b"])
def test_the_rule_is_symmetric(kb: KnowledgeBase, pair: dict[str, Any]) -> None:
    assert grouped(kb, pair["a"], pair["b"]) == grouped(kb, pair["b"], pair["a"])


@pytest.mark.parametrize(
    ("first", "second"),
    [("hire", "fire"), ("pension", "pensoin"), ("2023", "2024"), ("canteen", "canteeen")],
)
def test_a_typo_is_one_word_misspelt_never_two_real_words(first: str, second: str) -> None:
    mistyped = Wording(frozenset({first, "freez"}), frozenset())
    other = Wording(frozenset({second, "freez"}), frozenset())
    expected = second in {"pensoin", "canteeen"}
    assert (mistyped.needed_closeness(other) is not None) is expected
