"""Facts: anyone may show and search them; reps add, edit and remove them.

Every change is recorded in the fact's history with the actor
``discord:<user id>:<display name>``: who changed what, and when; and, once
made, told in the reps' channel (``bot.rep_channel``), if there is one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot.asking import split_questions
from bot.buttons import ButtonInteraction, PersistentButton
from bot.checks import actor_of, is_rep, rep_only
from bot.client import KnowledgeBot, knowledge_bot
from bot.interactions import Outgoing, respond, within_deadline
from bot.limits import (
    CHOICE_NAME_CHARS,
    CHOICE_VALUE_CHARS,
    CHOICES,
    ELLIPSIS,
    EMBED_FIELD_VALUE_CHARS,
    clip,
)
from bot.passage_facts import MakeFactButton
from bot.render import COLOUR, fact_embed, search_embed
from bot.replies import fact_buttons
from knowledge import KnowledgeBase
from knowledge.errors import InvalidFact, QuoteNotInSource
from knowledge.models import Fact, HistoryEntry, Source
from knowledge.text import clean

Interaction = discord.Interaction[KnowledgeBot]
FactId = app_commands.Range[int, 1, 999_999_999]

REP_NOTE_KIND = "rep's note"
HISTORY_SHOWN = 5
SEARCH_RESULTS = 5


def today() -> str:
    """Today's date as the curated sources write dates ("29 July 2014")."""
    now = datetime.now(UTC)
    return f"{now.day} {now:%B %Y}"


