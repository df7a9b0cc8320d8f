"""``/kb stats`` and ``/kb review``: the knowledge base as a whole, for reps.

``/kb stats`` gives counts only (no member, no question text beyond the
most-asked open questions). ``/kb review`` walks through the wordings members
chose from "did you mean", one at a time, with Approve / Reject buttons; an
approved wording becomes an example question of its fact at once.
"""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands
from discord.ui import Button, DynamicItem

from bot.checks import actor_of, rep_only, require_rep
from bot.client import KnowledgeBot, knowledge_of
from bot.errors import guarded
from bot.interactions import Outgoing, respond, respond_update, within_deadline
from bot.render import proposal_embed, stats_embed
from knowledge.base import KnowledgeBase

PERIODS_DAYS = (7, 30)
TOP_OPEN = 5

ButtonInteraction = discord.Interaction[Any]
"""How discord.py types a button's interaction: for any client (see ``knowledge_of``)."""


def review_message(kb: KnowledgeBase) -> Outgoing:
    """The first pending proposal with its buttons, or a note that there is none."""
    pending = kb.proposals.pending()
    if not pending:
        return Outgoing(content="No proposed example questions to review.")
    proposal = pending[0]
    embed = proposal_embed(proposal, kb.facts.fact(proposal.fact_id), waiting=len(pending) - 1)
    view = discord.ui.View(timeout=None)
    view.add_item(ProposalButton("approve", proposal.id))
    view.add_item(ProposalButton("reject", proposal.id))
    return Outgoing(embeds=(embed,), view=view)


class ProposalButton(
    DynamicItem[Button[Any]],
    template=r"kb:proposal:(?P<verdict>approve|reject):(?P<proposal>[0-9]{1,9})",
):
    """Approve / Reject on ``/kb review``; rep-only, checked again at every press."""

    def __init__(self, verdict: str, proposal_id: int) -> None:
        super().__init__(
            Button(
                label="Approve" if verdict == "approve" else "Reject",
                style=discord.ButtonStyle.success
                if verdict == "approve"
                else discord.ButtonStyle.danger,
                custom_id=f"kb:proposal:{verdict}:{proposal_id}",
            )
        )
        self.verdict = verdict
        self.proposal_id = proposal_id

    @classmethod
    async def from_custom_id(
        cls, interaction: ButtonInteraction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ProposalButton:
        return cls(match["verdict"], int(match["proposal"]))

    async def callback(self, interaction: ButtonInteraction) -> None:
        await guarded(interaction, lambda: self._decide(interaction))

    async def _decide(self, interaction: ButtonInteraction) -> None:
        await require_rep(interaction)
        actor = actor_of(interaction.user)

        def decide(kb: KnowledgeBase) -> Outgoing:
            if self.verdict == "approve":
                kb.approve_proposal(self.proposal_id, actor=actor)
            else:
                kb.reject_proposal(self.proposal_id, actor=actor)
            return review_message(kb)

        work = knowledge_of(interaction).run(decide)
        outgoing = await within_deadline(interaction, work, ephemeral=True, update=True)
        await respond_update(interaction, outgoing)


class Stats(commands.GroupCog, group_name="kb", group_description="Reps: the knowledge base"):
    def __init__(self, bot: KnowledgeBot) -> None:
        self.bot = bot
        self.bot.add_dynamic_items(ProposalButton)

    @app_commands.command(
        name="stats", description="Rep: facts, questions answered and unanswered, top open ones"
    )
    @rep_only()
    async def stats(self, interaction: discord.Interaction[KnowledgeBot]) -> None:
        def gather(kb: KnowledgeBase) -> discord.Embed:
            return stats_embed(
                kb.facts.count_facts(),
                [kb.stats(days) for days in PERIODS_DAYS],
                kb.unanswered.entries()[:TOP_OPEN],
            )

        embed = await within_deadline(interaction, self.bot.knowledge.run(gather), ephemeral=True)
        await respond(interaction, Outgoing(embeds=(embed,)), ephemeral=True)

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
