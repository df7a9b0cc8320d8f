"""Self-tests for the Discord test double, driven by a real (tiny) discord.py bot.

The bot below is test-only code: it exists to prove that an unmodified
discord.py client can log in to the double, sync commands and answer every
kind of injected event.
"""

# next_seen(timeout=) mirrors the double's waiting helpers.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands
from discord.gateway import KeepAliveHandler

from discord_double import CallbackType, DiscordDouble, DoubleTimeout, Op, running_client

pytestmark = pytest.mark.asyncio

Seen = asyncio.Queue[tuple[Any, ...]]


# --------------------------------------------------------------------------- #
# The tiny bot
# --------------------------------------------------------------------------- #


class AgainView(discord.ui.View):
    def __init__(self, seen: Seen) -> None:
        super().__init__(timeout=None)
        self.seen = seen

    @discord.ui.button(label="Again", custom_id="ping:again")
    async def again(
        self, interaction: discord.Interaction, button: discord.ui.Button[AgainView]
    ) -> None:
        await self.seen.put(("button", interaction.user.id))
        await interaction.response.edit_message(
            content=f"clicked by {interaction.user.name}", view=None
        )

    @discord.ui.button(label="Edit later", custom_id="ping:edit")
    async def edit_later(
        self, interaction: discord.Interaction, button: discord.ui.Button[AgainView]
    ) -> None:
        await interaction.response.defer()  # type 6: acknowledge, edit afterwards
        await interaction.edit_original_response(content="edited after defer")
        await self.seen.put(("edited", interaction.user.id))


class FactModal(discord.ui.Modal, title="Suggest a fact"):
    text: discord.ui.TextInput[FactModal] = discord.ui.TextInput(
        label="Fact", custom_id="fact:text"
    )

    def __init__(self, seen: Seen) -> None:
        super().__init__(custom_id="fact:suggest")
        self.seen = seen

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.seen.put(("modal", interaction.user.id, self.text.value))
        await interaction.response.send_message(f"thanks: {self.text.value}", ephemeral=True)


@app_commands.command(name="ping", description="Ping the bot")
@app_commands.describe(text="What to echo")
async def ping_command(interaction: discord.Interaction[TinyBot], text: str) -> None:
    await interaction.client.seen.put(("ping", interaction.user.id, text))
    await interaction.response.send_message(
        f"pong: {text}", view=AgainView(interaction.client.seen)
    )


class FactAdmin(app_commands.Group, name="admin", description="Fact admin"):
    @app_commands.command(name="purge", description="Purge old facts")
    async def purge(
        self, interaction: discord.Interaction[TinyBot], count: int, dry_run: bool = False
    ) -> None:
        assert isinstance(interaction.user, discord.Member)
        has_rep = any(role.name == "Rep" for role in interaction.user.roles)
        await interaction.client.seen.put(("purge", interaction.user.id, count, dry_run, has_rep))
        await interaction.response.send_message(
            f"purged {count} for {interaction.user.name}", ephemeral=True
        )


class FactGroup(app_commands.Group, name="fact", description="Facts"):
    admin = FactAdmin()

    @app_commands.command(name="add", description="Add a fact")
    async def add(self, interaction: discord.Interaction[TinyBot], text: str) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.client.seen.put(("fact add", interaction.user.id, text))
        await interaction.followup.send(f"fact added: {text}")

    @app_commands.command(name="suggest", description="Suggest a fact")
    async def suggest(self, interaction: discord.Interaction[TinyBot]) -> None:
        await interaction.response.send_modal(FactModal(interaction.client.seen))


def bot_intents(*, message_content: bool = True) -> discord.Intents:
    """The product bot's intents: no member list, no presences."""
    intents = discord.Intents.none()
    intents.guilds = intents.guild_messages = intents.dm_messages = True
    intents.message_content = message_content
    return intents


class TinyBot(commands.Bot):
    def __init__(self, guild_id: int, *, intents: discord.Intents | None = None) -> None:
        super().__init__(
            command_prefix="!",
            intents=intents or bot_intents(),
            allowed_mentions=discord.AllowedMentions(
                everyone=False, roles=False, users=True, replied_user=False
            ),
        )
        self.guild_id = guild_id
        self.seen: Seen = asyncio.Queue()
        self.synced: dict[str, list[app_commands.AppCommand]] = {}
        self.resumed = asyncio.Event()

    async def setup_hook(self) -> None:
        guild = discord.Object(self.guild_id)
        self.tree.add_command(ping_command)
        self.tree.add_command(FactGroup(), guild=guild)
        self.synced["global"] = await self.tree.sync()
        self.synced["guild"] = await self.tree.sync(guild=guild)

    async def on_resumed(self) -> None:
        self.resumed.set()

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        if message.guild is None:
            await message.channel.send(f"dm echo: {message.content}")
        elif message.content == "!dmme":
            try:
                await message.author.send("hello in DM")
            except discord.Forbidden:
                await message.channel.send("I can't DM you")
        else:
            await message.reply(f"hi {message.author.mention}, you said: {message.content}")


