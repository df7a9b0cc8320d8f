"""The evaluation rules of ``shared/eval/README.md``, applied to anything that matches.

A question set is JSON lines (``id``, ``q``, ``expect``, ``kind``). A responder is
anything with ``match(question) -> Match``: the project's ``Matcher`` or a baseline.
Usage::

    questions = load_questions(path)
    graded = grade_all(matcher, questions, facts)
    figures = Figures.of(graded)
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from knowledge.models import Fact, Match, Outcome

Expect = tuple[tuple[str, ...], ...]

_CURLY_QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"'}
)
_WHITESPACE = re.compile(r"\s+")


class Responder(Protocol):
    """Anything that decides about a question the way ``knowledge.matcher.Matcher`` does."""

    def match(self, question: str) -> Match: ...


@dataclass(frozen=True, slots=True)
class EvalQuestion:
    """One line of a question set; ``expect`` is None when the bot must abstain."""

    id: str
    text: str
    expect: Expect | None
    kind: str

    @property
    def answerable(self) -> bool:
        return self.expect is not None

    @property
    def asked(self) -> str:
        """The question as a harness sends it: one line, line breaks replaced by spaces."""
        return " ".join(self.text.splitlines())


class Verdict(StrEnum):
    CORRECT = "correct"  # answered, and the answer satisfies every expect group
    WRONG = "wrong"  # answered, but wrongly or when it had to abstain
    ABSTAINED = "abstained"  # abstained (or only suggested) where it had to
    MISSED = "missed"  # abstained (or only suggested) on an answerable question


@dataclass(frozen=True, slots=True)
class Graded:
    question: EvalQuestion
    match: Match
    verdict: Verdict


def load_questions(path: Path) -> list[EvalQuestion]:
    """Read a JSON-lines question set; blank lines are skipped."""
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        expect = None if row["expect"] is None else tuple(tuple(group) for group in row["expect"])
        questions.append(EvalQuestion(id=row["id"], text=row["q"], expect=expect, kind=row["kind"]))
    return questions


def normalise(text: str) -> str:
    """NFKC, lower-case, straight quotes, single spaces, one space of padding each side."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_CURLY_QUOTES)
    return f" {_WHITESPACE.sub(' ', text).strip()} "


def answer_text(fact: Fact) -> str:
    """What a member is shown for a fact: its answer plus its source quote."""
    return f"{fact.answer}\n{fact.quote}"


def satisfies(expect: Expect, text: str) -> bool:
    """True when every expect group has an alternative occurring in the normalised text."""
    normalised = normalise(text)
    return all(any(alternative in normalised for alternative in group) for group in expect)


def grade(question: EvalQuestion, match: Match, facts_by_id: dict[int, Fact]) -> Verdict:
    """Judge one decision; suggestions without an answer count as abstaining."""
    if match.outcome is not Outcome.ANSWER:
        return Verdict.MISSED if question.answerable else Verdict.ABSTAINED
    if question.expect is None or match.fact_id is None:
        return Verdict.WRONG
    fact = facts_by_id[match.fact_id]
    return Verdict.CORRECT if satisfies(question.expect, answer_text(fact)) else Verdict.WRONG


def grade_all(
    responder: Responder, questions: Iterable[EvalQuestion], facts: Iterable[Fact]
) -> list[Graded]:
    """Ask every question (as sent by a harness) and grade the decision."""
    facts_by_id = {fact.id: fact for fact in facts}
    graded = []
    for question in questions:
        match = responder.match(question.asked)
        graded.append(Graded(question, match, grade(question, match, facts_by_id)))
    return graded


@dataclass(frozen=True, slots=True)
class Figures:
    """Counts behind the four figures of the README; rates are None when undefined."""

    answerable: int
    must_abstain: int
    correct: int
    wrong: int
    abstained: int

    @classmethod
    def of(cls, graded: Sequence[Graded]) -> Figures:
        verdicts = [item.verdict for item in graded]
        answerable = sum(item.question.answerable for item in graded)
        return cls(
            answerable=answerable,
            must_abstain=len(graded) - answerable,
            correct=verdicts.count(Verdict.CORRECT),
            wrong=verdicts.count(Verdict.WRONG),
            abstained=verdicts.count(Verdict.ABSTAINED),
        )

    @property
    def total(self) -> int:
        return self.answerable + self.must_abstain

    @property
    def answered_correct(self) -> float | None:
        return _rate(self.correct, self.answerable)

    @property
    def wrong_rate(self) -> float | None:
        return _rate(self.wrong, self.total)

    @property
    def correct_abstentions(self) -> float | None:
        return _rate(self.abstained, self.must_abstain)

    @property
    def accuracy(self) -> float | None:
        return _rate(self.correct + self.abstained, self.total)


def _rate(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None
