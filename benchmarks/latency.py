"""Latency benchmark: ``python -m benchmarks.latency [--sizes 66,1000,10000,100000]``.

For each knowledge-base size (the curated facts, then facts generated from them
by ``benchmarks.synthetic`` with a fixed seed) it prints the Matcher's index
build time, the p50/p95/p99 time to answer one question of a realistic mix,
questions per second on one core and the process's peak memory, beside the same
figures for a naive full scan: rapidfuzz ``process.extractOne`` with
``fuzz.token_set_ratio`` over the cleaned answer and example questions of every
fact, no index, no filter. Each size and engine runs in a fresh subprocess
pinned to one core, so sizes do not pollute each other's memory, and reads the
facts as they are generated, never all held at once, so the peak is the
engine's own; the time spent generating them is not build time. Then it times
start-up: importing the core and building the curated Matcher, the real
``run_bot.py ask`` entry point against a warm temporary database with its saved
matcher index (``knowledge.index_cache``) and without it, and the real bot's
time to "ready" against the loopback double, likewise. The matcher's time on
hostile text (``benchmarks.hostile``) is printed beside a realistic mix.

``--memory 100000`` (about ten minutes) stores that many generated facts in a
database and prints, each in a fresh process, the time and peak memory of
opening it: the matcher built from the store's list of facts (as before), from
a stream of its rows (``KnowledgeBase``), the same saving its index, and the
saved index loaded; each followed by one question, so that every figure
includes wordfreq's word list.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from benchmarks.accuracy import table
from knowledge.models import Fact

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = "66,1000,10000,100000"
DEFAULT_QUESTIONS = 300
DEFAULT_NAIVE_QUESTIONS = 40
"""The naive scan takes up to a second a question at 100,000 facts; its percentiles
come from the first questions of the same mix."""
STARTUP_RUNS = 5
STARTUP_QUESTION = "Who owns SSCL?"
ENGINES = ("matcher", "naive")
OPEN_MODES = {
    "list": "Matcher(FactStore.facts()): every Fact held (as before)",
    "stream": "KnowledgeBase(db): streamed rows, no saved index",
    "stream+save": "KnowledgeBase.open: streamed, index saved",
    "load": "KnowledgeBase.open: saved index loaded",
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.latency", description=__doc__)
    parser.add_argument(
        "--sizes", default=DEFAULT_SIZES, help=f"comma-separated fact counts ({DEFAULT_SIZES})"
    )
    parser.add_argument(
        "--questions", type=int, default=DEFAULT_QUESTIONS, help="questions timed per size"
    )
    parser.add_argument(
        "--naive-questions",
        type=int,
        default=DEFAULT_NAIVE_QUESTIONS,
        help="questions timed for the naive scan (the first of the same mix)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated facts")
    parser.add_argument("--startup-runs", type=int, default=STARTUP_RUNS)
    parser.add_argument(
        "--memory",
        type=int,
        default=0,
        metavar="FACTS",
        help="also time opening a database of this many generated facts, and its peak memory",
    )
    parser.add_argument(
        "--no-hostile",
        dest="hostile",
        action="store_false",
        help="skip timing hostile questions (mentions, markup, 100,000 characters)",
    )
    parser.add_argument("--worker", nargs=2, metavar=("SIZE", "ENGINE"), help=argparse.SUPPRESS)
    parser.add_argument("--open-worker", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--store-worker", nargs=2, metavar=("SIZE", "PATH"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def peak_megabytes() -> float:
    """The process's peak resident memory so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


class GeneratedFacts:
    """The generated facts, made afresh on each pass so that they are never all
    held at once: the peak memory is the engine's, not the engine's and the
    facts'. ``generating`` is the time spent making them, which is not build time."""

    def __init__(self, curated: Sequence[Fact], size: int, seed: int) -> None:
        self._curated = curated
        self._size = size
        self._seed = seed
        self.generating = 0.0

    def __iter__(self) -> Iterator[Fact]:
        from benchmarks.synthetic import generated_facts

        facts = generated_facts(self._curated, self._size, self._seed)
        while True:
            started = time.perf_counter()
            fact = next(facts, None)
            self.generating += time.perf_counter() - started
            if fact is None:
                return
            yield fact


