"""Checks of how a matcher does on wording it was never given (eval README, "overfitting").

Each check takes the curated facts and ``build``, a callable that indexes a list of facts
and returns a responder (normally ``knowledge.matcher.Matcher`` itself), so it can
rebuild the index from modified fact lists.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from enum import StrEnum
from itertools import repeat

from benchmarks.scoring import (
    EvalQuestion,
    Figures,
    Graded,
    Responder,
    answer_text,
    grade,
    grade_all,
    satisfies,
)
from knowledge.models import ExampleQuestion, Fact, Match, Outcome, QuestionOrigin

Build = Callable[[Sequence[Fact]], Responder]

WORKERS = os.cpu_count() or 1


class Landing(StrEnum):
    """Where an example question went when asked of a matcher that lacked it."""

    OWN_FACT = "own fact"
    SUGGESTED = "suggested"
    UNANSWERED = "unanswered"
    OTHER_FACT = "another fact"


@dataclass(frozen=True, slots=True)
class Probe:
    """One example question of ``fact_id`` asked of a matcher built without it."""

    question: str
    fact_id: int
    match: Match

    @property
    def landing(self) -> Landing:
        if self.match.outcome is Outcome.SUGGESTIONS:
            return Landing.SUGGESTED
        if self.match.outcome is Outcome.UNANSWERED:
            return Landing.UNANSWERED
        return Landing.OWN_FACT if self.match.fact_id == self.fact_id else Landing.OTHER_FACT


def landings(probes: Sequence[Probe]) -> Counter[Landing]:
    return Counter(probe.landing for probe in probes)


def leave_one_out(facts: Sequence[Fact], build: Build) -> list[Probe]:
    """Take each example question out of its fact alone, rebuild, and ask it."""
    return _for_each_fact(_leave_one_out_of, facts, build)


def fact_removal(facts: Sequence[Fact], build: Build) -> list[Probe]:
    """Remove each fact in turn and ask its example questions of the rest."""
    return _for_each_fact(_removal_of, facts, build)


def _for_each_fact(
    check: Callable[[Sequence[Fact], int, Build], list[Probe]], facts: Sequence[Fact], build: Build
) -> list[Probe]:
    """Run ``check`` for every fact position, spread over ``WORKERS`` processes.

    Every probe needs its own index, so the work is matcher builds; processes are the
    only way to share it out. ``build`` must be picklable (a class or top-level function).
    """
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        per_fact = pool.map(check, repeat(facts), range(len(facts)), repeat(build))
        return [probe for probes in per_fact for probe in probes]


def _leave_one_out_of(facts: Sequence[Fact], position: int, build: Build) -> list[Probe]:
    fact = facts[position]
    probes = []
    for held_out, question in enumerate(fact.questions):
        kept = fact.questions[:held_out] + fact.questions[held_out + 1 :]
        variant = [*facts[:position], replace(fact, questions=kept), *facts[position + 1 :]]
        probes.append(Probe(question.text, fact.id, build(variant).match(question.text)))
    return probes


def _removal_of(facts: Sequence[Fact], position: int, build: Build) -> list[Probe]:
    fact = facts[position]
    matcher = build([*facts[:position], *facts[position + 1 :]])
    return [Probe(text, fact.id, matcher.match(text)) for text in fact.question_texts]


@dataclass(frozen=True, slots=True)
class Pass:
    """One replay of the stream: the figures as asked, and how many questions were taught."""

    number: int
    figures: Figures
    taught: int


@dataclass(frozen=True, slots=True)
class LearningCurve:
    start: Figures  # the trimmed facts, before any learning
    passes: tuple[Pass, ...]
    unresolvable: int  # answerable stream questions no fact's answer satisfies
    rebuilds: int


def trimmed(facts: Sequence[Fact]) -> list[Fact]:
    """The facts with only their first example question each."""
    return [replace(fact, questions=fact.questions[:1]) for fact in facts]


def teaching_position(question: EvalQuestion, facts: Sequence[Fact]) -> int | None:
    """Where a rep would teach ``question``: the first fact whose answer satisfies it."""
    expect = question.expect
    if expect is None:
        return None
    satisfying = (at for at, fact in enumerate(facts) if satisfies(expect, answer_text(fact)))
    return next(satisfying, None)


def learning_curve(
    facts: Sequence[Fact], stream: Sequence[EvalQuestion], build: Build, passes: int = 3
) -> LearningCurve:
    """Replay ``stream`` over trimmed facts; a simulated rep teaches every abstention.

    When an answerable question is abstained on (or only suggested), its text becomes a
    LEARNED example question of the first fact whose answer satisfies its expect groups,
    and the matcher is rebuilt at once. Must-abstain questions are never taught; wrong
    answers are not corrected, as no rep sees them.
    """
    current = trimmed(facts)
    facts_by_id = {fact.id: fact for fact in current}
    targets = {question.id: teaching_position(question, current) for question in stream}
    matcher = build(current)
    start = Figures.of(grade_all(matcher, stream, current))
    rebuilds = 1
    replays = []
    for number in range(1, passes + 1):
        graded, taught = [], 0
        for question in stream:
            match = matcher.match(question.asked)
            graded.append(Graded(question, match, grade(question, match, facts_by_id)))
            position = targets[question.id]
            if match.outcome is Outcome.ANSWER or position is None:
                continue
            fact = current[position]
            if question.asked in fact.question_texts:
                continue
            learned = ExampleQuestion(question.asked, QuestionOrigin.LEARNED)
            current[position] = replace(fact, questions=(*fact.questions, learned))
            matcher = build(current)
            rebuilds += 1
            taught += 1
        replays.append(Pass(number, Figures.of(graded), taught))
    unresolvable = sum(question.answerable and targets[question.id] is None for question in stream)
    return LearningCurve(start, tuple(replays), unresolvable, rebuilds)
