"""The REST routes: command sync, messages, DMs, injected failures and Discord's refusals."""

from __future__ import annotations

import discord
import pytest

from discord_double import DiscordDouble
from tests.discord_double.tiny_bot import TinyBot


async def test_command_sync_records_bulk_overwrites(
    discord_double: DiscordDouble, bot: TinyBot
) -> None:
    app = discord_double.application_id
    global_put = discord_double.find_requests(method="PUT", path=f"/applications/{app}/commands")
    guild_put = discord_double.find_requests(
        method="PUT", path=f"/applications/{app}/guilds/{discord_double.guild.id}/commands"
    )
    assert len(global_put) == 1 and len(guild_put) == 1
    assert [c["name"] for c in global_put[0].json] == ["ping"]
    fact = guild_put[0].json[0]
    assert fact["name"] == "fact"
    assert {(o["name"], o["type"]) for o in fact["options"]} == {
        ("add", 1),
        ("suggest", 1),
        ("admin", 2),
    }

    registered = discord_double.registered_commands()
    assert [c.id for c in bot.synced["global"]] == [int(registered["ping"]["id"])]
    assert [c.id for c in bot.synced["guild"]] == [
        int(discord_double.registered_commands(guild=True)["fact"]["id"])
    ]


async def test_message_gets_reply_in_same_channel(
    discord_double: DiscordDouble, bot: TinyBot
) -> None:
    since = discord_double.mark()
    sent = await discord_double.send_message(
        discord_double.member, discord_double.general, "hello bot"
    )

    reply = await discord_double.wait_for_bot_message(discord_double.general, since=since)
    assert reply.params["channel_id"] == str(discord_double.general.id)
    assert reply.json["content"] == f"hi <@{discord_double.member.id}>, you said: hello bot"
    assert reply.json["allowed_mentions"]["parse"] == ["users"]
    assert str(reply.json["message_reference"]["message_id"]) == sent["id"]
    stored = discord_double.bot_messages(discord_double.general)[-1]
    assert stored["referenced_message"]["id"] == sent["id"]
    assert [m["id"] for m in stored["mentions"]] == [str(discord_double.member.id)]


async def test_dm_gets_reply_in_dm_channel(discord_double: DiscordDouble, bot: TinyBot) -> None:
    dm = discord_double.dm_channel(discord_double.member)
    await discord_double.send_dm(discord_double.member, "psst")

    reply = await discord_double.wait_for_bot_message(dm)
    assert reply.json["content"] == "dm echo: psst"
    assert discord_double.bot_messages(dm)[-1].get("guild_id") is None


async def test_bot_opens_dm_channel_to_send(discord_double: DiscordDouble, bot: TinyBot) -> None:
    await discord_double.send_message(discord_double.rep_member, discord_double.general, "!dmme")

    opened = await discord_double.wait_for_request(method="POST", path="/users/@me/channels")
    assert opened.json == {"recipient_id": discord_double.rep_member.id}
    reply = await discord_double.wait_for_bot_message(
        discord_double.dm_channel(discord_double.rep_member)
    )
    assert reply.json["content"] == "hello in DM"


async def test_injected_rest_failure_reaches_the_bot(
    discord_double: DiscordDouble, bot: TinyBot
) -> None:
    discord_double.fail_next(
        "POST",
        "/channels/{channel_id}/messages",
        status=403,
        code=50007,
        message="Cannot send messages to this user",
    )
    await discord_double.send_message(discord_double.member, discord_double.general, "!dmme")

    reply = await discord_double.wait_for_bot_message(discord_double.general)
    assert reply.json["content"] == "I can't DM you"
    failed = discord_double.find_requests(method="POST", route="/channels/{channel_id}/messages")[0]
    assert failed.status == 403
    assert failed.params["channel_id"] == str(discord_double.dm_channel(discord_double.member).id)
    with pytest.raises(ValueError, match="unknown route"):
        discord_double.fail_next("DELETE", "/channels/{channel_id}/messages")


async def test_unknown_route_is_recorded_and_404s(
    discord_double: DiscordDouble, bot: TinyBot
) -> None:
    with pytest.raises(discord.NotFound) as raised:
        await bot.http.request(discord.http.Route("GET", "/not/a/route/{x}", x=1))

    assert raised.value.code == 0 and raised.value.text == "404: Not Found"
    recorded = discord_double.find_requests(path="/not/a/route/1")
    assert len(recorded) == 1 and not recorded[0].matched and recorded[0].status == 404


@pytest.mark.parametrize(
    ("content", "code"), [("", 50006), ("x" * 2001, 50035)], ids=["empty", "over-long"]
)
async def test_message_discord_would_refuse_is_refused(
    discord_double: DiscordDouble, bot: TinyBot, content: str, code: int
) -> None:
    route = discord.http.Route(
        "POST", "/channels/{channel_id}/messages", channel_id=discord_double.general.id
    )
    with pytest.raises(discord.HTTPException) as raised:
        await bot.http.request(route, json={"content": content})

    assert raised.value.status == 400 and raised.value.code == code
    assert discord_double.bot_messages(discord_double.general) == []
