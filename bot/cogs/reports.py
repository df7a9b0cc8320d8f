"""The weekly digest in the reps' channel (``REP_CHANNEL_ID``).

Checked at start-up and then hourly: when one is due (``bot.digest``) the bot
posts what happened since the last one, and only once it is posted does the
knowledge base record it, so that a digest that could not be posted is tried
again the next hour rather than skipped.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from discord.ext import commands, tasks

from bot.client import KnowledgeBot
from bot.digest import digest_due, digest_embed
from bot.interactions import Outgoing
from knowledge.errors import KnowledgeError

log = logging.getLogger(__name__)

CHECK_EVERY_HOURS = 1


class Reports(commands.Cog):
    def __init__(self, bot: KnowledgeBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        if self.bot.settings.rep_channel_id is not None:
            self.weekly_digest.start()

    async def cog_unload(self) -> None:
        self.weekly_digest.cancel()

    @tasks.loop(hours=CHECK_EVERY_HOURS)
    async def weekly_digest(self) -> None:
        """Post the digest when one is due."""
        now = datetime.now(UTC)
        try:
            last = await self.bot.knowledge.run(lambda kb: kb.last_digest_at())
            if not digest_due(last, now):
                return
            digest = await self.bot.knowledge.run(lambda kb: kb.digest(now))
        except KnowledgeError:
            log.warning("could not read the weekly digest", exc_info=True)
            return
        if not await self.bot.rep_channel.post(Outgoing(embeds=(digest_embed(digest),))):
            return
        try:
            await self.bot.knowledge.run(lambda kb: kb.record_digest(digest))
        except KnowledgeError:
            log.error("posted the weekly digest but could not record it", exc_info=True)

    @weekly_digest.before_loop
    async def wait_until_ready(self) -> None:
        """The channel is known once the bot has its servers."""
        await self.bot.wait_until_ready()


async def setup(bot: KnowledgeBot) -> None:
    await bot.add_cog(Reports(bot))
