"""The reps' channel (``REP_CHANNEL_ID``): where the weekly digest and a line for each
change to a fact are posted.

Posting there never fails what a rep was doing: a channel that is missing, is
not a text channel, or where the bot may not post is logged and skipped.
Nothing posted pings anyone (``NO_MENTIONS``), though a rep is named by mention.
"""

from __future__ import annotations

import logging

import aiohttp
import discord

from bot.interactions import Outgoing
from bot.limits import clip_line

log = logging.getLogger(__name__)

ANSWER_CHARS = 300
"""A fact's answer in a change line: enough to recognise it, short enough to skim."""


class RepChannel:
    """Posts to the reps' channel, if one is set."""

    def __init__(self, client: discord.Client, channel_id: int | None) -> None:
        self._client = client
        self.channel_id = channel_id

    async def post(self, outgoing: Outgoing) -> bool:
        """Post ``outgoing``; False (and a warning logged) when it could not be posted."""
        if self.channel_id is None:
            return False
        try:
            channel = self._client.get_channel(self.channel_id) or (
                await self._client.fetch_channel(self.channel_id)
            )
        except (discord.DiscordException, aiohttp.ClientError, OSError) as error:
            log.warning("the reps' channel %d cannot be found: %s", self.channel_id, error)
            return False
        if not isinstance(channel, discord.abc.Messageable):
            log.warning("the reps' channel %d is not a text channel", self.channel_id)
            return False
        try:
            await outgoing.send_to(channel)
        except (discord.DiscordException, aiohttp.ClientError, OSError) as error:
            log.warning("could not post in the reps' channel %d: %s", self.channel_id, error)
            return False
        return True

    async def fact_changed(
        self, rep: discord.User | discord.Member, what: str, answer: str
    ) -> None:
        """One line: which rep did ``what`` (say "edited fact 12 (answer)"), and the answer."""
        if self.channel_id is None:
            return
        quoted = clip_line(answer, ANSWER_CHARS)
        await self.post(Outgoing(content=f"{rep.mention} {what}: \u201c{quoted}\u201d"))
