"""Sources: anyone may list and read them; reps register new documents.

A rep registers a document as a file attachment (.txt, .md, .pdf with a text
layer, .docx) or, without one, by pasting its text into a form. Its text is
kept with its sha256, and every quote taken from it is checked against it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import actor_of, rep_only
from bot.client import KnowledgeBot
from bot.cogs.facts import source_choices
from bot.errors import report_error
from bot.interactions import Outgoing, respond, within_deadline
from bot.limits import EMBED_DESCRIPTION_CHARS, EMBED_TITLE_CHARS, clip
from bot.render import COLOUR, field_value, source_text
from knowledge import KnowledgeBase
from knowledge.documents import MAX_DOCUMENT_BYTES, extract
from knowledge.errors import InvalidDocument, InvalidSource
from knowledge.models import Fact, Source

Interaction = discord.Interaction[KnowledgeBot]
PASTED_TEXT_CHARS = 4_000
"""Discord's limit for one text input in a form."""
LISTED = 25


def source_embed(source: Source, facts: list[Fact]) -> discord.Embed:
    """One source: its details, whether the bot holds its text, and its facts."""
    embed = discord.Embed(
        title=clip(source.title, EMBED_TITLE_CHARS), url=source.url or None, colour=COLOUR
    )
    embed.add_field(name="Key", value=field_value(source.key))
    embed.add_field(name="Kind", value=field_value(source.kind))
    embed.add_field(name="Issued by", value=field_value(source.issuer))
    embed.add_field(name="Date", value=field_value(source.date))
    text = "held; quotes are checked against it" if source.has_text else "not held: not verified"
    embed.add_field(name="Text", value=text)
    embed.add_field(
        name="Facts", value=field_value(", ".join(str(f.id) for f in facts)), inline=False
    )
    return embed


def sources_embed(sources: list[Source]) -> discord.Embed:
    lines = [
        f"**{source.key}**: {source_text(source).splitlines()[0]}"
        + ("" if source.has_text else " (no text)")
        for source in sources[:LISTED]
    ]
    return discord.Embed(
        title=f"Sources ({len(sources)})",
        description=clip("\n".join(lines) or "No sources.", EMBED_DESCRIPTION_CHARS),
        colour=COLOUR,
    )


class PastedText(discord.ui.Modal, title="Paste the document's text"):
    """The form for a document without a file: its text, pasted."""

    text: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="The document's text",
        style=discord.TextStyle.paragraph,
        max_length=PASTED_TEXT_CHARS,
        custom_id="kb:source:text",
    )

    def __init__(self, bot: KnowledgeBot, source: Source, actor: str) -> None:
        super().__init__(custom_id="kb:source:paste")
        self.bot, self.source, self.actor = bot, source, actor

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        text = str(self.text.value)

        async def read() -> str:
            return text

        await _register(self.bot, interaction, self.source, read, self.actor)

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception) -> None:
        await report_error(interaction, error)


async def _register(
    bot: KnowledgeBot,
    interaction: discord.Interaction[Any],
    source: Source,
    read: Callable[[], Awaitable[str]],
    actor: str,
) -> None:
    """Read the document's text, register it, and tell the rep, as the one response."""

    async def register() -> Source:
        text = await read()
        return await bot.knowledge.run(lambda kb: kb.add_source(source, text, actor=actor))

    added = await within_deadline(interaction, register(), ephemeral=True)
    text = f"Added source {added.key}. Quotes from it are now checked against its text."
    await respond(
        interaction, Outgoing(content=text, embeds=(source_embed(added, []),)), ephemeral=True
    )


class Sources(
    commands.GroupCog,
    group_name="source",
    group_description="The documents facts come from; reps register new ones",
):
    def __init__(self, bot: KnowledgeBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="add", description="Rep: register a document (file, or paste its text)"
    )
    @app_commands.describe(
        title="The document's own title (plain text)",
        kind="circular, article, letter, minutes, web page…",
        issuer="Who issued it",
        date="Its date, as it gives it",
        file="The document: .txt, .md, .pdf (with text) or .docx, at most 5 MB",
        url="Where members can read it (https://…)",
    )
    @rep_only()
    async def add(
        self,
        interaction: Interaction,
        title: app_commands.Range[str, 1, 200],
        kind: app_commands.Range[str, 1, 50],
        issuer: app_commands.Range[str, 1, 200],
        date: app_commands.Range[str, 1, 50],
        file: discord.Attachment | None = None,
        url: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        if url and not url.startswith(("https://", "http://")):
            raise InvalidSource("the url must start with https://")
        source = Source(
            key="",
            title=title,
            kind=kind,
            issuer=issuer,
            date=date,
            url=url or "",
            file=file.filename if file else "",
        )
        actor = actor_of(interaction.user)
        if file is None:
            await interaction.response.send_modal(PastedText(self.bot, source, actor))
            return
        if file.size > MAX_DOCUMENT_BYTES:
            raise InvalidDocument(f"{file.filename} is over 5 MB")

        async def read() -> str:
            data = await file.read()
            # In a child process, off the knowledge worker, so members keep getting answers.
            return await asyncio.to_thread(extract, data, file.filename)

        await _register(self.bot, interaction, source, read, actor)

    @app_commands.command(name="list", description="List the documents facts come from")
    async def list_(self, interaction: Interaction) -> None:
        sources = await within_deadline(
            interaction, self.bot.knowledge.run(lambda kb: kb.sources()), ephemeral=True
        )
        await respond(interaction, Outgoing(embeds=(sources_embed(sources),)), ephemeral=True)

    @app_commands.command(
        name="show", description="Show one source: who issued it, when, its facts"
    )
    @app_commands.describe(key="The source (start typing its key or title)")
    async def show(self, interaction: Interaction, key: app_commands.Range[str, 1, 100]) -> None:
        def read(kb: KnowledgeBase) -> tuple[Source, list[Fact]]:
            return kb.source(key), kb.facts(source_key=key)

        source, facts = await within_deadline(
            interaction, self.bot.knowledge.run(read), ephemeral=True
        )
        await respond(interaction, Outgoing(embeds=(source_embed(source, facts),)), ephemeral=True)

    @show.autocomplete("key")
    async def key_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        sources = await self.bot.knowledge.run(lambda kb: kb.sources())
        return source_choices(sources, current)


async def setup(bot: KnowledgeBot) -> None:
    await bot.add_cog(Sources(bot))
