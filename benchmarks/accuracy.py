"""Answer-quality benchmark: ``python -m benchmarks.accuracy [--dev PATH] [--verbose]``.

Prints the dev-set figures of the project's Matcher beside a tuned BM25 baseline, the
Matcher's misses, its figures on the frozen near-miss list and on the held-out set (written
from the documents alone, never tuned on), and the three generalisation checks of the eval
README (leave-one-out, whole-fact removal, learning curve).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

from benchmarks.baseline import Bm25Baseline, tune_threshold
from benchmarks.generalisation import (
    WORKERS,
    Landing,
    LearningCurve,
    Probe,
    fact_removal,
    landings,
    learning_curve,
    leave_one_out,
)
from benchmarks.scoring import EvalQuestion, Figures, Graded, Verdict, grade_all, load_questions
from knowledge.curated import load_curated
from knowledge.matcher import Matcher
from knowledge.models import Fact, Match, Outcome

BENCHMARKS = Path(__file__).resolve().parent
DEFAULT_DEV = BENCHMARKS.parent.parent / "shared" / "eval" / "dev_questions.jsonl"
NEAR_MISS = BENCHMARKS / "near_miss.jsonl"
HOLDOUT = BENCHMARKS / "holdout.jsonl"
REMOVAL_CASES_SHOWN = 30
ANSWER_START = 60
PASSES = 3


# ---------------------------------------------------------------- formatting


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], align: str) -> str:
    """Columns padded to their widest cell; ``align`` has one 'l' or 'r' per column."""
    lines = [list(headers), *(list(row) for row in rows)]
    widths = [max(len(line[column]) for line in lines) for column in range(len(headers))]

    def render(line: list[str]) -> str:
        cells = (
            cell.ljust(width) if side == "l" else cell.rjust(width)
            for cell, width, side in zip(line, widths, align, strict=True)
        )
        return "  " + "  ".join(cells).rstrip()

    rule = "  " + "  ".join("-" * width for width in widths)
    return "\n".join([render(lines[0]), rule, *(render(line) for line in lines[1:])])


def ratio(part: int, whole: int, rate: float | None) -> str:
    """'part/whole  rate %', or a dash when the figure is undefined."""
    return "—" if rate is None else f"{part}/{whole} {rate:5.1f} %"


def figure_cells(figures: Figures) -> list[str]:
    """The four README figures of one responder, in README order."""
    return [
        ratio(figures.correct, figures.answerable, figures.answered_correct),
        ratio(figures.wrong, figures.total, figures.wrong_rate),
        ratio(figures.abstained, figures.must_abstain, figures.correct_abstentions),
        ratio(figures.correct + figures.abstained, figures.total, figures.accuracy),
    ]


FIGURE_NAMES = ["answered-correct", "wrong", "correct abstentions", "accuracy"]


def clip(text: str, length: int = ANSWER_START) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def describe(match: Match, facts_by_id: dict[int, Fact]) -> str:
    """What the matcher did, for a person to read."""
    if match.outcome is Outcome.ANSWER and match.fact_id is not None:
        answer = facts_by_id[match.fact_id].answer
        return f"answered #{match.fact_id} (score {match.score:.0f}): {clip(answer)!r}"
    if match.outcome is Outcome.SUGGESTIONS:
        offered = ", ".join(
            f"#{candidate.fact_id} ({candidate.score:.0f})" for candidate in match.suggestions
        )
        return f"suggested {offered}"
    return f"unanswered (best score {match.score:.0f})"


@contextmanager
def timed(label: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    print(f"  [{label}: {time.perf_counter() - started:.1f} s]")


# ---------------------------------------------------------------- dev set


def print_dev_comparison(
    matcher_graded: list[Graded], baseline_graded: list[Graded], threshold: float
) -> None:
    matcher, baseline = Figures.of(matcher_graded), Figures.of(baseline_graded)
    print(
        f"DEV SET: {matcher.total} questions, {matcher.answerable} answerable,"
        f" {matcher.must_abstain} must abstain"
    )
    headers = ["figure", "Matcher", f"BM25 baseline (threshold {threshold:.2f}, tuned on dev)"]
    rows = zip(FIGURE_NAMES, figure_cells(matcher), figure_cells(baseline), strict=True)
    print(table(headers, rows, "lrr"))


def kinds_of(graded: list[Graded]) -> list[str]:
    """The question kinds in order of first appearance."""
    return list(dict.fromkeys(item.question.kind for item in graded))


def abstention_row(label: str, figures: Figures) -> list[str]:
    rate = figures.correct_abstentions
    return [label, ratio(figures.abstained, figures.must_abstain, rate), str(figures.wrong)]


def print_by_kind(graded: list[Graded], name: str = "dev set") -> None:
    print(f"\nMatcher on the {name} by kind")
    rows = []
    for kind in kinds_of(graded):
        figures = Figures.of([item for item in graded if item.question.kind == kind])
        rows.append([kind, str(figures.total), *figure_cells(figures)])
    print(table(["kind", "questions", *FIGURE_NAMES], rows, "lrrrrr"))


def print_failures(graded: list[Graded], facts_by_id: dict[int, Fact], title: str) -> None:
    """List every question answered wrongly or, if answerable, not answered."""
    failures = [item for item in graded if item.verdict in (Verdict.WRONG, Verdict.MISSED)]
    print(f"\n{title} ({len(failures)})")
    for item in failures:
        question = item.question
        print(f"  {question.id}  {question.kind:<11} {item.verdict.upper():<6}  {question.asked}")
        print(f"  {'':<4}  {'':<11} {'':<6}  → {describe(item.match, facts_by_id)}")


def print_holdout(
    matcher_graded: list[Graded],
    baseline_graded: list[Graded],
    facts_by_id: dict[int, Fact],
    verbose: bool,
) -> None:
    """The held-out set: written from the source documents alone by a session that saw
    neither the facts' example questions nor the dev set, and never used for tuning."""
    matcher, baseline = Figures.of(matcher_graded), Figures.of(baseline_graded)
    print(
        f"\nHELD-OUT SET ({HOLDOUT.name}, written from the documents alone, never tuned on):"
        f" {matcher.total} questions, {matcher.answerable} answerable,"
        f" {matcher.must_abstain} must abstain"
    )
    headers = ["figure", "Matcher", "BM25 baseline (threshold tuned on dev)"]
    rows = zip(FIGURE_NAMES, figure_cells(matcher), figure_cells(baseline), strict=True)
    print(table(headers, rows, "lrr"))
    print_by_kind(matcher_graded, "held-out set")
    if verbose:
        print_failures(
            matcher_graded, facts_by_id, "Matcher's wrong answers and misses on the held-out set"
        )


