"""Answering an interaction exactly once, in time, pinging nobody.

Every message the bot sends goes through ``respond`` (new message),
``respond_update`` (the message a button sits on) or ``Outgoing.send_to``
(a channel or DM), each with ``NO_MENTIONS`` unless a caller names the one
member it must ping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

import discord

T = TypeVar("T")

NO_MENTIONS = discord.AllowedMentions.none()
DEFER_AFTER_SECONDS = 1.0
"""Work still running after this long is deferred, well inside Discord's 3-second deadline."""


@dataclass(frozen=True)
class Outgoing:
    """What to send: text, embeds, a view and files, any of them optional.

    Files go only with a new message, not with the edit of one.
    """

    content: str | None = None
    embeds: tuple[discord.Embed, ...] = ()
    view: discord.ui.View | None = None
    files: tuple[discord.File, ...] = ()

    def fields(self) -> dict[str, Any]:
        """The keyword arguments discord.py's send and edit methods take."""
        fields: dict[str, Any] = {"content": self.content, "embeds": list(self.embeds)}
        if self.view is not None:
            fields["view"] = self.view
        if self.files:
            fields["files"] = list(self.files)
        return fields

    async def send_to(
        self,
        target: discord.abc.Messageable,
        *,
        allowed_mentions: discord.AllowedMentions = NO_MENTIONS,
    ) -> discord.Message:
        return await target.send(**self.fields(), allowed_mentions=allowed_mentions)

    async def reply_to(self, message: discord.Message) -> discord.Message:
        return await message.reply(
            **self.fields(), allowed_mentions=NO_MENTIONS, mention_author=False
        )


async def within_deadline(
    interaction: discord.Interaction[Any],
    work: Awaitable[T],
    *,
    ephemeral: bool,
    update: bool = False,
) -> T:
    """Await ``work``, deferring the interaction if it takes more than a moment.

    ``update`` defers as "the message the button is on will change" rather
    than "a new message is coming".
    """
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER_SECONDS)
    if not done and not interaction.response.is_done():
        if update:
            await interaction.response.defer()
        else:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    return await task


async def respond(
    interaction: discord.Interaction[Any], outgoing: Outgoing, *, ephemeral: bool
) -> None:
    """The interaction's one response: a new message, or the follow-up after a deferral."""
    if interaction.response.is_done():
        await interaction.followup.send(
            **outgoing.fields(), ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )
    else:
        await interaction.response.send_message(
            **outgoing.fields(), ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )
    _stop_listening(outgoing)


async def respond_update(interaction: discord.Interaction[Any], outgoing: Outgoing) -> None:
    """The interaction's one response: a new version of the message its button is on."""
    if interaction.response.is_done():
        await interaction.edit_original_response(**outgoing.fields(), allowed_mentions=NO_MENTIONS)
    else:
        await interaction.response.edit_message(**outgoing.fields(), allowed_mentions=NO_MENTIONS)
    _stop_listening(outgoing)


def _stop_listening(outgoing: Outgoing) -> None:
    """Every button is a ``DynamicItem``, dispatched by its custom_id after any restart,
    so the sent view object itself need not listen. (For an ephemeral message
    discord.py would otherwise keep a 15-minute timeout task per view.)"""
    if outgoing.view is not None:
        outgoing.view.stop()
