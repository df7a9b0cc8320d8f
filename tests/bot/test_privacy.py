"""Members' privacy: what is held about a member, shown and deleted on request, and nothing else.

Trade-union membership is special-category data: a member's id is stored
only in ``notify_requests``, only after they press "Notify me", and goes
once they are told, on ``/forget-me``, or after the retention period.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.client import PURGE_EVERY_HOURS
from discord_double import DiscordDouble, patch_discord
from knowledge.base import KnowledgeBase
from tests.bot.conftest import TWIN_QUESTION, running_bot, twin_facts
from tests.bot.test_bot import (
    KNOWN_QUESTION,
    UNKNOWN_QUESTION,
    ask_command,
    ask_in_channel,
    click,
    command,
    double,
    fact_for,
    no_leaks,
)
from tests.cli.test_run_bot import run_bot

__all__ = ["double", "no_leaks"]  # the fixtures of test_bot: answered once, nobody pinged

SECOND_QUESTION = "when is the car park resurfaced?"
TOKEN = "TOKEN-MTIzNDU2Nzg5MDEyMzQ1Njc4.Gx1y2z.very-recognisable-secret"


def database_bytes(kb: KnowledgeBase) -> bytes:
    """The database file and its write-ahead log, as they are on disk."""
    path = Path(kb._db.execute("PRAGMA database_list").fetchone()[2])
    return b"".join(p.read_bytes() for p in path.parent.glob(f"{path.name}*") if p.is_file())


def places_holding(kb: KnowledgeBase, needle: str) -> set[str]:
    """``table.column`` of every stored value that contains ``needle``."""
    found = set()
    for table in kb._db.table_names():
        for row in kb._db[table].rows:
            found |= {f"{table}.{column}" for column, value in row.items() if needle in str(value)}
    return found


async def test_privacy_shows_a_member_exactly_what_is_held_and_forget_me_deletes_it(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    async with running_bot(double, kb):
        nothing = await command(double, double.member, "privacy")
        first = await ask_in_channel(double, double.member, double.other_channel, UNKNOWN_QUESTION)
        second = await ask_in_channel(double, double.member, double.other_channel, SECOND_QUESTION)
        first_entry, second_entry = (
            e for e in sorted(kb.unanswered_questions(), key=lambda e: e.id)
        )
        await click(double, double.member, first["id"], f"kb:notify:{first_entry.id}")
        await click(double, double.member, second["id"], f"kb:notify:{second_entry.id}")
        await click(double, double.rep_member, second["id"], f"kb:notify:{second_entry.id}")
        held = await command(double, double.member, "privacy")
        forgotten = await command(double, double.member, "forget-me")
        after = await command(double, double.member, "privacy")
        again = await command(double, double.member, "forget-me")

    assert nothing.ephemeral and nothing.embed.get("fields", []) == []
    assert held.ephemeral
    fields = {f["name"]: f["value"] for f in held.embed["fields"]}
    assert len(fields) == 2
    today = kb._unanswered.held_about(str(double.rep_member.id))[0].requested_at[:10]
    assert fields == {
        f"Question {first_entry.id} · since {today}": UNKNOWN_QUESTION,
        f"Question {second_entry.id} · since {today}": SECOND_QUESTION,
    }
    assert forgotten.ephemeral and "2" in forgotten.body["content"]
    assert kb._unanswered.held_about(str(double.member.id)) == []
    assert after.embed.get("fields", []) == []
    assert again.ephemeral and again.body["content"] != forgotten.body["content"]
    # another member's request is theirs: untouched
    assert len(kb._unanswered.held_about(str(double.rep_member.id))) == 1


async def test_a_members_id_is_stored_only_in_notify_requests_and_goes_with_forget_me(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    """Everything a member can do, then a search of every stored value for their id."""
    member = str(double.member.id)
    fact = fact_for(kb, "who owns sscl")
    twins = twin_facts(kb)
    async with running_bot(double, kb):
        answer = await ask_in_channel(double, double.member, double.other_channel, KNOWN_QUESTION)
        await click(double, double.member, answer["id"], f"kb:reject:{fact.id}:{member}")
        await click(double, double.member, answer["id"], f"kb:helpful:{fact.id}")
        choice = await ask_in_channel(double, double.member, double.other_channel, TWIN_QUESTION)
        await click(double, double.member, choice["id"], f"kb:choose:{twins[0].id}:{member}")
        await ask_command(double, double.member, UNKNOWN_QUESTION, private=True)
        unknown = await ask_in_channel(double, double.member, double.other_channel, SECOND_QUESTION)
        [entry] = [e for e in kb.unanswered_questions() if e.text == SECOND_QUESTION]
        await click(double, double.member, unknown["id"], f"kb:notify:{entry.id}")
        listing = await command(double, double.rep_member, "unanswered list")

        assert places_holding(kb, member) == {"notify_requests.user_id"}
        await command(double, double.member, "forget-me")

    assert places_holding(kb, member) == set()
    # reps see questions, counts and dates, never who asked
    assert SECOND_QUESTION in str(listing.embed)
    for trace in (member, double.member.user.username, "plain_member"):
        assert trace not in str(listing.body)


def unanswered_log(kb: KnowledgeBase) -> dict[str, list[dict[str, Any]]]:
    """The unanswered log's tables, without the times and the rep who closed a question."""
    left_out = {"first_asked_at", "last_asked_at", "closed_at", "closed_by", "requested_at"}
    return {
        table: [{k: v for k, v in row.items() if k not in left_out} for row in kb._db[table].rows]
        for table in ("unanswered", "unanswered_texts", "notify_requests")
    }


