"""``/kb stats``: how the bot is doing, for reps. Counts only: no member, no question text
beyond the most-asked open questions."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import rep_only
from bot.client import KnowledgeBot
from bot.interactions import Outgoing, respond, within_deadline
from bot.render import stats_embed
from knowledge.base import KnowledgeBase

PERIODS_DAYS = (7, 30)
TOP_OPEN = 5


class Stats(commands.GroupCog, group_name="kb", group_description="Reps: the knowledge base"):
    def __init__(self, bot: KnowledgeBot) -> None:
        self.bot = bot

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


async def setup(bot: KnowledgeBot) -> None:
    await bot.add_cog(Stats(bot))
