"""Members' privacy: ``/privacy`` shows what the bot holds about you, ``/forget-me`` deletes it.

The only record of a member is a notify request (``notify_requests``): made
when they press "Notify me when it's answered", gone once they are told, the
question is closed, or ``NOTIFY_RETENTION_DAYS`` pass. Both commands work for
anyone, in a server or by DM, and answer privately.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import KnowledgeBot
from bot.interactions import Outgoing, respond, within_deadline
from bot.render import privacy_embed

Interaction = discord.Interaction[KnowledgeBot]


def forgotten_text(count: int) -> str:
    if not count:
        return "I held nothing about you, so there was nothing to delete."
    return f"Done: I deleted {count} notify request(s). I now hold nothing about you."


class Privacy(commands.Cog):
    def __init__(self, bot: KnowledgeBot) -> None:
        self.bot = bot

    @app_commands.command(name="privacy", description="See what I hold about you (only you see it)")
    async def privacy(self, interaction: Interaction) -> None:
        user_id = str(interaction.user.id)
        work = self.bot.knowledge.run(lambda kb: kb.held_about(user_id))
        found = await within_deadline(interaction, work, ephemeral=True)
        await respond(interaction, Outgoing(embeds=(privacy_embed(found),)), ephemeral=True)

    @app_commands.command(name="forget-me", description="Delete everything I hold about you")
    async def forget_me(self, interaction: Interaction) -> None:
        user_id = str(interaction.user.id)
        work = self.bot.knowledge.run(lambda kb: kb.forget_member(user_id))
        count = await within_deadline(interaction, work, ephemeral=True)
        await respond(interaction, Outgoing(content=forgotten_text(count)), ephemeral=True)


async def setup(bot: KnowledgeBot) -> None:
    await bot.add_cog(Privacy(bot))
