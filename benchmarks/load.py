"""Load benchmark: ``python -m benchmarks.load [--questions N] [--members M]``.

Runs the real bot against the loopback Discord double (``discord_double``) and
sends a burst of questions (default 1,000 from 200 members, in the ask
channel, by mention and by DM). Prints how many got exactly one reply, none,
or more than one, how many were logged for reps, and the bot's processing
time per question (from receiving the message to its reply reaching
Discord; p50, p99, max) beside the knowledge base's own time per question.
Then one member floods while the others ask once each: the cooldown must
stop the one and nobody else. Exits 1 if a promise is broken.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bot.client import KnowledgeBot
from discord_double import DiscordDouble, patch_discord, running_client
from knowledge import KnowledgeBase, Reply
from tests.bot.burst import Burst, add_members, ask_burst, percentile, question_for
from tests.bot.conftest import bot_settings

FLOOD = 50
PACED = 200


class TimedKnowledgeBase(KnowledgeBase):
    """The knowledge base, timing each question it is asked."""

    asks_ms: list[float]

    def ask(self, question: str, *, place: str, asker: str | None = None) -> Reply:
        started = time.perf_counter()
        try:
            return super().ask(question, place=place, asker=asker)
        finally:
            self.asks_ms.append((time.perf_counter() - started) * 1000)


def open_kb(directory: Path) -> TimedKnowledgeBase:
    kb = TimedKnowledgeBase.open(directory / "knowledge.db")
    kb.asks_ms = []
    return kb


def figures(label: str, values: list[float]) -> str:
    if not values:
        return f"{label}: no figures"
    return (
        f"{label}: p50 {percentile(values, 0.5):.1f} ms, p99 {percentile(values, 0.99):.1f} ms,"
        f" max {max(values):.1f} ms, mean {statistics.fmean(values):.1f} ms"
    )


async def burst_run(questions: int, member_count: int, directory: Path) -> bool:
    kb = open_kb(directory)
    async with DiscordDouble() as double:
        with patch_discord(double):
            members = add_members(double, member_count)
            asks = [(members[n % member_count], question_for(n)) for n in range(questions)]
            bot = KnowledgeBot(bot_settings(double), kb)
            async with running_client(bot, double):
                started = time.perf_counter()
                burst = await ask_burst(double, bot, asks, within=120)
                elapsed = time.perf_counter() - started
                asked_in_burst = len(kb.asks_ms)
                paced = await ask_burst(double, bot, asks[:PACED], within=60, paced=True)
    kb_ms = sorted(kb.asks_ms[:asked_in_burst])
    stats = kb.stats(1)
    logged = sum(entry.count for entry in kb.unanswered_questions())
    once = sum(len(found) == 1 for found in burst.replies.values())
    print(
        f"burst: {questions} questions from {member_count} members in {elapsed:.2f} s"
        f" ({questions / elapsed:.0f} a second, {elapsed * 1000 / questions:.1f} ms each)"
    )
    print(
        f"  replied once {once}, twice or more {len(burst.replied_twice())},"
        f" not replied {len(burst.unreplied())}"
    )
    print(
        f"  counted {stats.asked} (with the paced ones): answered {stats.answered},"
        f" suggested {stats.suggested}, logged for reps {stats.unanswered} (log holds {logged})"
    )
    print("  " + figures("bot processing per question, queue included", burst.processing_ms()))
    print("  " + figures("knowledge base per question", kb_ms))
    print(f"paced: {PACED} questions, each sent after the previous reply")
    print("  " + figures("bot processing per question", paced.processing_ms()))
    kb.close()
    paced_once = not paced.unreplied() and not paced.replied_twice()
    counted = stats.asked == questions + PACED and logged == stats.unanswered
    return once == questions and paced_once and counted


async def cooldown_run(member_count: int, directory: Path) -> bool:
    kb = open_kb(directory)
    async with DiscordDouble() as double:
        with patch_discord(double):
            members = add_members(double, member_count)
            flooder, others = members[0], members[1:]
            asks = [(flooder, question_for(0))] * FLOOD
            asks += [(member, question_for(n)) for n, member in enumerate(others)]
            settings = dataclasses.replace(bot_settings(double), question_cooldown_seconds=10)
            bot = KnowledgeBot(settings, kb)
            async with running_client(bot, double):
                burst: Burst = await ask_burst(double, bot, asks, within=3)
    replies = Counter(burst.author[m] for m, found in burst.replies.items() for _ in found)
    others_once = sum(replies[member.id] == 1 for member in others)
    print(
        f"cooldown: one member sent {FLOOD} and got {replies[flooder.id]} replies"
        " (an answer and one 'please wait');"
        f" {others_once} of the {len(others)} others got exactly one"
    )
    kb.close()
    return replies[flooder.id] == 2 and others_once == len(others)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=1_000)
    parser.add_argument("--members", type=int, default=200)
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as burst_dir, tempfile.TemporaryDirectory() as flood_dir:
        kept = asyncio.run(burst_run(arguments.questions, arguments.members, Path(burst_dir)))
        kept &= asyncio.run(cooldown_run(arguments.members, Path(flood_dir)))
    print("all promises kept" if kept else "A PROMISE WAS BROKEN")
    return 0 if kept else 1


if __name__ == "__main__":
    sys.exit(main())
