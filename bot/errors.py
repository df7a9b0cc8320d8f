"""The bot's one error handler, for commands (via the command tree) and buttons alike.

A knowledge error or a refused permission becomes its short message, sent
only to the person who caused it; a change the database could not save (disk
full, read-only file) is logged with the reason and the person is told
nothing was saved; anything else is logged with its traceback and the person
gets an apology. Never silence.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from bot.interactions import Outgoing, respond
from bot.limits import MESSAGE_CHARS, clip
from knowledge.errors import KnowledgeError, StorageUnavailable

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. The reps can see what happened in the log."
NOT_HERE = "Sorry, you can't use that here."
NOT_SAVED = (
    "Sorry, I could not save that: the database cannot be written just now, so nothing"
    " was changed. The reps can see why in the log."
)


def user_message(error: BaseException, what: str) -> str:
    """What to tell the person whose ``what`` failed with ``error``; logs unexpected errors."""
    cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(cause, StorageUnavailable):
        log.error("%s could not be saved: %s", what, cause)
        return NOT_SAVED
    if isinstance(cause, KnowledgeError):
        return str(cause)
    if isinstance(cause, app_commands.CheckFailure):
        return str(cause) or NOT_HERE
    log.error("%s failed", what, exc_info=cause)
    return APOLOGY


def _described(interaction: discord.Interaction[Any]) -> str:
    if interaction.command is not None:
        return f"/{interaction.command.qualified_name}"
    data: dict[str, Any] = dict(interaction.data or {})
    custom_id = data.get("custom_id")
    return f"button {custom_id}" if custom_id else "an interaction"


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Tell the person what went wrong, privately, as the interaction's one response."""
    text = clip(user_message(error, _described(interaction)), MESSAGE_CHARS)
    try:
        await respond(interaction, Outgoing(content=text), ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the user about an error", exc_info=True)


async def guarded(
    interaction: discord.Interaction[Any], action: Callable[[], Awaitable[None]]
) -> None:
    """Run a button's ``action``, reporting any exception as the tree's handler does.

    discord.py only logs exceptions raised in button callbacks; the person
    who pressed would see "interaction failed" and nothing else.
    """
    try:
        await action()
    except Exception as error:  # the boundary: everything is reported, nothing escapes
        await report_error(interaction, error)