def print_near_miss(graded: list[Graded], facts_by_id: dict[int, Fact]) -> None:
    figures = Figures.of(graded)
    print(
        f"\nNEAR-MISS LIST ({NEAR_MISS.name}, frozen): {figures.total} questions, all must abstain"
    )
    groups = {
        kind: [item for item in graded if item.question.kind == kind] for kind in kinds_of(graded)
    }
    rows = [abstention_row(kind, Figures.of(items)) for kind, items in groups.items()]
    rows.append(abstention_row("all", figures))
    print(table(["kind", "correct abstentions", "wrong answers"], rows, "lrr"))
    print_failures(graded, facts_by_id, "Matcher's wrong answers on the near-miss list")


# ---------------------------------------------------------------- generalisation


def print_landings(probes: Sequence[Probe], order: Sequence[Landing]) -> None:
    counts = landings(probes)
    rows = [
        [str(landing), str(counts[landing]), f"{100 * counts[landing] / len(probes):.1f} %"]
        for landing in order
    ]
    print(table(["went to", "questions", "share"], rows, "lrr"))


def print_leave_one_out(facts: Sequence[Fact], verbose: bool) -> None:
    print("\nGENERALISATION A: leave-one-out over example questions")
    print("  each example question is taken out of its own fact only, the matcher rebuilt")
    print("  from scratch, and the question asked")
    with timed("leave-one-out"):
        probes = leave_one_out(facts, Matcher)
        print(f"  {len(probes)} questions, {len(probes)} matcher builds over {WORKERS} processes")
        print_landings(
            probes, [Landing.OWN_FACT, Landing.SUGGESTED, Landing.UNANSWERED, Landing.OTHER_FACT]
        )
    strays = [probe for probe in probes if probe.landing is Landing.OTHER_FACT]
    if not verbose:
        print(f"  (--verbose lists the {len(strays)} questions that went to another fact)")
        return
    print(f"  Went to another fact ({len(strays)}): question — expected fact → got fact")
    for probe in strays:
        print(f"    {probe.question!r} — #{probe.fact_id} → #{probe.match.fact_id}")