async def test_dismissing_stores_the_same_from_discord_and_the_command_line(
    double: DiscordDouble, kb: KnowledgeBase, tmp_path: Path
) -> None:
    """``/unanswered dismiss`` and ``run_bot.py unanswered dismiss`` are one operation:
    the question is closed and who asked to be notified is forgotten, either way."""
    console_path = tmp_path / "console.db"
    console = KnowledgeBase.open(console_path)
    member = "424242424242"
    entries = [base.ask(UNKNOWN_QUESTION, place="dm").logged for base in (kb, console)]
    assert entries[0] is not None and entries[1] is not None
    [entry_id] = {entry.id for entry in entries}
    for base in (kb, console):
        base.subscribe(entry_id, user_id=member, channel_id="1")
    console.close()

    async with running_bot(double, kb):
        await command(double, double.rep_member, "unanswered dismiss", {"id": entry_id})
    result = await asyncio.to_thread(
        run_bot, "unanswered", "dismiss", str(entry_id), db=console_path
    )
    assert result.returncode == 0, result.stderr
    console = KnowledgeBase.open(console_path)

    assert unanswered_log(console) == unanswered_log(kb)
    assert unanswered_log(kb)["notify_requests"] == []
    assert places_holding(kb, member) == places_holding(console, member) == set()
    console.close()


async def test_old_notify_requests_are_purged_by_the_daily_task(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    entry = kb.ask(UNKNOWN_QUESTION, place="dm").logged
    assert entry is not None
    async with running_bot(double, kb, notify_retention_days=30) as bot:
        assert bot.purge_notify_requests.is_running()
        assert bot.purge_notify_requests.hours == PURGE_EVERY_HOURS == 24
        kb.subscribe(entry.id, user_id="1", channel_id="1")
        kb.subscribe(entry.id, user_id="2", channel_id="1")
        kb._db.execute(
            "UPDATE notify_requests SET requested_at = '2000-01-01T00:00:00+00:00'"
            " WHERE user_id = '1'"
        )
        await bot.purge_notify_requests()  # what the loop runs each day

    assert kb._unanswered.held_about("1") == []
    assert [r.user_id for r in kb._unanswered.held_about("2")] == ["2"]


async def test_the_token_is_never_logged_stored_or_echoed(
    kb: KnowledgeBase, caplog: pytest.LogCaptureFixture
) -> None:
    """A recognisable token, DEBUG logging of everything, an error on the way: no trace of it."""
    async with DiscordDouble(token=TOKEN) as recognisable:
        with patch_discord(recognisable), caplog.at_level(logging.DEBUG):
            async with running_bot(recognisable, kb, token=TOKEN):
                await ask_in_channel(
                    recognisable, recognisable.member, recognisable.other_channel, KNOWN_QUESTION
                )
                await ask_command(recognisable, recognisable.member, UNKNOWN_QUESTION)
                await recognisable.drop_connection()  # a resume sends the token again
                await ask_in_channel(
                    recognisable, recognisable.member, recognisable.other_channel, KNOWN_QUESTION
                )
                kb._db.execute("PRAGMA max_page_count = 1")  # and a failure, logged
                await command(
                    recognisable,
                    recognisable.rep_member,
                    "fact add",
                    {"answer": "x" * 900, "questions": "y" * 250, "source": "z" * 90},
                )

    ours = [r for r in caplog.records if not r.name.startswith("tests.")]
    assert len(ours) > 10  # DEBUG logging of discord.py and the bot was captured
    logged = (
        "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.stack_info or ''}" for r in ours)
        + caplog.text
    )
    assert TOKEN not in logged
    assert TOKEN.encode() not in database_bytes(kb)
