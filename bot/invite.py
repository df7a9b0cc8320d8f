"""What the bot asks for when a server admin invites it: the OAuth2 scopes and the
channel permissions it uses, and the invite URL built from them.

>>> invite_url(123)
'https://discord.com/oauth2/authorize?client_id=123&scope=bot+applications.commands&permissions=274877991936'
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import discord

SCOPES = ("bot", "applications.commands")
"""``bot`` puts the bot in the server; ``applications.commands`` lets it register its
slash commands there."""


@dataclass(frozen=True, slots=True)
class NeededPermission:
    """A channel permission the bot needs: discord.py's name for it, the developer
    portal's, and why the bot needs it."""

    name: str
    label: str
    reason: str


NEEDED_PERMISSIONS = (
    NeededPermission(
        "view_channel", "View Channels", "to see ask channels and the messages that mention it"
    ),
    NeededPermission(
        "send_messages",
        "Send Messages",
        "to answer in chat and tell a member their question was answered",
    ),
    NeededPermission(
        "send_messages_in_threads",
        "Send Messages in Threads",
        "to answer a mention, or a question in an ask channel's thread",
    ),
    NeededPermission("embed_links", "Embed Links", "answers, suggestions and passages are embeds"),
    NeededPermission(
        "read_message_history", "Read Message History", "it answers a message as a reply to it"
    ),
)
"""Slash commands and buttons are answered through the interaction, which needs
none of these; no file is attached, no reaction added, nobody's message managed."""


def needed_permissions() -> discord.Permissions:
    return discord.Permissions(**{permission.name: True for permission in NEEDED_PERMISSIONS})


def missing_permissions(permissions: discord.Permissions) -> list[str]:
    """The portal's names of the needed permissions that ``permissions`` lacks."""
    return [p.label for p in NEEDED_PERMISSIONS if not getattr(permissions, p.name)]


def invite_url(application_id: int) -> str:
    """The link a server admin opens to add the bot with exactly what it needs."""
    return discord.utils.oauth_url(application_id, permissions=needed_permissions(), scopes=SCOPES)


def application_id_from_token(token: str) -> int | None:
    """The bot's application id, which a bot token carries as base64 before its first
    dot; None when ``token`` does not have that shape."""
    head = token.strip().split(".", 1)[0]
    try:
        text = base64.b64decode(head + "=" * (-len(head) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None
    if not (text.isascii() and text.isdigit() and 0 < int(text) < 2**64):
        return None
    return int(text)
