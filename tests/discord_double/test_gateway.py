"""The gateway: login, intents and resuming a dropped connection."""

from __future__ import annotations

import asyncio

import discord
import pytest

from discord_double import DiscordDouble, Op, Perm, running_client
from tests.discord_double.tiny_bot import TinyBot, bot_intents


async def test_login_reaches_ready_with_guild_cached(discord_double: DiscordDouble) -> None:
    client = TinyBot(discord_double.guild.id)
    async with running_client(client, discord_double):
        assert client.user is not None and client.user.id == discord_double.bot_user.id
        assert client.application_id == discord_double.application_id
        guild = client.get_guild(discord_double.guild.id)
        assert guild is not None and guild.name == "Test Guild"
        assert [r.name for r in guild.roles] == ["@everyone", "Rep", "TestBot"]
        assert {c.name for c in guild.text_channels} == {"general", "other"}
        # Without GUILD_PRESENCES Discord sends only the bot's own member.
        assert guild.member_count == 4 and [m.id for m in guild.members] == [client.user.id]
        assert guild.me.guild_permissions.manage_messages

    first = discord_double.connections[0]
    assert first.path == "/gateway"
    # discord.py asks for zstd-stream when a zstd module is installed, else zlib-stream
    expected_compression = discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE
    assert first.query == {"v": "10", "encoding": "json", "compress": expected_compression}
    assert [f.op for f in discord_double.gateway_frames].count(Op.IDENTIFY) == 1
    assert discord_double.identify_payloads[0]["intents"] == client.intents.value
    assert [r.path for r in discord_double.requests][:2] == [
        "/users/@me",
        "/oauth2/applications/@me",
    ]


async def test_guild_content_is_blank_without_message_content_intent(
    discord_double: DiscordDouble,
) -> None:
    client = TinyBot(discord_double.guild.id, intents=bot_intents(message_content=False))
    async with running_client(client, discord_double):
        await discord_double.send_message(discord_double.member, discord_double.general, "secret")
        reply = await discord_double.wait_for_bot_message(discord_double.general)
        assert reply.json["content"].endswith("you said: ")

        since = discord_double.mark()
        await discord_double.send_message(
            discord_double.member, discord_double.general, f"{discord_double.bot_user.mention} hi"
        )
        reply = await discord_double.wait_for_bot_message(discord_double.general, since=since)
        assert reply.json["content"].endswith(f"you said: <@{discord_double.bot_user.id}> hi")


async def test_resume_after_drop_replays_missed_events(
    discord_double: DiscordDouble, bot: TinyBot
) -> None:
    session_id = discord_double.dispatched[0].data["session_id"]
    last_seq = discord_double.dispatched[-1].seq
    frames_before = len(discord_double.gateway_frames)

    await discord_double.drop_connection()
    sent = await discord_double.send_message(
        discord_double.member, discord_double.general, "still there?"
    )

    resume = await discord_double.wait_for_gateway_op(Op.RESUME, since=frames_before)
    assert resume.data["session_id"] == session_id and resume.data["seq"] == last_seq
    reply = await discord_double.wait_for_bot_message(discord_double.general)
    assert reply.json["content"].endswith("you said: still there?")
    await asyncio.wait_for(bot.resumed.wait(), 5)

    missed = next(e for e in discord_double.dispatched if e.data.get("id") == sent["id"])
    assert missed.seq == last_seq + 1
    delivery = next(d for d in discord_double.deliveries if d.seq == missed.seq)
    assert delivery.replayed and delivery.connection == resume.connection
    assert discord_double.connections[resume.connection].path == "/gateway-resume"
    seqs = [e.seq for e in discord_double.dispatched]
    assert seqs == list(range(1, len(seqs) + 1))
    assert (
        discord_double.gateway_frames.find(lambda f: f.op == Op.IDENTIFY, since=frames_before) == []
    )


async def test_message_content_intent_needs_the_portal_switch(
    discord_double: DiscordDouble,
) -> None:
    discord_double.application_flags = 0
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with running_client(TinyBot(discord_double.guild.id), discord_double):
            pass

    without = TinyBot(discord_double.guild.id, intents=bot_intents(message_content=False))
    async with running_client(without, discord_double):
        assert without.application_flags.value == 0


async def test_the_client_sees_the_portal_switch_and_channel_overwrites(
    discord_double: DiscordDouble,
) -> None:
    discord_double.other_channel.deny(discord_double.bot_role, Perm.SEND_MESSAGES)
    client = TinyBot(discord_double.guild.id)
    async with running_client(client, discord_double):
        assert client.application_flags.gateway_message_content_limited
        guild = client.get_guild(discord_double.guild.id)
        assert guild is not None
        other = guild.get_channel(discord_double.other_channel.id)
        general = guild.get_channel(discord_double.general.id)
        assert other is not None and general is not None
        assert not other.permissions_for(guild.me).send_messages
        assert other.permissions_for(guild.me).view_channel
        assert general.permissions_for(guild.me).send_messages
        info = await client.application_info()
        assert info.flags.gateway_message_content_limited
