"""A tiny discord.py bot for the double's own tests, using what the product bot uses:
its intents, guild commands with subcommands, replies, DMs, buttons, modals and
deferred answers. It proves that an unmodified discord.py client can log in to
the double and answer every kind of injected event."""

# next_seen(timeout=) mirrors the double's waiting helpers.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

Seen = asyncio.Queue[tuple[Any, ...]]


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
