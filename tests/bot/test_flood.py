"""A raid in the ask channel through the real client: every message is replied to,
but junk is not logged and one member's logged questions are capped per day."""

from __future__ import annotations

from typing import Any

import pytest

from discord_double import DiscordDouble, FakeChannel
from knowledge.base import KnowledgeBase
from knowledge.quota import MAX_LOGGED_PER_DAY
from tests.bot.conftest import running_bot
from tests.knowledge.test_flood import junk

pytestmark = pytest.mark.asyncio


async def reply_to(double: DiscordDouble, author: Any, channel: FakeChannel, text: str) -> str:
    """Post ``text`` and return the content of the bot's reply to it."""
    since = double.mark()
    asked = await double.send_message(author, channel, text)
    reply = (await double.wait_for_bot_message(channel, since=since)).json
    assert str(reply["message_reference"]["message_id"]) == asked["id"]
    return str(reply.get("content") or "")


async def test_one_member_is_capped_and_another_is_not(
    discord_double: DiscordDouble, kb: KnowledgeBase
) -> None:
    double = discord_double
    raider = double.add_member("raider")
    channel = double.other_channel  # the ask channel
    async with running_bot(double, kb):
        raided = [
            await reply_to(double, raider, channel, question + "?")
            for question in junk(MAX_LOGGED_PER_DAY + 2)
        ]
        member = await reply_to(double, double.member, channel, "when does the canteen open?")
    logged = ["logged this for a rep" in reply for reply in raided]
    assert logged == [True] * MAX_LOGGED_PER_DAY + [False] * 2
    assert "logged this for a rep" in member, "the raider's cap is not the member's"
    assert len(kb.unanswered_questions()) == MAX_LOGGED_PER_DAY + 1


async def test_a_question_without_content_is_replied_to_and_not_logged(
    discord_double: DiscordDouble, kb: KnowledgeBase
) -> None:
    async with running_bot(discord_double, kb):
        reply = await reply_to(
            discord_double, discord_double.member, discord_double.other_channel, "🙂🔥 ?!?"
        )
    assert reply and "logged this for a rep" not in reply
    assert kb.unanswered_questions() == []
