"""Passages from the documents when no fact answers: ``python -m benchmarks.passages [--quick]``.

Prints, for ``knowledge.passages.PassageIndex`` beside a plain BM25 index of the
same passages (its threshold tuned on the same sets, in the same run):

1. **document removal** – with every fact drawn from one document removed, the
   answerable dev questions whose expected fact came from it: how many get a
   passage that satisfies the question's ``expect`` groups (the eval README's
   own rule for a correct answer, applied to the passages shown), and how many
   still get an answer from a fact of the other documents (they would never
   reach the passages);
2. **noise** – must-abstain dev questions and the frozen near-miss list that get
   any passage;

both again on the held-out set (``benchmarks/holdout.jsonl``, written from the
documents alone and never tuned on), with the thresholds set on dev;
3. **scale** – build time, latency of a search and peak memory with 1,000
   synthetic documents of 20 pages (100 with ``--quick``), in a fresh process.

``--first-question`` instead registers that many synthetic documents in a new
database and times, each in a fresh process, opening the knowledge base and
its first question no fact answers: with no saved passage index (built, then
saved beside the database), then with the saved one (loaded), then with it
after one more document was registered (loaded, that one indexed, saved again).
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rank_bm25 import BM25Okapi

from benchmarks.baseline import tokenise
from benchmarks.latency import peak_megabytes, percentile, pin_to_one_core
from benchmarks.scoring import EvalQuestion, answer_text, load_questions, satisfies
from knowledge.base import KnowledgeBase
from knowledge.curated import Curated, load_curated, source_texts
from knowledge.index_cache import _Pickler
from knowledge.matcher import Matcher
from knowledge.models import Outcome, Source
from knowledge.paragraphs import Passage, split_passages
from knowledge.passage_cache import passages_cache_path
from knowledge.passages import PASSAGE_THRESHOLD, PassageIndex

BENCHMARKS = Path(__file__).resolve().parent
PROJECT = BENCHMARKS.parent
SEEDS = PROJECT.parent / "shared" / "seeds"
DEV = PROJECT.parent / "shared" / "eval" / "dev_questions.jsonl"
NEAR_MISS = BENCHMARKS / "near_miss.jsonl"
HOLDOUT = BENCHMARKS / "holdout.jsonl"
LIMIT = 2
"""Passages shown for a question, as the bot will show them."""
NOISE_TARGET = 10.0
PAGE_CHARS = 3_000
"""About 500 words: a page of a circular."""
PAGES = 20
SEED = 15

Search = Callable[[str], list[str]]
"""A question -> the texts of the passages shown for it."""


@dataclass(frozen=True, slots=True)
class Removal:
    """One answerable dev question, its expected fact's document removed."""

    question: EvalQuestion
    source_key: str
    quote: str
    answered_by_fact: bool
    """A fact of another document still answers it, so no passage would be shown."""


def removals(curated: Curated, dev: list[EvalQuestion]) -> tuple[list[Removal], int]:
    """Each answerable dev question attributed to the document of its expected
    fact (the first curated fact whose answer and quote satisfy ``expect``),
    asked of a matcher without that document's facts; and how many answerable
    questions no fact satisfies (left out)."""
    expected = {}
    for question in dev:
        if question.expect is not None:
            expect = question.expect
            expected[question] = next(
                (fact for fact in curated.facts if satisfies(expect, answer_text(fact))), None
            )
    found = []
    for key in curated.sources:
        matcher = Matcher(fact for fact in curated.facts if fact.source_key != key)
        for question, fact in expected.items():
            if fact is not None and fact.source_key == key:
                outcome = matcher.match(question.asked).outcome
                found.append(Removal(question, key, fact.quote, outcome is Outcome.ANSWER))
    return found, sum(fact is None for fact in expected.values())


def removal_figures(cases: list[Removal], search: Search) -> tuple[int, int]:
    """How many cases get passages with the expected words, and with the expected quote."""
    words = quote = 0
    for case in cases:
        shown = search(case.question.asked)
        assert case.question.expect is not None  # removals are of answerable questions
        words += satisfies(case.question.expect, "\n".join(shown))
        quote += any(case.quote in text for text in shown)
    return words, quote


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} {100 * part / whole:5.1f} %" if whole else "—"


def noise(questions: list[EvalQuestion], search: Search) -> int:
    return sum(bool(search(question.asked)) for question in questions)