def run_worker(size: int, engine: str, questions: int, seed: int) -> dict[str, Any]:
    """Build one engine over ``size`` facts and time it; runs in its own process."""
    from benchmarks.synthetic import question_mix
    from knowledge.curated import load_curated

    pin_to_one_core()
    facts = GeneratedFacts(load_curated().facts, size, seed)
    examples = [fact.question_texts for fact in facts]
    asked = question_mix(examples, questions)
    texts = len(examples) + sum(map(len, examples))
    del examples  # held only to draw the questions
    before = peak_megabytes()
    facts.generating = 0.0
    started = time.perf_counter()
    answer = _matcher(facts) if engine == "matcher" else _naive_scan(facts)
    build = time.perf_counter() - started - facts.generating
    latencies = []
    for question in asked:
        started = time.perf_counter()
        answer(question)
        latencies.append(time.perf_counter() - started)
    return {
        "facts": size,
        "texts": texts,
        "build": build,
        "latencies": latencies,
        "facts_mb": before,
        "peak_mb": peak_megabytes(),
    }


def _matcher(facts: Iterable[Fact]) -> Callable[[str], object]:
    from knowledge.matcher import Matcher

    return Matcher(facts).match


def _naive_scan(facts: Iterable[Fact]) -> Callable[[str], object]:
    from rapidfuzz import fuzz, process

    from knowledge.text import clean

    choices = [clean(text) for fact in facts for text in (fact.answer, *fact.question_texts)]

    def answer(question: str) -> object:
        return process.extractOne(
            clean(question), choices, scorer=fuzz.token_set_ratio, processor=None
        )

    return answer


# Run with ``python -c`` so that nothing of the project is imported before the clock starts.
_STARTUP_SCRIPT = f"""
import json, time
started = time.perf_counter()
from knowledge.curated import load_curated
from knowledge.matcher import Matcher
imported = time.perf_counter()
Matcher(load_curated().facts).match({STARTUP_QUESTION!r})
print(json.dumps({{"import": imported - started, "total": time.perf_counter() - started}}))
"""


def _subprocess_json(arguments: list[str]) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, *arguments],
        cwd=PROJECT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(output.splitlines()[-1]))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def print_latency(sizes: list[int], args: argparse.Namespace) -> None:
    rows = []
    for size in sizes:
        results = {}
        for engine in ENGINES:
            count = args.questions if engine == "matcher" else args.naive_questions
            results[engine] = _subprocess_json(
                [
                    "-m",
                    "benchmarks.latency",
                    "--worker",
                    str(size),
                    engine,
                    "--questions",
                    str(count),
                    "--seed",
                    str(args.seed),
                ]
            )
        mean = {engine: statistics.fmean(result["latencies"]) for engine, result in results.items()}
        for engine, result in results.items():
            latencies: list[float] = result["latencies"]
            speed_up = mean["naive"] / mean["matcher"]
            rows.append(
                [
                    f"{result['facts']:,}",
                    engine,
                    f"{result['texts']:,}",
                    f"{len(latencies)}",
                    f"{result['build']:.2f}",
                    *(f"{1000 * percentile(latencies, p):.2f}" for p in (0.50, 0.95, 0.99)),
                    f"{len(latencies) / sum(latencies):,.0f}",
                    f"{result['facts_mb']:.0f}",
                    f"{result['peak_mb']:.0f}",
                    f"{speed_up:,.0f}×" if engine == "matcher" else "",
                ]
            )
            print(f"  … {size:,} facts, {engine} done", file=sys.stderr, flush=True)
    headers = [
        "facts",
        "engine",
        "texts",
        "questions",
        "build s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "q/s",
        "MB before build",
        "peak MB",
        "speed-up",
    ]
    print("LATENCY (one core; speed-up = naive mean time / matcher mean time)")
    print(table(headers, rows, "rlrrrrrrrrrr"))


