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
start-up: importing the core and building the curated Matcher, and the real
``run_bot.py ask`` entry point against a warm temporary database.
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
    parser.add_argument("--worker", nargs=2, metavar=("SIZE", "ENGINE"), help=argparse.SUPPRESS)
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


def print_startup(runs: int) -> None:
    worker = [_subprocess_json(["-c", _STARTUP_SCRIPT]) for _ in range(runs)]
    with tempfile.TemporaryDirectory() as folder:
        command = [
            sys.executable,
            "run_bot.py",
            "--db",
            str(Path(folder) / "knowledge.db"),
            "ask",
            STARTUP_QUESTION,
        ]
        environment = {**os.environ, "DISCORD_TOKEN": ""}
        subprocess.run(command, cwd=PROJECT, check=True, capture_output=True, env=environment)
        asks = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(command, cwd=PROJECT, check=True, capture_output=True, env=environment)
            asks.append(time.perf_counter() - started)
        ready = [asyncio.run(_bot_ready_seconds(Path(folder))) for _ in range(runs)]
    print(f"\nSTART-UP (median of {runs} fresh processes; the bot: {runs} starts in this one)")
    print(
        table(
            ["step", "seconds"],
            [
                ["import knowledge", f"{statistics.median(w['import'] for w in worker):.3f}"],
                [
                    "import + build curated Matcher + first answer",
                    f"{statistics.median(w['total'] for w in worker):.3f}",
                ],
                [
                    f"run_bot.py ask {STARTUP_QUESTION!r} (warm database)",
                    f"{statistics.median(asks):.3f}",
                ],
                [
                    "Discord bot: open knowledge base, log in, sync, ready (loopback double)",
                    f"{statistics.median(ready):.3f}",
                ],
            ],
            "lr",
        )
    )


async def _bot_ready_seconds(folder: Path) -> float:
    """Seconds from opening the (warm) knowledge base to the real bot's ``on_ready``
    against the loopback double, with discord.py's own settings (including its
    wait for further servers, ``guild_ready_timeout``).

    Imported here, not at the top: the size workers must not carry discord.py
    in their memory figures.
    """
    from bot.client import KnowledgeBot
    from knowledge.base import KnowledgeBase
    from tests.bot.conftest import bot_settings
    from tests.bot.discord_double import DiscordDouble, patch_discord, running_client

    async with DiscordDouble() as double:
        with patch_discord(double):
            started = time.perf_counter()
            kb = KnowledgeBase.open(folder / "bot.db")
            bot = KnowledgeBot(bot_settings(double), kb)
            async with running_client(bot, double, guild_ready_timeout=None):
                ready = time.perf_counter() - started
            kb.db.close()
    return ready


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        size, engine = args.worker
        print(json.dumps(run_worker(int(size), engine, args.questions, args.seed)))
        return 0
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    print_latency(sizes, args)
    if args.startup_runs:
        print_startup(args.startup_runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