class Bm25Passages:
    """BM25Okapi over the same passages, showing the best ``LIMIT`` over a threshold."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        self._index = BM25Okapi([tokenise(passage.text) for passage in passages])

    def scored(self, question: str) -> list[tuple[float, str]]:
        scores = self._index.get_scores(tokenise(question))
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:LIMIT]
        return [(float(scores[i]), self.passages[i].text) for i in order]

    def at(self, threshold: float) -> Search:
        return lambda question: [t for s, t in self.scored(question) if s >= threshold]


def tuned_bm25(
    bm25: Bm25Passages, cases: list[Removal], abstain: list[EvalQuestion]
) -> tuple[float, Search]:
    """The threshold with most removal cases satisfied, noise within the target."""
    best: tuple[int, float] = (-1, 0.0)
    for step in range(0, 301):
        threshold = step / 10
        search = bm25.at(threshold)
        if 100 * noise(abstain, search) / len(abstain) > NOISE_TARGET:
            continue
        best = max(best, (removal_figures(cases, search)[0], -threshold))
    return -best[1], bm25.at(-best[1])


def print_quality(args: argparse.Namespace) -> None:
    curated = load_curated()
    texts = source_texts(curated.sources.values(), SEEDS)
    dev = load_questions(args.dev)
    abstain = [q for q in dev if not q.answerable] + load_questions(NEAR_MISS)
    index = PassageIndex.build(texts.items())
    cases, unattributed = removals(curated, dev)
    bm25 = Bm25Passages([p for key, text in texts.items() for p in split_passages(key, text)])
    threshold, bm25_search = tuned_bm25(bm25, cases, abstain)

    def ours(question: str) -> list[str]:
        return [hit.text for hit in index.search(question, LIMIT)]

    responders = (
        (f"passages (score >= {PASSAGE_THRESHOLD:g})", ours),
        (f"BM25 baseline (score >= {threshold:g}, tuned on dev + near-miss here)", bm25_search),
    )
    print(f"Passages: {len(index)} from {len(texts)} documents; at most {LIMIT} shown a question")
    print_set("dev + near-miss (tuned on)", cases, unattributed, abstain, responders)
    holdout = load_questions(HOLDOUT)
    held_cases, held_unattributed = removals(curated, holdout)
    held_abstain = [q for q in holdout if not q.answerable]
    print_set(
        "held-out (never tuned on; thresholds as above)",
        held_cases,
        held_unattributed,
        held_abstain,
        responders,
    )
    if args.verbose:
        for case in cases:
            hits = index.scored(case.question.asked, 1)
            top = f"{hits[0].score:5.1f}" if hits else "    —"
            ok = satisfies(case.question.expect or (), "\n".join(ours(case.question.asked)))
            print(f"    {case.question.id} {top} {'ok' if ok else '  '} {case.question.asked[:70]}")
        for question in abstain:
            hits = index.scored(question.asked, 1)
            if hits:
                print(f"    {question.id} {hits[0].score:5.1f} {question.asked[:70]}")


def print_set(
    name: str,
    cases: list[Removal],
    unattributed: int,
    abstain: list[EvalQuestion],
    responders: Sequence[tuple[str, Search]],
) -> None:
    print(
        f"{name}\n  (1) document removal: {len(cases)} answerable questions attributed to a "
        f"document ({unattributed} satisfied by no fact, left out); "
        f"{sum(c.answered_by_fact for c in cases)} still answered by another document's fact"
    )
    abstained = [c for c in cases if not c.answered_by_fact]
    for responder, search in responders:
        words, quote = removal_figures(cases, search)
        reached, _ = removal_figures(abstained, search)
        noisy = noise(abstain, search)
        print(f"  {responder}")
        print(f"    (1) expected words in a passage: {share(words, len(cases))} (target >= 70 %);")
        print(f"        of those no fact answers: {share(reached, len(abstained))}")
        print(f"        expected fact's quote in a passage: {share(quote, len(cases))}")
        print(
            f"    (2) noise: {len(abstain)} must-abstain questions given a passage: "
            f"{share(noisy, len(abstain))} (target <= 10 %)"
        )


def synthetic_documents(count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` documents of ``PAGES`` pages: the seeds' sentences shuffled into
    paragraphs, with a table of figures every few pages."""
    sentences = [
        sentence
        for path in sorted(SEEDS.glob("*.txt"))
        for sentence in re.split(r"(?<=[.!?])\s+", path.read_text(encoding="utf-8"))
        if len(sentence.split()) > 4
    ]
    chooser = random.Random(seed)
    documents = []
    for number in range(count):
        paragraphs: list[str] = []
        size = 0
        while size < PAGES * PAGE_CHARS:
            if chooser.random() < 0.05:
                rows = (" ".join(str(chooser.randint(0, 9999)) for _ in range(6)) for _ in range(8))
                paragraph = "\n".join(rows)
            else:
                paragraph = " ".join(chooser.choices(sentences, k=chooser.randint(2, 6)))
            paragraphs.append(paragraph)
            size += len(paragraph) + 2
        documents.append((f"synthetic-{number:04d}", "\n\n".join(paragraphs)))
    return documents