async def next_seen(bot: TinyBot, timeout: float = 5.0) -> tuple[Any, ...]:
    return await asyncio.wait_for(bot.seen.get(), timeout)


@pytest_asyncio.fixture(autouse=True)
async def no_leaks() -> AsyncIterator[None]:
    """Fail if a test leaves asyncio tasks or discord.py heartbeat threads behind."""
    yield
    current = asyncio.current_task()
    leftover = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    assert leftover == [], f"leaked tasks: {leftover}"
    threads = [t for t in threading.enumerate() if isinstance(t, KeepAliveHandler)]
    for thread in threads:
        thread.join(timeout=1.0)  # stopped on close; give it a moment to notice
    threads = [t for t in threads if t.is_alive()]
    assert threads == [], f"leaked heartbeat threads: {threads}"


@pytest_asyncio.fixture
async def bot(discord_double: DiscordDouble) -> AsyncIterator[TinyBot]:
    client = TinyBot(discord_double.guild.id)
    async with running_client(client, discord_double):
        yield client


# --------------------------------------------------------------------------- #
# Login, READY, GUILD_CREATE, command sync
# --------------------------------------------------------------------------- #


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


# --------------------------------------------------------------------------- #
# Messages and DMs
# --------------------------------------------------------------------------- #


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


# --------------------------------------------------------------------------- #
# Interactions
# --------------------------------------------------------------------------- #


async def test_slash_command_gets_interaction_callback(
    discord_double: DiscordDouble, bot: TinyBot
) -> None:
    interaction = await discord_double.slash_command(discord_double.member, "ping", {"text": "hi"})

    assert await next_seen(bot) == ("ping", discord_double.member.id, "hi")
    callback = await discord_double.wait_for_interaction_response(interaction)
    assert callback.status == 200 and callback.query["with_response"] == "1"
    assert callback.json["type"] == CallbackType.CHANNEL_MESSAGE
    assert callback.json["data"]["content"] == "pong: hi"
    assert interaction.original_message_id is not None
    original = discord_double.message(interaction.original_message_id)
    assert original["components"][0]["components"][0]["custom_id"] == "ping:again"


async def test_slash_command_in_dm(discord_double: DiscordDouble, bot: TinyBot) -> None:
    interaction = await discord_double.slash_command(
        discord_double.member, "ping", {"text": "dm"}, guild=False
    )

    assert "member" not in interaction.payload and interaction.payload["user"]["id"] == str(
        discord_double.member.id
    )
    callback = await discord_double.wait_for_interaction_response(interaction)
    assert callback.json["data"]["content"] == "pong: dm"
    dm = discord_double.dm_channel(discord_double.member)
    assert discord_double.bot_messages(dm)[-1]["content"] == "pong: dm"
    with pytest.raises(LookupError, match="not registered"):
        await discord_double.slash_command(
            discord_double.member, "fact add", {"text": "x"}, guild=False
        )


async def test_deferred_subcommand_gets_followup(
    discord_double: DiscordDouble, bot: TinyBot
) -> None:
    interaction = await discord_double.slash_command(
        discord_double.rep_member, "fact add", {"text": "cats purr"}
    )

    callback = await discord_double.wait_for_interaction_response(interaction)
    assert callback.json["type"] == CallbackType.DEFERRED_CHANNEL_MESSAGE
    followup = await discord_double.wait_for_followup(interaction)
    assert followup.json["content"] == "fact added: cats purr"
    assert followup.query["wait"] == "1" and followup.status == 200
    assert await next_seen(bot) == ("fact add", discord_double.rep_member.id, "cats purr")


async def test_subcommand_group_carries_options_and_member_roles(
    discord_double: DiscordDouble, bot: TinyBot
) -> None:
    interaction = await discord_double.slash_command(
        discord_double.rep_member, "fact admin purge", {"count": 3, "dry_run": True}
    )

    assert await next_seen(bot) == ("purge", discord_double.rep_member.id, 3, True, True)
    callback = await discord_double.wait_for_interaction_response(interaction)
    assert callback.json["data"]["content"] == "purged 3 for rep_holder"
    assert callback.json["data"]["flags"] == 64
    await discord_double.slash_command(discord_double.member, "fact admin purge", {"count": 1})
    assert await next_seen(bot) == ("purge", discord_double.member.id, 1, False, False)
    with pytest.raises(ValueError, match="missing required"):
        await discord_double.slash_command(discord_double.owner, "fact admin purge", {})
    with pytest.raises(ValueError, match="needs a subcommand"):
        await discord_double.slash_command(discord_double.owner, "fact admin", {})


