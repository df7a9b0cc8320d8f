"""``/kb stats`` and ``/kb review``: the knowledge base as a whole, for reps.

``/kb stats`` gives counts only (no member, no question text beyond the
most-asked open questions), with a chart of the questions of each of the last
``CHART_WEEKS`` weeks (``bot.chart``), drawn in a thread off the event loop.
``/kb review`` walks through the wordings members chose from "did you mean",
one at a time, with Approve / Reject buttons; an approved wording becomes an
example question of its fact at once, and the reps' channel hears of it.
"""

from __future__ import annotations

import asyncio
from io import BytesIO

import discord
from discord import app_commands
from discord.ext import commands

from bot.buttons import ButtonInteraction, PersistentButton
from bot.chart import weekly_chart
from bot.checks import actor_of, rep_only
from bot.client import KnowledgeBot, knowledge_bot
from bot.interactions import Outgoing, respond, respond_update, within_deadline
from bot.render import proposal_embed, stats_embed
from knowledge import KnowledgeBase
from knowledge.models import Fact, WeekCounts

PERIODS_DAYS = (7, 30)
TOP_OPEN = 5
CHART_WEEKS = 12
"""Few enough bars to read on a phone; a quarter, to see a trend."""
CHART_FILE = "questions-per-week.png"


def review_message(kb: KnowledgeBase) -> Outgoing:
    """The first pending proposal with its buttons, or a note that there is none."""
    pending = kb.pending_proposals()
    if not pending:
        return Outgoing(content="No proposed example questions to review.")
    proposal = pending[0]
    embed = proposal_embed(proposal, kb.fact(proposal.fact_id), waiting=len(pending) - 1)
    view = discord.ui.View(timeout=None)
    view.add_item(ProposalButton("approve", proposal.id))
    view.add_item(ProposalButton("reject", proposal.id))
    return Outgoing(embeds=(embed,), view=view)


class ProposalButton(
    PersistentButton,
    id_format="kb:proposal:{verdict:approve|reject}:{proposal_id:row}",
    rep_only=True,
):
    """Approve / Reject on ``/kb review``."""

    def __init__(self, verdict: str, proposal_id: int) -> None:
        self.verdict = verdict
        self.proposal_id = proposal_id
        approve = verdict == "approve"
        super().__init__(
            label="Approve" if approve else "Reject",
            style=discord.ButtonStyle.success if approve else discord.ButtonStyle.danger,
        )

    async def pressed(self, interaction: ButtonInteraction) -> None:
        actor = actor_of(interaction.user)

        def decide(kb: KnowledgeBase) -> tuple[Outgoing, Fact | None]:
            approved = None
            if self.verdict == "approve":
                approved = kb.approve_proposal(self.proposal_id, actor=actor)
            else:
                kb.reject_proposal(self.proposal_id, actor=actor)
            return review_message(kb), approved

        outgoing, approved = await self.run(interaction, decide, update=True)
        await respond_update(interaction, outgoing)
        if approved is not None:
            await knowledge_bot(interaction).rep_channel.fact_changed(
                interaction.user,
                f"approved a member's wording for fact {approved.id}",
                approved.answer,
            )


class Stats(commands.GroupCog, group_name="kb", group_description="Reps: the knowledge base"):
    def __init__(self, bot: KnowledgeBot) -> None:
        self.bot = bot
        self.bot.add_dynamic_items(ProposalButton)

    @app_commands.command(
        name="stats", description="Rep: facts, questions answered and unanswered, top open ones"
    )
    @rep_only()
    async def stats(self, interaction: discord.Interaction[KnowledgeBot]) -> None:
        def gather(kb: KnowledgeBase) -> tuple[discord.Embed, list[WeekCounts]]:
            embed = stats_embed(
                kb.count_facts(),
                [kb.stats(days) for days in PERIODS_DAYS],
                kb.unanswered_questions()[:TOP_OPEN],
            )
            return embed, kb.weekly_counts(CHART_WEEKS)

        async def gather_and_draw() -> Outgoing:
            embed, weeks = await self.bot.knowledge.run(gather)
            if not any(week.asked for week in weeks):
                embed.add_field(
                    name="Questions per week",
                    value=f"No questions in the last {CHART_WEEKS} weeks: nothing to chart yet.",
                    inline=False,
                )
                return Outgoing(embeds=(embed,))
            chart = await asyncio.to_thread(weekly_chart, weeks)
            embed.set_image(url=f"attachment://{CHART_FILE}")
            return Outgoing(embeds=(embed,), files=(discord.File(BytesIO(chart), CHART_FILE),))

        outgoing = await within_deadline(interaction, gather_and_draw(), ephemeral=True)
        await respond(interaction, outgoing, ephemeral=True)

    @app_commands.command(
        name="review", description="Rep: approve or reject wordings members chose for a fact"
    )
    @rep_only()
    async def review(self, interaction: discord.Interaction[KnowledgeBot]) -> None:
        work = self.bot.knowledge.run(review_message)
        outgoing = await within_deadline(interaction, work, ephemeral=True)
        await respond(interaction, outgoing, ephemeral=True)


async def setup(bot: KnowledgeBot) -> None:
    await bot.add_cog(Stats(bot))
