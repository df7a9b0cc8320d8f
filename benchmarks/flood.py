"""Flood benchmark: ``python -m benchmarks.flood [--accounts 50] [--each 100]``.

A raid through the loopback Discord double: ``accounts`` accounts each post
``each`` distinct junk questions in the ask channel (one in ten only emoji and
punctuation), while a few members ask real questions in the same burst, one
answered by a fact and one the facts do not answer. The cooldown is off, so
only the core's limits stand in the raid's way.

The same burst runs twice in one process: first with the limits lifted, as
before them (every unanswered question logged), as the baseline; then as the
bot is. For each it prints whether every
question got exactly one reply and each real one its answer or its logged
entry, the unanswered log's size after the burst and where the real question
ranks in reps' list, the knowledge base's time per question at the start and
at the end of the burst, and the time to group one more question against the
log the burst left. Exits 1 if a promise is broken.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import string
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from benchmarks.load import TimedKnowledgeBase
from bot.client import KnowledgeBot
from discord_double import DiscordDouble, FakeMember, patch_discord, running_client
from tests.bot.burst import Burst, add_members, watch
from tests.bot.conftest import bot_settings

REAL_MEMBERS = 5
ANSWERED = "who owns sscl?"
LOGGED = "what time does the canteen open?"
"""Each real member asks both, spread through the burst."""
EDGE = 500
"""Questions at each end of the burst whose time per question is compared."""
PROBES = 200


class UnlimitedKnowledgeBase(TimedKnowledgeBase):
    """The knowledge base as it was before the flood limits: every unanswered
    question is logged, whoever asked and whatever it says."""

    def _worth_logging(self, question: str, asker: str | None) -> bool:
        return True


@dataclass
class Outcome:
    label: str
    kept: bool
    lines: list[str]


def junk(accounts: int, each: int, rng: random.Random) -> list[list[str]]:
    """Each account's distinct junk, ending in "?" so that the ask channel takes it
    for a question; one in ten without a word the analyser keeps."""

    def one(number: int) -> str:
        if number % 10 == 9:
            return "".join(rng.choices("!.🙂🔥💯 ", k=12)) + "?"
        return " ".join("".join(rng.choices(string.ascii_lowercase, k=7)) for _ in range(3)) + "?"

    return [[one(n) for n in range(each)] for _ in range(accounts)]


def mean_ms(values: list[float]) -> str:
    return f"{statistics.fmean(values):.2f} ms" if values else "no figures"


async def raid(
    kb: TimedKnowledgeBase, accounts: int, each: int, within: float
) -> tuple[Burst, dict[str, str]]:
    """Send the burst in the ask channel; return it and each real question's message id."""
    async with DiscordDouble() as double:
        with patch_discord(double):
            raiders = add_members(double, accounts)
            members = [double.add_member(f"real{n}") for n in range(REAL_MEMBERS)]
            rng = random.Random(16)
            questions = junk(accounts, each, rng)
            asks: list[tuple[FakeMember, str]] = [
                (raiders[a], questions[a][n]) for n in range(each) for a in range(accounts)
            ]
            real: list[tuple[FakeMember, str]] = [
                (member, question) for member in members for question in (ANSWERED, LOGGED)
            ]
            step = len(asks) // (len(real) + 1)
            for number, ask in enumerate(real, start=1):
                asks.insert(number * step + number - 1, ask)
            bot = KnowledgeBot(bot_settings(double), kb)
            real_ids: dict[str, str] = {}
            async with running_client(bot, double):
                burst = Burst()
                watch(double, bot, burst)
                with suppress(TimeoutError):
                    async with asyncio.timeout(within):
                        for member, question in asks:
                            message = await double.send_message(
                                member, double.other_channel, question
                            )
                            burst.sent[message["id"]] = time.perf_counter()
                            burst.author[message["id"]] = member.id
                            if member in members:
                                real_ids[message["id"]] = question
                        while burst.unreplied():
                            burst.replied.clear()
                            await burst.replied.wait()
                await asyncio.sleep(0.1)  # a second reply, if there were one, would come now
    return burst, real_ids


async def run(label: str, kb: TimedKnowledgeBase, accounts: int, each: int) -> Outcome:
    started = time.perf_counter()
    burst, real_ids = await raid(kb, accounts, each, within=600)
    elapsed = time.perf_counter() - started
    sent = len(burst.sent)
    once = sum(len(found) == 1 for found in burst.replies.values())
    real_ok = 0
    for message_id, question in real_ids.items():
        found = burst.replies.get(message_id, [])
        body = found[0].json if len(found) == 1 and isinstance(found[0].json, dict) else {}
        if question == ANSWERED:
            real_ok += bool(body.get("embeds"))
        else:
            real_ok += "logged this for a rep" in str(body.get("content", ""))
    entries = kb.unanswered_questions()
    rank = next((n for n, e in enumerate(entries, 1) if e.text == LOGGED), None)
    asks = kb.asks_ms
    probes = junk(1, PROBES, random.Random(61))[0]
    grouping: list[float] = []
    for probe in probes:
        probe_started = time.perf_counter()
        kb._unanswered.open_entry(probe)  # the grouping step alone, nothing recorded
        grouping.append((time.perf_counter() - probe_started) * 1000)
    lines = [
        f"{sent} questions in {elapsed:.1f} s; replied once {once},"
        f" not replied {len(burst.unreplied())}, twice or more {len(burst.replied_twice())}",
        f"real questions answered or logged: {real_ok} of {len(real_ids)};"
        f" the real unanswered one ranks {rank} in /unanswered list",
        f"unanswered log after the burst: {len(entries)} open entries,"
        f" {sum(e.count for e in entries)} asks counted",
        f"knowledge base per question: first {EDGE} {mean_ms(asks[:EDGE])},"
        f" last {EDGE} {mean_ms(asks[-EDGE:])}",
        f"grouping one more question against that log: {mean_ms(grouping)}",
    ]
    kept = once == sent and real_ok == len(real_ids)
    return Outcome(label, kept, lines)


def open_kb(cls: type[TimedKnowledgeBase], directory: Path) -> TimedKnowledgeBase:
    kb = cls.open(directory / "knowledge.db")
    kb.asks_ms = []
    return kb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--each", type=int, default=100)
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    outcomes = []
    with tempfile.TemporaryDirectory() as before, tempfile.TemporaryDirectory() as after:
        kb = open_kb(UnlimitedKnowledgeBase, Path(before))
        outcomes.append(
            asyncio.run(run("before (no limits)", kb, arguments.accounts, arguments.each))
        )
        kb.close()
        kb = open_kb(TimedKnowledgeBase, Path(after))
        outcomes.append(asyncio.run(run("after (limits)", kb, arguments.accounts, arguments.each)))
        kb.close()
    print(f"{arguments.accounts} accounts x {arguments.each} junk questions in the ask channel,")
    print(f"and {REAL_MEMBERS} members each asking {ANSWERED!r} and {LOGGED!r}")
    for outcome in outcomes:
        print(outcome.label)
        for line in outcome.lines:
            print("  " + line)
    kept = outcomes[-1].kept
    print("all promises kept" if kept else "A PROMISE WAS BROKEN")
    return 0 if kept else 1


if __name__ == "__main__":
    sys.exit(main())
