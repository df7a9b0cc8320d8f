"""Who is a rep: the one permission check of the bot.

``rep_only()`` decorates every rep command; every rep button (a
``PersistentButton`` made with ``rep_only=True``) calls
``require_rep(interaction)`` again at each press, because a button can be
pressed by anyone who sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import discord
from discord import app_commands

from bot.client import KnowledgeBot
from bot.settings import Settings

T = TypeVar("T")


class NotARep(app_commands.CheckFailure):
    """Raised when someone who is not a rep tries a rep command or button."""

    def __init__(self) -> None:
        super().__init__("Sorry, only reps can do that. Nothing was changed.")


def is_rep(user: discord.User | discord.Member, settings: Settings) -> bool:
    """A rep holds a configured rep role (by id or by name) or may manage the server.

    Outside a server (a DM) nobody is a rep: roles only exist in a server.
    """
    if not isinstance(user, discord.Member):
        return False
    if user.guild_permissions.manage_guild:
        return True
    return any(
        role.id in settings.rep_role_ids or role.name.casefold() in settings.rep_role_names
        for role in user.roles
    )


async def require_rep(interaction: discord.Interaction[KnowledgeBot]) -> bool:
    """True for a rep; raises ``NotARep`` for anyone else."""
    if not is_rep(interaction.user, interaction.client.settings):
        raise NotARep()
    return True


def rep_only() -> Callable[[T], T]:
    """Decorator for rep commands: the command runs only for a rep."""
    return app_commands.check(require_rep)


def actor_of(user: discord.User | discord.Member) -> str:
    """How a rep is named in a fact's history and the unanswered log: who changed what."""
    return f"discord:{user.id}:{user.display_name}"
