"""Reps' follow-up of the questions the bot could not answer.

``/unanswered list`` pages through open questions (text, how often, when;
never who asked). ``/unanswered resolve`` closes one with a fact and tells
every member who pressed "Notify me": by DM, or, when their DMs are closed,
by a message in the channel where they asked that pings them and nobody
else. Each notify request is deleted once acted on, as are those of a
dismissed question: they would never be used again.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.buttons import ButtonInteraction, PersistentButton
from bot.checks import actor_of, rep_only
from bot.client import KnowledgeBot
from bot.interactions import Outgoing, respond, respond_update, within_deadline
from bot.limits import clip
from bot.render import fact_embed, unanswered_embed
from knowledge import KnowledgeBase, Resolution
from knowledge.models import NotifyRequest, PassageOffer, Unanswered

log = logging.getLogger(__name__)

Interaction = discord.Interaction[KnowledgeBot]
EntryId = app_commands.Range[int, 1, 999_999_999]
FactId = app_commands.Range[int, 1, 999_999_999]

PAGE_SIZE = 5
QUOTED_QUESTION_CHARS = 300


OpenQuestions = tuple[list[Unanswered], dict[int, list[PassageOffer]]]


def open_questions(kb: KnowledgeBase) -> OpenQuestions:
    """The open questions, most-asked first, and the passages each was offered."""
    return kb.unanswered_questions(), kb.passages_offered()


def unanswered_page(questions: OpenQuestions, page: int) -> Outgoing:
    """Page ``page`` (clamped) of the open questions, with Previous/Next buttons when
    there are more."""
    entries, offers = questions
    pages = max(1, math.ceil(len(entries) / PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = entries[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    embed = unanswered_embed(shown, page=page, pages=pages, total=len(entries), offers=offers)
    if pages == 1:
        return Outgoing(embeds=(embed,))
    view = discord.ui.View(timeout=None)
    view.add_item(PageButton("prev", max(page - 1, 0), disabled=page == 0))
    view.add_item(PageButton("next", page + 1, disabled=page == pages - 1))
    return Outgoing(embeds=(embed,), view=view)


class PageButton(
    PersistentButton,
    id_format="kb:unanswered:{direction:prev|next}:{page:page}",
    rep_only=True,
):
    """Previous / Next on ``/unanswered list``."""

    def __init__(self, direction: str, page: int, *, disabled: bool = False) -> None:
        self.direction = direction
        self.page = page
        super().__init__(label="Previous" if direction == "prev" else "Next", disabled=disabled)

    async def pressed(self, interaction: ButtonInteraction) -> None:
        questions = await self.run(interaction, open_questions, update=True)
        await respond_update(interaction, unanswered_page(questions, self.page))


class Notifier:
    """Tells members who asked to be notified that their question has an answer."""

    def __init__(self, bot: KnowledgeBot) -> None:
        self.bot = bot

    async def notify_all(self, resolution: Resolution) -> Counter[str]:
        """Notify each member who asked and forget their request; counts "dm",
        "channel", "failed"."""
        outcomes: Counter[str] = Counter()
        for request in resolution.notify:
            outcomes[await self.notify(request, resolution)] += 1
            await self.bot.knowledge.run(_unsubscribe(request.id))
        return outcomes

    async def notify(self, request: NotifyRequest, resolution: Resolution) -> str:
        user_id = int(request.user_id)
        quoted = clip(resolution.entry.text, QUOTED_QUESTION_CHARS)
        fact = resolution.fact
        direct = Outgoing(
            content=f"A rep has answered a question you asked me: \u201c{quoted}\u201d",
            embeds=(fact_embed(fact, resolution.source),),
        )
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await direct.send_to(user)
            return "dm"
        except discord.HTTPException:
            log.info("could not DM notify request %d; trying its channel", request.id)
        channel = await self._channel(request.channel_id)
        if channel is None:
            return "failed"
        # Public: say only that there is an answer, not what was asked (it may have been private).
        public = Outgoing(
            content=f"<@{user_id}> a rep has answered the question you asked me to follow up."
            f" I couldn't DM you: use `/fact show id:{fact.id}` to see the answer."
        )
        only_them = discord.AllowedMentions(
            everyone=False, roles=False, users=[discord.Object(user_id)], replied_user=False
        )
        try:
            await public.send_to(channel, allowed_mentions=only_them)
        except discord.HTTPException:
            log.warning("could not notify request %d in its channel either", request.id)
            return "failed"
        return "channel"

    async def _channel(self, channel_id: str) -> discord.abc.Messageable | None:
        if not channel_id.isdigit():
            return None
        channel = self.bot.get_channel(int(channel_id))
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(int(channel_id))
            except discord.HTTPException:
                return None
        return channel if isinstance(channel, discord.abc.Messageable) else None


def _unsubscribe(request_id: int) -> Callable[[KnowledgeBase], None]:
    return lambda kb: kb.unsubscribe(request_id)


def told(outcomes: Counter[str]) -> str:
    """What the rep hears of ``Notifier.notify_all``'s outcomes."""
    if not outcomes:
        return "Nobody had asked to be notified."
    told = f"Told {outcomes['dm']} by DM and {outcomes['channel']} in the channel."
    if outcomes["failed"]:
        told += f" {outcomes['failed']} could not be reached."
    return told


