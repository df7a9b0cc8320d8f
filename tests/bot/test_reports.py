"""Reps hear about it: the weekly digest and each change to a fact in the reps'
channel, and the chart of questions per week in ``/kb stats``."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import struct
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.chart import HEIGHT_PX, WIDTH_PX
from bot.client import KnowledgeBot
from bot.digest import digest_due, digest_embed
from bot.limits import EMBED_FIELD_VALUE_CHARS, EMBED_TOTAL_CHARS
from discord_double import DiscordDouble, FakeChannel
from knowledge.base import KnowledgeBase
from knowledge.models import Digest, FactChange
from tests.bot.conftest import running_bot
from tests.bot.test_bot import command, double, no_leaks

__all__ = ["double", "no_leaks"]  # the fixtures of test_bot: answered once, nobody pinged

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
UNKNOWN_QUESTION = "what time does the canteen open"


@pytest.fixture
def reps(double: DiscordDouble) -> FakeChannel:
    """The reps' channel, added to the double's server."""
    return double.add_channel("reps")


async def eventually(condition: Callable[[], bool]) -> None:
    for _ in range(300):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("it never happened")


async def check_digest_now(bot: KnowledgeBot) -> None:
    """Look for a due digest as the hourly check does, once more, now."""
    cog = bot.get_cog("Reports")
    assert cog is not None
    await cog.weekly_digest()  # type: ignore[attr-defined]


def fields_of(message: dict[str, Any]) -> dict[str, str]:
    return {field["name"]: field["value"] for field in message["embeds"][0]["fields"]}


def pinged_nobody(message: dict[str, Any]) -> bool:
    return (
        message["mentions"] == []
        and message["mention_roles"] == []
        and not (message["mention_everyone"])
    )


async def test_the_weekly_digest_reaches_the_reps_channel_once_and_pings_nobody(
    double: DiscordDouble, reps: FakeChannel, kb: KnowledgeBase
) -> None:
    for _ in range(2):
        kb.ask(UNKNOWN_QUESTION, place="console")
    kb.ask("@everyone is there parking at the office", place="console")
    kb.choose("a wording a member chose", kb.facts()[1].id)
    fact = kb.add_fact(
        answer="The branch social is on Friday.",
        source_key=kb.sources()[0].key,
        quote="",
        questions=["when is the branch social"],
        actor="console",
    )

    async with running_bot(double, kb, rep_channel_id=reps.id) as bot:
        await double.wait_for_bot_message(reps)
        await eventually(lambda: kb.last_digest_at() is not None)
        await check_digest_now(bot)
    async with running_bot(double, kb, rep_channel_id=reps.id) as bot:  # restarted
        await asyncio.sleep(0.5)  # its check at start-up
        await check_digest_now(bot)

    [digest] = double.bot_messages(reps)
    fields = fields_of(digest)
    questions = next(value for name, value in fields.items() if name.startswith("New unanswered"))
    assert questions.index(UNKNOWN_QUESTION) < questions.index("parking"), "most asked first"
    changes = next(value for name, value in fields.items() if name.startswith("Facts"))
    assert f"Fact {fact.id} · add" in changes
    assert "more — /fact show" in changes, "the curated facts loaded this week are cut to fit"
    assert "Wordings waiting for review: 1" in fields
    assert pinged_nobody(digest)


async def test_each_change_to_a_fact_is_one_line_naming_the_rep_without_a_ping(
    double: DiscordDouble, reps: FakeChannel, kb: KnowledgeBase
) -> None:
    kb.record_digest(kb.digest())  # this week's digest is out: only the change lines follow
    source = kb.sources()[0].key
    async with running_bot(double, kb, rep_channel_id=reps.id):
        added = await command(
            double,
            double.rep_member,
            "fact add",
            {
                "answer": "The social is on Friday.",
                "questions": "when is the social",
                "source": source,
            },
        )
        fact_id = int(added.body["content"].split()[2].rstrip("."))
        await command(double, double.rep_member, "fact edit", {"id": fact_id, "answer": "Sunday."})
        await command(double, double.rep_member, "fact remove", {"id": fact_id})
        since = 0
        for _ in range(3):
            since = (await double.wait_for_bot_message(reps, since=since)).index + 1

    lines = double.bot_messages(reps)
    assert [line["content"].split(":")[0] for line in lines] == [
        f"{double.rep_member.mention} added fact {fact_id}",
        f"{double.rep_member.mention} edited fact {fact_id} (answer)",
        f"{double.rep_member.mention} removed fact {fact_id}",
    ]
    assert "Friday" in lines[0]["content"] and "Sunday" in lines[1]["content"]
    assert all(pinged_nobody(line) for line in lines)


async def test_resolving_with_teaching_is_told_to_reps(
    double: DiscordDouble, reps: FakeChannel, kb: KnowledgeBase
) -> None:
    kb.record_digest(kb.digest())
    entry = kb.ask(UNKNOWN_QUESTION, place="console").logged
    assert entry is not None
    fact = kb.facts()[0]
    async with running_bot(double, kb, rep_channel_id=reps.id):
        await command(
            double, double.rep_member, "unanswered resolve", {"id": entry.id, "fact": fact.id}
        )
        await double.wait_for_bot_message(reps)

    [line] = double.bot_messages(reps)
    assert f"resolved question {entry.id} with fact {fact.id}" in line["content"]
    assert pinged_nobody(line)


async def test_a_missing_reps_channel_is_logged_and_the_rep_command_still_succeeds(
    double: DiscordDouble, kb: KnowledgeBase, caplog: pytest.LogCaptureFixture
) -> None:
    missing = 123_456_789
    fact = kb.facts()[0]

    def warnings() -> list[logging.LogRecord]:
        return [r for r in caplog.records if str(missing) in r.getMessage()]

    with caplog.at_level(logging.WARNING, logger="bot.rep_channel"):
        async with running_bot(double, kb, rep_channel_id=missing):
            await eventually(lambda: len(warnings()) == 1)  # the digest at start-up
            removed = await command(double, double.rep_member, "fact remove", {"id": fact.id})
            await eventually(lambda: len(warnings()) == 2)  # the line for the change

    assert f"Removed fact {fact.id}" in removed.body["content"]
    assert kb.facts()[0].id != fact.id
    assert kb.last_digest_at() is None, "an unposted digest is tried again, not recorded"


async def test_kb_stats_attaches_a_chart_of_questions_per_week(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    kb.ask("who owns sscl", place="console")
    kb.ask(UNKNOWN_QUESTION, place="console")
    async with running_bot(double, kb):
        shown = await command(double, double.rep_member, "kb stats")

    [upload] = [request for request in double.requests if request.files]
    [(name, png)] = upload.files.items()
    assert png.startswith(PNG_SIGNATURE) and png[12:16] == b"IHDR"
    assert struct.unpack(">II", png[16:24]) == (WIDTH_PX, HEIGHT_PX)
    assert shown.ephemeral
    assert shown.embed["image"]["url"] == f"attachment://{name}"


async def test_kb_stats_says_there_is_nothing_to_chart_without_questions(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    async with running_bot(double, kb):
        shown = await command(double, double.rep_member, "kb stats")

    assert not any(request.files for request in double.requests)
    assert "image" not in shown.embed
    assert "nothing to chart" in fields_of(shown.body)["Questions per week"]


MONDAY_8 = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("last", "now", "due"),
    [
        (None, MONDAY_8 + timedelta(days=2), True),  # never posted: at once
        (MONDAY_8 + timedelta(minutes=1), MONDAY_8 + timedelta(days=6), False),  # posted this week
        (MONDAY_8 - timedelta(days=2), MONDAY_8 - timedelta(seconds=1), False),  # not yet Monday 8
        (MONDAY_8 - timedelta(days=7), MONDAY_8, True),  # Monday 8:00
        (MONDAY_8 - timedelta(days=20), MONDAY_8 + timedelta(days=3), True),  # down: catch up
    ],
)
def test_a_digest_is_due_once_a_week_from_monday_8_utc(
    last: datetime | None, now: datetime, due: bool
) -> None:
    assert digest_due(last, now) is due


def test_a_long_digest_is_cut_to_fit_discord_and_points_to_the_rest(kb: KnowledgeBase) -> None:
    entry = kb.ask(UNKNOWN_QUESTION, place="console").logged
    assert entry is not None
    long_entry = dataclasses.replace(entry, text="why " * 400)
    digest = Digest(
        since=MONDAY_8 - timedelta(weeks=1),
        until=MONDAY_8,
        new_unanswered=(long_entry,) * 500,
        fact_changes=(FactChange(1, ("edit",) * 50, "answer " * 300),) * 500,
        pending_proposals=(),
    )
    embed = digest_embed(digest)
    assert len(embed) <= EMBED_TOTAL_CHARS
    assert all(len(field.value or "") <= EMBED_FIELD_VALUE_CHARS for field in embed.fields)
    questions, changes, proposals = (field.value or "" for field in embed.fields)
    assert questions.endswith("more — /unanswered list") and changes.endswith("more — /fact show")
    assert proposals == "None."


def test_the_digest_marks_questions_that_got_only_suggestions(kb: KnowledgeBase) -> None:
    entry = kb.ask(UNKNOWN_QUESTION, place="console").logged
    assert entry is not None
    suggested = dataclasses.replace(entry, id=entry.id + 1, text="is sscl safe", suggested=True)
    digest = Digest(
        since=MONDAY_8 - timedelta(weeks=1),
        until=MONDAY_8,
        new_unanswered=(entry, suggested),
        fact_changes=(),
        pending_proposals=(),
    )
    questions = (digest_embed(digest).fields[0].value or "").splitlines()
    assert questions[0].startswith(f"#{entry.id} · 1× · ") and "suggested" not in questions[0]
    assert questions[1].startswith(f"#{entry.id + 1} · 1× · suggested · is sscl safe")
