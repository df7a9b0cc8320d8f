"""The bot under load, across a dropped connection, and with a database it cannot write.

Through the real discord.py client and the loopback double. The figures for
a full-size burst (1,000 questions from 200 members) come from
``python -m benchmarks.load``; here a small burst checks the same promises.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from bot.errors import NOT_SAVED
from bot.replies import NOT_LOGGED
from discord_double import DiscordDouble, Op
from knowledge.base import KnowledgeBase
from tests.bot.burst import add_members, ask_burst, question_for
from tests.bot.conftest import running_bot
from tests.bot.test_bot import KNOWN_QUESTION, UNKNOWN_QUESTION, ask_command, command

pytestmark = pytest.mark.asyncio


def logged_replies(double: DiscordDouble) -> int:
    return sum("(question " in (m.get("content") or "") for m in double.bot_messages())


async def test_a_burst_gets_exactly_one_reply_per_question_and_logs_the_unknown(
    discord_double: DiscordDouble, kb: KnowledgeBase
) -> None:
    double = discord_double
    members = add_members(double, 20)
    asks = [(members[n % 20], question_for(n)) for n in range(60)]
    async with running_bot(double, kb) as bot:
        burst = await ask_burst(double, bot, asks, within=20)

    assert burst.unreplied() == [] and burst.replied_twice() == []
    stats = kb.stats(1)
    assert stats.asked == len(asks)  # every question counted once
    logged = sum(entry.count for entry in kb.unanswered_questions())
    assert logged == stats.unanswered == logged_replies(double) > 0
    for requests in burst.replies.values():
        assert requests[0].json["allowed_mentions"]["parse"] == []


async def test_the_cooldown_stops_one_member_flooding_but_not_the_others(
    discord_double: DiscordDouble, kb: KnowledgeBase
) -> None:
    double = discord_double
    members = add_members(double, 10)
    flooder, others = members[0], members[1:]
    asks = [(flooder, KNOWN_QUESTION)] * 15 + [(member, KNOWN_QUESTION) for member in others]
    async with running_bot(double, kb, question_cooldown_seconds=60) as bot:
        burst = await ask_burst(double, bot, asks, within=0.5)

    by_author = Counter(burst.author[m] for m, found in burst.replies.items() for _ in found)
    assert by_author[flooder.id] == 2  # one answer, one "please wait", then silence
    assert all(by_author[member.id] == 1 for member in others)
    assert burst.replied_twice() == []
    assert kb.stats(1).asked == 1 + len(others)


async def test_no_question_is_lost_when_the_connection_drops_mid_burst(
    discord_double: DiscordDouble, kb: KnowledgeBase
) -> None:
    double = discord_double
    members = add_members(double, 5)
    first = [(members[n % 5], question_for(n)) for n in range(10)]
    second = [(members[n % 5], question_for(n)) for n in range(10, 20)]
    async with running_bot(double, kb) as bot:
        frames = len(double.gateway_frames)
        before = asyncio.ensure_future(ask_burst(double, bot, first, within=10))
        await asyncio.sleep(0)
        await double.drop_connection()
        after = await ask_burst(double, bot, second, within=10)  # buffered until RESUME
        earlier = await before
        await double.wait_for_gateway_op(Op.RESUME, since=frames)

    assert double.gateway_frames.find(lambda f: f.op == Op.IDENTIFY, since=frames) == []
    for burst in (earlier, after):
        assert burst.unreplied() == [] and burst.replied_twice() == []
    assert kb.stats(1).asked == 20


# --------------------------------------------------------------------------- #
# A database the bot cannot write
# --------------------------------------------------------------------------- #


@pytest.fixture
def read_only_kb(kb: KnowledgeBase) -> Iterator[KnowledgeBase]:
    """The knowledge base on a ``mode=ro`` connection to the same file."""
    path = Path(kb._db.execute("PRAGMA database_list").fetchone()[2])
    connection = sqlite3.connect(
        f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
    )
    yield KnowledgeBase(sqlite_utils.Database(connection))
    connection.close()


@pytest.fixture
def full_disk_kb(kb: KnowledgeBase) -> KnowledgeBase:
    """The knowledge base whose database may not grow by a page (a full disk)."""
    kb._db.execute("PRAGMA max_page_count = 1")  # SQLite raises it to the current size
    return kb


@pytest.mark.parametrize("storage", ["read_only_kb", "full_disk_kb"])
async def test_an_unwritable_database_answers_members_and_tells_reps_nothing_was_saved(
    discord_double: DiscordDouble,
    storage: str,
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
) -> None:
    double = discord_double
    kb: KnowledgeBase = request.getfixturevalue(storage)
    facts_before = kb.facts()
    big_questions = ";".join(f"example question {n} " + "x" * 250 for n in range(40))
    async with running_bot(double, kb):
        with caplog.at_level(logging.ERROR):
            _, answer = await ask_command(double, double.member, KNOWN_QUESTION)
            _, unknown = await ask_command(
                double, double.member, UNKNOWN_QUESTION + " and the gym " * 60
            )
            added = await command(
                double,
                double.rep_member,
                "fact add",
                {"answer": "B" * 900, "questions": big_questions, "source": "Minutes " * 30},
            )
            _, again = await ask_command(double, double.member, KNOWN_QUESTION)

    assert answer.embed["footer"]["text"].startswith("Fact ")
    assert again.embed["footer"]["text"].startswith("Fact ")  # it keeps answering
    if storage == "read_only_kb":  # nothing can be logged: the member is told so
        assert unknown.body["content"] == NOT_LOGGED
    assert added.ephemeral and added.body["content"] == NOT_SAVED
    assert "could not save" in NOT_SAVED.lower()
    reason = "readonly" if storage == "read_only_kb" else "full"
    assert any(
        r.name.startswith("bot.") and "could not be saved" in r.getMessage() and reason in
        r.getMessage() for r in caplog.records
    )  # fmt: skip
    assert kb.facts() == facts_before