class UnansweredQuestions(
    commands.GroupCog,
    group_name="unanswered",
    group_description="Reps: the questions I could not answer",
):
    def __init__(self, bot: KnowledgeBot) -> None:
        self.bot = bot
        self.notifier = Notifier(bot)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PageButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(PageButton)

    @app_commands.command(
        name="list", description="Rep: open questions, most-asked first (never who asked)"
    )
    @rep_only()
    async def list_open(self, interaction: Interaction) -> None:
        work = self.bot.knowledge.run(open_questions)
        questions = await within_deadline(interaction, work, ephemeral=True)
        await respond(interaction, unanswered_page(questions, 0), ephemeral=True)

    @app_commands.command(
        name="resolve", description="Rep: answer a question with a fact and notify who asked"
    )
    @app_commands.describe(
        entry_id="The question's number (see /unanswered list)",
        fact_id="The fact that answers it (see /fact search)",
        teach="Add the question's wordings to the fact's example questions (default: yes)",
    )
    @app_commands.rename(entry_id="id", fact_id="fact")
    @rep_only()
    async def resolve(
        self, interaction: Interaction, entry_id: EntryId, fact_id: FactId, teach: bool = True
    ) -> None:
        # Notifying takes a few requests per member: acknowledge first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        actor = actor_of(interaction.user)
        resolution = await self.bot.knowledge.run(
            lambda kb: kb.resolve(entry_id, fact_id, actor=actor, teach=teach)
        )
        outcomes = await self.notifier.notify_all(resolution)
        taught = " Its wordings now teach the fact." if teach else ""
        text = (
            f"Resolved question {resolution.entry.id} with fact {resolution.fact.id}.{taught}"
            f" {told(outcomes)}"
        )
        await respond(interaction, Outgoing(content=text), ephemeral=True)
        if teach:
            await self.bot.rep_channel.fact_changed(
                interaction.user,
                f"resolved question {resolution.entry.id} with fact {resolution.fact.id},"
                " which learned its wordings",
                resolution.fact.answer,
            )

    @app_commands.command(name="dismiss", description="Rep: close a question that needs no answer")
    @app_commands.describe(entry_id="The question's number (see /unanswered list)")
    @app_commands.rename(entry_id="id")
    @rep_only()
    async def dismiss(self, interaction: Interaction, entry_id: EntryId) -> None:
        actor = actor_of(interaction.user)
        work = self.bot.knowledge.run(lambda kb: kb.dismiss(entry_id, actor=actor))
        entry = await within_deadline(interaction, work, ephemeral=True)
        dismissed = Outgoing(content=f"Dismissed question {entry.id}.")
        await respond(interaction, dismissed, ephemeral=True)


async def setup(bot: KnowledgeBot) -> None:
    await bot.add_cog(UnansweredQuestions(bot))
