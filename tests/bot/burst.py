"""A burst of members' questions through the loopback double, for the load test and benchmark.

``ask_burst`` injects the questions as fast as the double takes them (in the
ask channel, by mention in another channel, and by DM), waits until every
one has had its reply or the time is up, and returns when each question was
sent, received by the bot, and replied to. The bot's processing time of a
question is from the bot receiving it to its reply reaching Discord.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import defaultdict
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import discord

from discord_double import DiscordDouble, FakeMember, RecordedRequest

KNOWN = ("who owns sscl?", "who owns SSCL", "what is ISSC2?", "is my payroll going offshore?")
"""Questions the curated facts answer or suggest for."""
UNKNOWN = (
    "what time does the canteen open?",
    "when is the car park resurfaced?",
    "who runs the staff gym on floor {n}?",
)
"""Questions they do not: logged for a rep (the last one differently each time)."""
MESSAGE_ROUTE = "/channels/{channel_id}/messages"


@dataclass
class Burst:
    """What happened to each question, by the id of the member's message."""

    sent: dict[str, float] = field(default_factory=dict)
    received: dict[str, float] = field(default_factory=dict)
    replies: dict[str, list[RecordedRequest]] = field(default_factory=lambda: defaultdict(list))
    replied_at: dict[str, float] = field(default_factory=dict)
    author: dict[str, int] = field(default_factory=dict)
    replied: asyncio.Event = field(default_factory=asyncio.Event)
    """Set at every reply to a question of the burst."""

    def unreplied(self) -> list[str]:
        return [message_id for message_id in self.sent if not self.replies.get(message_id)]

    def replied_twice(self) -> list[str]:
        return [message_id for message_id, found in self.replies.items() if len(found) > 1]

    def processing_ms(self) -> list[float]:
        return sorted(
            (self.replied_at[m] - self.received[m]) * 1000
            for m in self.sent
            if m in self.replied_at and m in self.received
        )


def percentile(values: Sequence[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def add_members(double: DiscordDouble, count: int) -> list[FakeMember]:
    """``count`` members (call before the bot connects)."""
    return [double.add_member(f"member{number:03d}") for number in range(count)]


def question_for(number: int) -> str:
    pool = KNOWN + UNKNOWN
    return pool[number % len(pool)].format(n=number)


def watch(double: DiscordDouble, bot: discord.Client, burst: Burst) -> None:
    """Timestamp the bot receiving each message and each reply reaching the double."""
    append = double.requests.append

    def record(request: RecordedRequest) -> None:
        if request.method == "POST" and request.route == MESSAGE_ROUTE:
            reference = (request.json or {}).get("message_reference") or {}
            message_id = str(reference.get("message_id", ""))
            if message_id in burst.sent:
                burst.replies[message_id].append(request)
                burst.replied_at.setdefault(message_id, time.perf_counter())
                burst.replied.set()
        append(request)

    double.requests.append = record  # type: ignore[method-assign]

    async def on_message(message: discord.Message) -> None:
        burst.received.setdefault(str(message.id), time.perf_counter())

    bot.add_listener(on_message)


async def ask_burst(
    double: DiscordDouble,
    bot: discord.Client,
    asks: Sequence[tuple[FakeMember, str]],
    *,
    within: float,
    paced: bool = False,
) -> Burst:
    """Inject every (member, question); return once each has a reply or ``within`` seconds pass.

    Members take turns between the ask channel, a mention in #general, and a
    DM. ``paced`` waits for each reply before the next question (no queue).
    """
    burst = Burst()
    watch(double, bot, burst)
    with suppress(TimeoutError):
        async with asyncio.timeout(within):
            for number, (member, question) in enumerate(asks):
                message_id = await _inject(double, member, question, number % 3)
                burst.sent[message_id] = time.perf_counter()
                burst.author[message_id] = member.id
                if paced:
                    await _all_replied(burst)
            await _all_replied(burst)
    await asyncio.sleep(0.1)  # a second reply, if there were one, would come now
    return burst


async def _inject(double: DiscordDouble, member: FakeMember, question: str, where: int) -> str:
    message: dict[str, Any]
    if where == 0:
        message = await double.send_message(member, double.other_channel, question)
    elif where == 1:
        text = f"{double.bot_user.mention} {question}"
        message = await double.send_message(member, double.general, text)
    else:
        message = await double.send_dm(member, question)
    return str(message["id"])


async def _all_replied(burst: Burst) -> None:
    while burst.unreplied():
        burst.replied.clear()
        await burst.replied.wait()
