"""What the bot asks for when a server admin invites it: the OAuth2 scopes and the
channel permissions it uses, and the invite URL built from them.

>>> invite_url(123)
'https://discord.com/oauth2/authorize?client_id=123&scope=bot+applications.commands&permissions=274877991936'
"""

from __future__ import annotations

import base64
import binascii

import discord

SCOPES = ("bot", "applications.commands")
"""``bot`` puts the bot in the server; ``applications.commands`` lets it register its
slash commands there."""

NEEDED_PERMISSIONS: dict[str, str] = {
    "view_channel": "to see ask channels and the messages that mention it",
    "send_messages": "to answer in chat and tell a member their question was answered",
    "send_messages_in_threads": "to answer a mention, or a question in an ask channel's thread",
    "embed_links": "answers, suggestions and passages are embeds",
    "read_message_history": "it answers a message as a reply to it",
}
"""Each permission the bot needs in a channel, by discord.py's name, with the reason.

Slash commands and buttons are answered through the interaction, which needs
none of these; no file is attached, no reaction added, nobody's message managed.
"""


def needed_permissions() -> discord.Permissions:
    return discord.Permissions(**dict.fromkeys(NEEDED_PERMISSIONS, True))


def permission_label(name: str) -> str:
    """``send_messages_in_threads`` -> "Send Messages In Threads", as the portal lists it."""
    return name.replace("_", " ").title()


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