def print_hostile() -> None:
    """The matcher's time on hostile text (``benchmarks.hostile``: mentions, markup,
    control characters, 100,000-character repeats) beside a realistic mix of
    questions timed in the same process, at the curated size."""
    from benchmarks.hostile import hostile_questions
    from benchmarks.synthetic import question_mix
    from knowledge.curated import load_curated
    from knowledge.matcher import Matcher

    facts = load_curated().facts
    matcher = Matcher(facts)
    kinds = {
        "realistic mix": question_mix([fact.question_texts for fact in facts], DEFAULT_QUESTIONS),
        "hostile": hostile_questions(),
    }
    rows = []
    for kind, questions in kinds.items():
        latencies = []
        for question in questions:
            started = time.perf_counter()
            matcher.match(question)
            latencies.append(time.perf_counter() - started)
        rows.append(
            [
                kind,
                f"{len(questions)}",
                *(f"{1000 * percentile(latencies, p):.2f}" for p in (0.50, 0.95)),
                f"{1000 * max(latencies):.2f}",
            ]
        )
    print("HOSTILE QUESTIONS (curated facts, one process; the mix is the baseline)")
    print(table(["questions", "count", "p50 ms", "p95 ms", "max ms"], rows, "lrrrr"))


def print_startup(runs: int) -> None:
    from knowledge.index_cache import cache_path

    worker = [_subprocess_json(["-c", _STARTUP_SCRIPT]) for _ in range(runs)]
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "knowledge.db"
        saved_index = cache_path(database)
        assert saved_index is not None
        command = [sys.executable, "run_bot.py", "--db", str(database), "ask", STARTUP_QUESTION]
        environment = {**os.environ, "DISCORD_TOKEN": ""}
        # Creates the database, loads the curated facts and saves the matcher index.
        subprocess.run(command, cwd=PROJECT, check=True, capture_output=True, env=environment)
        asks: dict[str, list[tuple[float, float]]] = {"none": [], "saved": []}
        ready: dict[str, list[tuple[float, float]]] = {"none": [], "saved": []}
        for _ in range(runs):  # alternately, so that a busy moment hits both alike
            for index, times in asks.items():
                if index == "none":
                    saved_index.unlink()
                wall, cpu = time.perf_counter(), _children_cpu()
                subprocess.run(
                    command, cwd=PROJECT, check=True, capture_output=True, env=environment
                )
                times.append((time.perf_counter() - wall, _children_cpu() - cpu))
        for _ in range(runs):
            for index, times in ready.items():
                if index == "none":
                    saved_index.unlink()
                times.append(asyncio.run(_bot_ready_seconds(database)))
    print(f"\nSTART-UP (median of {runs} fresh processes; the bot: {runs} starts in this one)")
    ask = f"run_bot.py ask {STARTUP_QUESTION!r}, warm database"
    bot = "Discord bot: open knowledge base, log in, sync, ready (loopback double)"
    rows = [
        ["import knowledge", "", _median(w["import"] for w in worker), "", ""],
        [
            "import + build curated Matcher + first answer",
            "built",
            _median(w["total"] for w in worker),
            "",
            "",
        ],
    ]
    for step, timings in ((ask, asks), (bot, ready)):
        for index, times in timings.items():
            walls = [wall for wall, _ in times]
            rows.append(
                [
                    step,
                    "saved index loaded" if index == "saved" else "built (none saved)",
                    _median(walls),
                    _median(cpu for _, cpu in times),
                    f"{min(walls):.2f}-{max(walls):.2f}",
                ]
            )
    print(table(["step", "matcher index", "wall s", "CPU s", "wall range"], rows, "llrrl"))
    print(
        "CPU s: the ask process's user + system time; the bot's is this process's"
        " (the loopback double's share included)."
    )