def run_worker(count: int, seed: int) -> dict[str, object]:
    """Build an index over ``count`` synthetic documents and time searches; own process."""
    pin_to_one_core()
    documents = synthetic_documents(count, seed)
    questions = [q.asked for q in load_questions(DEV) + load_questions(NEAR_MISS)]
    before = peak_megabytes()
    started = time.perf_counter()
    index = PassageIndex.build(documents)
    build = time.perf_counter() - started
    del documents
    latencies = []
    for question in questions * 3:
        started = time.perf_counter()
        index.search(question)
        latencies.append(time.perf_counter() - started)
    peak = peak_megabytes()
    saved, loaded = save_and_load(index)
    return {
        "documents": count,
        "passages": len(index),
        "build": build,
        "latencies": latencies,
        "documents_mb": before,
        "peak_mb": peak,
        "saved_mb": saved,
        "load": loaded,
    }


def save_and_load(index: PassageIndex) -> tuple[float, float]:
    """The size in MB of the index saved as the matcher's is, and the seconds to load it."""
    with tempfile.TemporaryFile() as file:
        pickler = _Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.fast = True  # as knowledge.index_cache saves: the state has no cycle
        pickler.dump(index)
        size = file.tell() / 1e6
        file.seek(0)
        started = time.perf_counter()
        pickle.load(file)
        return size, time.perf_counter() - started


def print_scale(count: int) -> None:
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.passages", "--worker", str(count)],
        cwd=PROJECT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(output.splitlines()[-1])
    latencies = [1000 * value for value in result["latencies"]]
    print(
        f"(3) scale: {result['documents']} documents x {PAGES} pages "
        f"(~{PAGE_CHARS} characters a page), {result['passages']} passages, one core\n"
        f"    build {result['build']:.1f} s; search median {percentile(latencies, 0.5):.2f} ms, "
        f"p95 {percentile(latencies, 0.95):.2f} ms, max {max(latencies):.2f} ms "
        f"({len(latencies)} searches)\n"
        f"    peak memory {result['peak_mb']:.0f} MB "
        f"({result['documents_mb']:.0f} MB before building, documents' text included)\n"
        f"    saved as the matcher's index is: {result['saved_mb']:.0f} MB, "
        f"loaded in {result['load']:.1f} s"
    )


FIRST_QUESTION = "what happens to the pensions of staff when their jobs move to SSCL"
"""No fact answers it (the dev set's must-abstain kind), so passages are searched."""


def fill_database(database: Path, count: int) -> None:
    """Register ``count`` synthetic documents in a new database at ``database``."""
    kb = KnowledgeBase.open(database)
    for key, text in synthetic_documents(count, SEED):
        source = Source(key=key, title=f"Synthetic document {key}", kind="circular")
        kb.add_source(source, text, actor="benchmark")
    kb.close()


def first_question(database: Path) -> dict[str, float]:
    """Seconds to open the knowledge base at ``database`` and to answer its first
    question no fact answers; in its own process, on one core."""
    pin_to_one_core()
    started = time.perf_counter()
    kb = KnowledgeBase.open(database)
    opened = time.perf_counter()
    reply = kb.ask(FIRST_QUESTION, place="console")
    asked = time.perf_counter()
    kb.close()
    assert not reply.answered
    return {"open": opened - started, "first": asked - opened, "peak_mb": peak_megabytes()}


def print_first_question(count: int) -> None:
    def worker(*arguments: str) -> dict[str, float]:
        output = subprocess.run(
            [sys.executable, "-m", "benchmarks.passages", *arguments],
            cwd=PROJECT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result: dict[str, float] = json.loads(output.splitlines()[-1])
        return result

    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "knowledge.db"
        worker("--fill", str(count), str(database))
        cache = passages_cache_path(database)
        assert cache is not None and not cache.exists()
        runs = {"no saved index": worker("--first", str(database))}
        size = cache.stat().st_size / 1e6
        runs["saved index"] = worker("--first", str(database))
        kb = KnowledgeBase.open(database)
        text = synthetic_documents(count + 1, SEED)[-1][1]
        kb.add_source(Source(key="one-more", title="One more", kind="circular"), text, actor="x")
        kb.close()
        runs["saved index, one document since"] = worker("--first", str(database))
    print(
        f"first question no fact answers, {count} documents x {PAGES} pages, one core "
        f"(saved passage index: {size:.0f} MB)"
    )
    for name, result in runs.items():
        print(
            f"    {name:<32} open {result['open']:.2f} s, first question {result['first']:.2f} s,"
            f" peak {result['peak_mb']:.0f} MB"
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="scale with 100 documents")
    parser.add_argument("--documents", type=int, help="scale with this many documents")
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--verbose", action="store_true", help="each question's best score")
    parser.add_argument(
        "--first-question",
        action="store_true",
        help="time the first question no fact answers, with and without a saved index",
    )
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--fill", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--first", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker is not None:
        print(json.dumps(run_worker(args.worker, SEED)))
        return 0
    if args.fill is not None:
        fill_database(Path(args.fill[1]), int(args.fill[0]))
        print(json.dumps({}))
        return 0
    if args.first is not None:
        print(json.dumps(first_question(args.first)))
        return 0
    if args.first_question:
        print_first_question(args.documents or (100 if args.quick else 1_000))
        return 0
    print_quality(args)
    print_scale(args.documents or (100 if args.quick else 1_000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