def source_choices(sources: Sequence[Source], current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete for a source: keys and titles containing what the rep has typed."""
    typed = current.casefold().strip()
    return [
        app_commands.Choice(
            name=clip(f"{source.key}: {source.title}", CHOICE_NAME_CHARS, marker=ELLIPSIS),
            value=source.key,
        )
        for source in sources
        if len(source.key) <= CHOICE_VALUE_CHARS
        and (typed in source.key.casefold() or typed in source.title.casefold())
    ][:CHOICES]


def source_for(kb: KnowledgeBase, text: str, *, rep: str, url: str | None) -> Source:
    """The source a rep named: an existing key, else a "rep's note" titled ``text``.

    A note is dated today with the rep as its issuer; the same note given
    again on the same day is reused rather than duplicated. A new note is not
    saved here: ``KnowledgeBase.add_fact`` saves it with its fact.
    """
    sources = kb.sources()
    existing = next((source for source in sources if source.key == text), None)
    if existing is not None:
        if url:
            raise InvalidFact(f"url is for a new source; {text!r} is an existing source")
        return existing
    if url and not url.startswith(("https://", "http://")):
        raise InvalidFact("the url must start with https://")
    note = Source(key="", title=text, kind=REP_NOTE_KIND, issuer=rep, date=today(), url=url or "")
    same = next((s for s in sources if s == dataclasses.replace(note, key=s.key)), None)
    if same is not None:
        return same
    taken = {source.key for source in sources}
    slug = "-".join(clean(text).split())[:40].strip("-") or "rep"
    key = f"note-{datetime.now(UTC):%Y-%m-%d}-{slug}"
    number = 1
    while key in taken:
        number += 1
        key = f"note-{datetime.now(UTC):%Y-%m-%d}-{slug}-{number}"
    return dataclasses.replace(note, key=key)


ANSWER_FIELD = "Answer"
QUESTIONS_FIELD = "Questions"
SOURCE_FIELD = "Source key"
PASSAGE_FIELD = "Closest passage"


def refused_quote_message(
    error: QuoteNotInSource, *, fact_id: int | None, answer: str, questions: str, source: str
) -> Outgoing:
    """The refusal of a quote not in its source, with the closest passage and, when the
    fact fits in the message, a "Use this passage" button that carries it out.

    The passage, and a new fact's answer, questions and source, are too long for
    the button's custom id: they are fields of the refusal's embed, which
    ``refused_fields`` reads back.
    """
    embed = discord.Embed(title="The quote is not in the source", colour=COLOUR)
    fits = error.passage is not None and all(
        len(text) <= EMBED_FIELD_VALUE_CHARS for text in (error.passage, answer, questions)
    )
    if not fits or error.passage is None:
        return Outgoing(content=str(error))
    embed.add_field(name=PASSAGE_FIELD, value=error.passage, inline=False)
    if fact_id is None:
        embed.add_field(name=ANSWER_FIELD, value=answer, inline=False)
        embed.add_field(name=QUESTIONS_FIELD, value=questions, inline=False)
        embed.add_field(name=SOURCE_FIELD, value=source, inline=False)
    view = discord.ui.View(timeout=None)
    view.add_item(UsePassageButton(fact_id or 0))
    return Outgoing(content=str(error), embeds=(embed,), view=view)


def refused_fields(embeds: Sequence[discord.Embed]) -> dict[str, str]:
    """The fields ``refused_quote_message`` wrote, by name; raises ``InvalidFact``
    when there is no passage to use."""
    fields = {f.name or "": f.value or "" for f in embeds[0].fields} if embeds else {}
    if not fields.get(PASSAGE_FIELD):
        raise InvalidFact("this message has no passage to use")
    return fields


class UsePassageButton(PersistentButton, id_format="kb:usepassage:{fact_id:row}", rep_only=True):
    """ "Use this passage": add the refused fact (``kb:usepassage:0``) or change fact
    ``<fact>``'s quote to the closest passage, read from the refusal message.

    The passage is checked against the source again by the knowledge base, so
    a crafted message changes nothing it would not accept from a rep's command.
    """

    def __init__(self, fact_id: int) -> None:
        self.fact_id = fact_id
        super().__init__(label="Use this passage", style=discord.ButtonStyle.primary)

    async def pressed(self, interaction: ButtonInteraction) -> None:
        actor = actor_of(interaction.user)
        fields = refused_fields(interaction.message.embeds if interaction.message else [])
        passage = fields[PASSAGE_FIELD]

        def use(kb: KnowledgeBase) -> tuple[Fact, Source]:
            if self.fact_id:
                fact = kb.edit_fact(self.fact_id, actor=actor, quote=passage)
            else:
                fact = kb.add_fact(
                    answer=fields.get(ANSWER_FIELD, ""),
                    source_key=fields.get(SOURCE_FIELD, ""),
                    quote=passage,
                    questions=split_questions(fields.get(QUESTIONS_FIELD, "")),
                    actor=actor,
                )
            return _fact_with_source(kb, fact)

        fact, source = await self.run(interaction, use)
        verb = "Changed" if self.fact_id else "Added"
        await respond(
            interaction,
            Outgoing(content=f"{verb} fact {fact.id}.", embeds=(fact_embed(fact, source),)),
            ephemeral=True,
        )
        what = f"edited fact {fact.id} (quote)" if self.fact_id else f"added fact {fact.id}"
        await knowledge_bot(interaction).rep_channel.fact_changed(
            interaction.user, what, fact.answer
        )


def _history_text(history: Sequence[HistoryEntry]) -> str:
    lines = [f"{entry.at[:16]} {entry.action} by {entry.actor}" for entry in history]
    return clip("\n".join(lines[-HISTORY_SHOWN:]), EMBED_FIELD_VALUE_CHARS)


def _fact_with_source(kb: KnowledgeBase, fact: Fact) -> tuple[Fact, Source]:
    return fact, kb.source(fact.source_key)


class Facts(
    commands.GroupCog,
    group_name="fact",
    group_description="Show and search the facts I answer from; reps add, edit and remove them",
):
    def __init__(self, bot: KnowledgeBot) -> None:
        self.bot = bot
        self.bot.add_dynamic_items(UsePassageButton, MakeFactButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(UsePassageButton, MakeFactButton)

    @app_commands.command(name="add", description="Rep: add a sourced fact; it answers at once")
    @app_commands.describe(
        answer="The answer members get, in one to three plain sentences",
        questions="Questions members would ask for it, separated by ; or new lines",
        source="An existing source (pick one) or, for your own note, a few words describing it",
        quote="Words copied exactly from the source that back the answer",
        url="A link to the source, for a new note",
    )
    @rep_only()
    async def add(
        self,
        interaction: Interaction,
        answer: app_commands.Range[str, 1, 1000],
        questions: app_commands.Range[str, 1, 4000],
        source: app_commands.Range[str, 1, 100],
        quote: app_commands.Range[str, 1, 1000] | None = None,
        url: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        actor, rep = actor_of(interaction.user), interaction.user.display_name

        def add_fact(kb: KnowledgeBase) -> tuple[Fact, Source]:
            chosen = source_for(kb, source.strip(), rep=rep, url=url)
            asked = split_questions(questions)
            fact = kb.add_fact(
                answer=answer,
                source_key=chosen.key,
                note=chosen if chosen.kind == REP_NOTE_KIND else None,
                quote=quote or "",
                questions=asked,
                actor=actor,
            )
            return fact, chosen

        try:
            fact, chosen = await within_deadline(
                interaction, self.bot.knowledge.run(add_fact), ephemeral=True
            )
        except QuoteNotInSource as error:
            refusal = refused_quote_message(
                error, fact_id=None, answer=answer, questions=questions, source=source.strip()
            )
            await respond(interaction, refusal, ephemeral=True)
            return
        text = f"Added fact {fact.id}. Members asking these questions get it from now on."
        await respond(
            interaction,
            Outgoing(content=text, embeds=(fact_embed(fact, chosen),)),
            ephemeral=True,
        )
        await self.bot.rep_channel.fact_changed(
            interaction.user, f"added fact {fact.id}", fact.answer
        )

    @add.autocomplete("source")
    async def source_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        sources = await self.bot.knowledge.run(lambda kb: kb.sources())
        return source_choices(sources, current)

    @app_commands.command(
        name="edit", description="Rep: change a fact's answer, questions or quote"
    )
    @app_commands.describe(
        fact_id="The fact's number (see /fact search)",
        answer="The new answer",
        questions="The new example questions, separated by ; or new lines (replace the old)",
        quote="The new quote, copied exactly from the fact's source",
    )
    @app_commands.rename(fact_id="id")
    @rep_only()
    async def edit(
        self,
        interaction: Interaction,
        fact_id: FactId,
        answer: app_commands.Range[str, 1, 1000] | None = None,
        questions: app_commands.Range[str, 1, 4000] | None = None,
        quote: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        if answer is None and questions is None and quote is None:
            raise InvalidFact("give at least one of answer, questions or quote to change")
        actor = actor_of(interaction.user)
        new_questions = None if questions is None else split_questions(questions)

        def edit_fact(kb: KnowledgeBase) -> tuple[Fact, Source]:
            fact = kb.edit_fact(
                fact_id, actor=actor, answer=answer, questions=new_questions, quote=quote
            )
            return _fact_with_source(kb, fact)

        try:
            fact, source = await within_deadline(
                interaction, self.bot.knowledge.run(edit_fact), ephemeral=True
            )
        except QuoteNotInSource as error:
            refusal = refused_quote_message(
                error, fact_id=fact_id, answer="", questions="", source=""
            )
            await respond(interaction, refusal, ephemeral=True)
            return
        await respond(
            interaction,
            Outgoing(content=f"Changed fact {fact.id}.", embeds=(fact_embed(fact, source),)),
            ephemeral=True,
        )
        changed = [
            name
            for name, value in (("answer", answer), ("questions", questions), ("quote", quote))
            if value is not None
        ]
        await self.bot.rep_channel.fact_changed(
            interaction.user, f"edited fact {fact.id} ({', '.join(changed)})", fact.answer
        )

    @app_commands.command(
        name="remove", description="Rep: stop a fact answering (its history stays)"
    )
    @app_commands.describe(fact_id="The fact's number")
    @app_commands.rename(fact_id="id")
    @rep_only()
    async def remove(self, interaction: Interaction, fact_id: FactId) -> None:
        actor = actor_of(interaction.user)
        work = self.bot.knowledge.run(lambda kb: kb.remove_fact(fact_id, actor=actor))
        fact = await within_deadline(interaction, work, ephemeral=True)
        text = f"Removed fact {fact.id}: it no longer answers questions. Its history is kept."
        await respond(interaction, Outgoing(content=text), ephemeral=True)
        await self.bot.rep_channel.fact_changed(
            interaction.user, f"removed fact {fact.id}", fact.answer
        )

    @app_commands.command(name="show", description="Show one fact with its source and quote")
    @app_commands.describe(fact_id="The fact's number")
    @app_commands.rename(fact_id="id")
    async def show(self, interaction: Interaction, fact_id: FactId) -> None:
        with_history = is_rep(interaction.user, self.bot.settings)

        def read(kb: KnowledgeBase) -> tuple[Fact, Source, list[HistoryEntry]]:
            fact, source = _fact_with_source(kb, kb.fact(fact_id))
            return fact, source, kb.fact_history(fact_id) if with_history else []

        fact, source, history = await within_deadline(
            interaction, self.bot.knowledge.run(read), ephemeral=True
        )
        embed = fact_embed(fact, source)
        if history:
            embed.add_field(name="History", value=_history_text(history), inline=False)
        await respond(interaction, Outgoing(embeds=(embed,)), ephemeral=True)

    @app_commands.command(name="search", description="Find facts by words in them")
    @app_commands.describe(query="Words to look for, or a question")
    async def search(
        self, interaction: Interaction, query: app_commands.Range[str, 1, 300]
    ) -> None:
        work = self.bot.knowledge.run(lambda kb: kb.search(query, limit=SEARCH_RESULTS))
        facts = await within_deadline(interaction, work, ephemeral=True)
        view = fact_buttons(facts) if facts else None
        await respond(
            interaction, Outgoing(embeds=(search_embed(query, facts),), view=view), ephemeral=True
        )


async def setup(bot: KnowledgeBot) -> None:
    await bot.add_cog(Facts(bot))