async def test_button_click_reaches_view_callback(
    discord_double: DiscordDouble, bot: TinyBot
) -> None:
    command = await discord_double.slash_command(discord_double.member, "ping", {"text": "x"})
    await discord_double.wait_for_interaction_response(command)
    await next_seen(bot)

    assert command.original_message_id is not None
    message = discord_double.message(command.original_message_id)
    click = await discord_double.click_button(discord_double.rep_member, message, "ping:again")

    assert await next_seen(bot) == ("button", discord_double.rep_member.id)
    callback = await discord_double.wait_for_interaction_response(click)
    assert callback.json["type"] == CallbackType.UPDATE_MESSAGE
    updated = discord_double.message(command.original_message_id)
    assert updated["content"] == "clicked by rep_holder" and updated["components"] == []
    with pytest.raises(LookupError, match="no component"):
        await discord_double.click_button(discord_double.member, updated, "ping:again")


async def test_modal_submit_reaches_modal(discord_double: DiscordDouble, bot: TinyBot) -> None:
    command = await discord_double.slash_command(discord_double.member, "fact suggest")
    callback = await discord_double.wait_for_interaction_response(command)
    assert callback.json["type"] == CallbackType.MODAL
    assert "fact:suggest" in discord_double.opened_modals

    submit = await discord_double.submit_modal(
        discord_double.member, "fact:suggest", {"fact:text": "sky is blue"}
    )

    assert await next_seen(bot) == ("modal", discord_double.member.id, "sky is blue")
    answer = await discord_double.wait_for_interaction_response(submit)
    assert answer.json["data"]["content"] == "thanks: sky is blue"
    assert answer.json["data"]["flags"] == 64


async def test_deferred_update_then_edit_original(
    discord_double: DiscordDouble, bot: TinyBot
) -> None:
    command = await discord_double.slash_command(discord_double.member, "ping", {"text": "x"})
    await discord_double.wait_for_interaction_response(command)
    await next_seen(bot)
    assert command.original_message_id is not None

    click = await discord_double.click_button(
        discord_double.member, command.original_message_id, "ping:edit"
    )

    callback = await discord_double.wait_for_interaction_response(click)
    assert callback.json["type"] == CallbackType.DEFERRED_UPDATE_MESSAGE
    edit = await discord_double.wait_for_original_edit(click)
    assert edit.json["content"] == "edited after defer" and edit.status == 200
    assert await next_seen(bot) == ("edited", discord_double.member.id)
    assert discord_double.message(command.original_message_id)["content"] == "edited after defer"


# --------------------------------------------------------------------------- #
# Gateway resume
# --------------------------------------------------------------------------- #


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


# --------------------------------------------------------------------------- #
# Discord's refusals
# --------------------------------------------------------------------------- #


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


async def test_interaction_is_answered_once(discord_double: DiscordDouble, bot: TinyBot) -> None:
    interaction = await discord_double.slash_command(discord_double.member, "ping", {"text": "x"})
    await discord_double.wait_for_interaction_response(interaction)
    route = discord.http.Route(
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
        interaction_id=interaction.id,
        interaction_token=interaction.token,
    )

    with pytest.raises(discord.HTTPException) as raised:
        await bot.http.request(route, json={"type": 4, "data": {"content": "again"}})

    assert raised.value.status == 400 and raised.value.code == 40060


async def test_interaction_answered_after_the_deadline_is_unknown(
    discord_double: DiscordDouble, bot: TinyBot
) -> None:
    discord_double.ack_deadline = 0.0

    interaction = await discord_double.slash_command(discord_double.member, "ping", {"text": "x"})

    callback = await discord_double.wait_for_interaction_response(interaction)
    assert callback.status == 404 and interaction.original_message_id is None
    assert await next_seen(bot) == ("ping", discord_double.member.id, "x")


async def test_waiting_for_what_never_comes_times_out(discord_double: DiscordDouble) -> None:
    with pytest.raises(DoubleTimeout, match="no matching REST request"):
        await discord_double.wait_for_bot_message(discord_double.general, timeout=0.05)
    with pytest.raises(ValueError, match="unknown route"):
        discord_double.fail_next("DELETE", "/channels/{channel_id}/messages")