def _median(values: Iterable[float]) -> str:
    return f"{statistics.median(values):.3f}"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _bot_ready_seconds(database: Path) -> tuple[float, float]:
    """Wall and CPU seconds from opening the (warm) knowledge base to the real
    bot's ``on_ready`` against the loopback double, with discord.py's own
    settings (including its wait for further servers, ``guild_ready_timeout``).

    Imported here, not at the top: the size workers must not carry discord.py
    in their memory figures.
    """
    from bot.client import KnowledgeBot
    from discord_double import DiscordDouble, patch_discord, running_client
    from knowledge.base import KnowledgeBase
    from tests.bot.conftest import bot_settings

    async with DiscordDouble() as double:
        with patch_discord(double):
            started, cpu = time.perf_counter(), time.process_time()
            kb = KnowledgeBase.open(database)
            bot = KnowledgeBot(bot_settings(double), kb)
            async with running_client(bot, double, guild_ready_timeout=None):
                ready = time.perf_counter() - started, time.process_time() - cpu
            kb.close()
    return ready


def store_generated(size: int, path: Path, seed: int) -> dict[str, Any]:
    """Store ``size`` generated facts in a new database at ``path``; runs in its own process."""
    from knowledge.curated import Curated, load_curated
    from knowledge.curated_sync import sync_curated
    from knowledge.database import open_database

    curated = load_curated()
    started = time.perf_counter()
    db = open_database(path)
    facts = tuple(GeneratedFacts(curated.facts, size, seed))
    sync_curated(db, Curated(sources=curated.sources, facts=facts))
    db.close()
    return {"seconds": time.perf_counter() - started}


def run_open_worker(mode: str, path: Path) -> dict[str, Any]:
    """Open the database at ``path`` the ``mode`` way and answer one question;
    runs in its own process, so that its peak memory is its own."""
    from knowledge.base import KnowledgeBase
    from knowledge.database import open_database
    from knowledge.facts import FactStore
    from knowledge.index_cache import cache_path
    from knowledge.matcher import Matcher

    pin_to_one_core()
    db = open_database(path)
    saved_index = cache_path(path)
    before = peak_megabytes()
    started = time.perf_counter()
    if mode == "list":
        matcher = Matcher(FactStore(db).facts())
    elif mode == "stream":
        matcher = KnowledgeBase(db)._matcher
    else:
        if mode == "stream+save" and saved_index is not None:
            saved_index.unlink(missing_ok=True)
        matcher = KnowledgeBase.open(path)._matcher  # with the curated check, as the bot opens
    opened = time.perf_counter() - started
    matcher.match(STARTUP_QUESTION)
    size = saved_index.stat().st_size if saved_index and saved_index.exists() else 0
    return {
        "seconds": opened,
        "mb_before": before,
        "peak_mb": peak_megabytes(),
        "saved_mb": size / 1e6,
    }


def print_memory(size: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "knowledge.db"
        stored = _subprocess_json(
            ["-m", "benchmarks.latency", "--store-worker", str(size), str(database), "--seed",
             str(seed)]
        )  # fmt: skip
        print(f"  … {size:,} facts stored in {stored['seconds']:.0f} s", file=sys.stderr)
        rows = []
        for mode, label in OPEN_MODES.items():
            result = _subprocess_json(
                ["-m", "benchmarks.latency", "--open-worker", mode, str(database)]
            )
            rows.append(
                [
                    label,
                    f"{result['seconds']:.2f}",
                    f"{result['mb_before']:.0f}",
                    f"{result['peak_mb']:.0f}",
                    f"{result['saved_mb']:.0f}" if mode != "list" else "",
                ]
            )
            print(f"  … {mode} done", file=sys.stderr, flush=True)
    print(f"\nOPENING A DATABASE OF {size:,} FACTS (fresh process each, one core)")
    print(table(["matcher", "open s", "MB before", "peak MB", "saved index MB"], rows, "lrrrr"))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        size, engine = args.worker
        print(json.dumps(run_worker(int(size), engine, args.questions, args.seed)))
        return 0
    if args.store_worker:
        size, path = args.store_worker
        print(json.dumps(store_generated(int(size), Path(path), args.seed)))
        return 0
    if args.open_worker:
        mode, path = args.open_worker
        print(json.dumps(run_open_worker(mode, Path(path))))
        return 0
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    if sizes:
        print_latency(sizes, args)
    if args.hostile:
        print_hostile()
    if args.startup_runs:
        print_startup(args.startup_runs)
    if args.memory:
        print_memory(args.memory, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