def print_fact_removal(facts: Sequence[Fact], verbose: bool) -> None:
    print("\nGENERALISATION B: whole-fact removal")
    print("  each fact is removed in turn and its example questions asked of the rest;")
    print("  nothing else should answer them")
    facts_by_id = {fact.id: fact for fact in facts}
    with timed("fact removal"):
        probes = fact_removal(facts, Matcher)
        print(
            f"  {len(facts)} facts, {len(probes)} questions,"
            f" {len(facts)} matcher builds over {WORKERS} processes"
        )
        print_landings(probes, [Landing.UNANSWERED, Landing.SUGGESTED, Landing.OTHER_FACT])
    answered = [probe for probe in probes if probe.landing is Landing.OTHER_FACT]
    shown = answered if verbose else answered[:REMOVAL_CASES_SHOWN]
    print(
        f"  Answered by another fact, to be judged by a person ({len(shown)} of {len(answered)}):"
    )
    for probe in shown:
        print(f"    [#{probe.fact_id} removed] {probe.question!r}")
        print(f"      → {describe(probe.match, facts_by_id)}")


def print_learning_curve(
    facts: Sequence[Fact], dev: Sequence[EvalQuestion], near_miss: Sequence[EvalQuestion]
) -> None:
    stream = [question for question in dev if question.answerable] + list(near_miss)
    print("\nGENERALISATION C: learning curve")
    print("  start: every fact cut to its first example question")
    print(
        f"  stream: the {len(stream) - len(near_miss)} answerable dev questions, then the"
        f" {len(near_miss)} near-miss list questions; replayed {PASSES} times"
    )
    print("  a simulated rep teaches every answerable question left unanswered or only suggested")
    print("  to the first fact whose answer satisfies it; the matcher is rebuilt after each one")
    with timed("learning curve"):
        curve = learning_curve(facts, stream, Matcher, passes=PASSES)
        print(f"  {curve.rebuilds} matcher builds")
        print_curve(curve)


def print_curve(curve: LearningCurve) -> None:
    rows = [["start (no learning)", *figure_cells(curve.start)[:3], "—"]]
    rows += [
        [f"pass {replay.number}", *figure_cells(replay.figures)[:3], str(replay.taught)]
        for replay in curve.passes
    ]
    print(table(["", "answered-correct", "wrong", "correct abstentions", "taught"], rows, "lrrrr"))
    if curve.unresolvable:
        print(
            f"  {curve.unresolvable} answerable questions cannot be taught: no fact satisfies them"
        )
    wrongs = [curve.start.wrong, *(replay.figures.wrong for replay in curve.passes)]
    rose = any(after > before for before, after in pairwise(wrongs))
    verdict = "ROSE — learning made the matcher answer wrongly" if rose else "never rose"
    print(f"  wrong answers start → passes: {' → '.join(map(str, wrongs))}; {verdict}")


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.accuracy", description=__doc__)
    parser.add_argument(
        "--dev",
        type=Path,
        default=DEFAULT_DEV,
        metavar="PATH",
        help=f"dev question set (default: {DEFAULT_DEV})",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="list every case of the generalisation checks"
    )
    parser.add_argument(
        "--quick", action="store_true", help="dev set and near-miss list only (seconds)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.dev.is_file():
        print(f"error: dev question set not found: {args.dev} (pass --dev PATH)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    dev, near_miss = load_questions(args.dev), load_questions(NEAR_MISS)
    facts = load_curated().facts
    facts_by_id = {fact.id: fact for fact in facts}
    example_count = sum(len(fact.questions) for fact in facts)
    print(f"Facts: {len(facts)} curated facts, {example_count} example questions")
    print(f"Dev set: {args.dev}\n")

    matcher = Matcher(facts)
    baseline = Bm25Baseline(facts)
    baseline.threshold = tune_threshold(baseline, dev).threshold
    matcher_graded = grade_all(matcher, dev, facts)
    print_dev_comparison(matcher_graded, grade_all(baseline, dev, facts), baseline.threshold)
    print_by_kind(matcher_graded)
    print_failures(matcher_graded, facts_by_id, "Matcher's wrong answers and misses on the dev set")
    print_near_miss(grade_all(matcher, near_miss, facts), facts_by_id)
    if HOLDOUT.is_file():
        holdout = load_questions(HOLDOUT)
        print_holdout(
            grade_all(matcher, holdout, facts),
            grade_all(baseline, holdout, facts),
            facts_by_id,
            args.verbose,
        )

    if args.quick:
        return 0
    print_leave_one_out(facts, args.verbose)
    print_fact_removal(facts, args.verbose)
    print_learning_curve(facts, dev, near_miss)
    print(f"\nTotal runtime: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
