"""Loopback Discord test double for the bot's discord.py client.

`DiscordDouble` is an aiohttp server on 127.0.0.1 (random free port) that
speaks the part of Discord's REST API v10 and Gateway v10 the bot uses, so
that an *unmodified* discord.py 2.7 client can log in, sync its commands,
receive READY and GUILD_CREATE and then react to events a test injects
(messages, DMs, slash commands, button clicks, modal submits).  Every REST
call and every gateway payload the client sends is recorded for assertions.
It is test and benchmark support, not part of the product.

Typical use (``tests/bot/conftest.py`` has a ready-made ``discord_double`` fixture)::

    async with DiscordDouble() as double:
        with patch_discord(double):
            bot = make_bot()
            async with running_client(bot, double):
                await double.send_message(double.member, double.general, "!ping")
                request = await double.wait_for_bot_message(double.general)
                assert request.json["content"] == "pong"

Behaviour that mirrors Discord on purpose (so that product bugs show up here
rather than in production):

* transport compression (``zlib-stream``, and ``zstd-stream`` if a zstd module
  is installed) is honoured exactly as discord.py asks for it;
* intents are enforced: MESSAGE_CREATE needs GUILD_MESSAGES / DIRECT_MESSAGES,
  guild message content is blanked without MESSAGE_CONTENT (unless the bot is
  mentioned), GUILD_CREATE carries only the bot's own member; asking for
  MESSAGE_CONTENT when ``application_flags`` (READY, ``/oauth2/applications/@me``)
  lacks the portal's Message Content switch closes the gateway with 4014;
* the bot's own messages are echoed back as MESSAGE_CREATE (non-ephemeral);
* interaction callbacks must arrive within ``ack_deadline`` seconds and only
  once; empty or over-long (>2000 chars) messages are rejected with Discord's
  error bodies; a route the double does not know answers 404 and is recorded.

Channel permission overwrites (``FakeChannel.deny``) reach the client, which
computes its permissions from them; the double enforces no permission on REST calls.
Modules: ``protocol`` (wire enums), ``world`` (users, roles, channels, guild),
``records`` (what is recorded), ``state`` (the shared state), ``gateway``,
``messages``, ``routes`` and ``interactions`` (the server side),
``injection`` and ``recording`` (the test side), ``harness`` (running a client).
"""

from discord_double.double import DiscordDouble
from discord_double.harness import patch_discord, running_client
from discord_double.protocol import AppFlag, CallbackType, Intent, MessageFlag, Op, Perm
from discord_double.records import (
    DoubleTimeout,
    GatewayFrame,
    InjectedInteraction,
    RecordedRequest,
)
from discord_double.world import FakeChannel, FakeMember, FakeRole, FakeUser

__all__ = [
    "AppFlag",
    "CallbackType",
    "DiscordDouble",
    "DoubleTimeout",
    "FakeChannel",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "GatewayFrame",
    "InjectedInteraction",
    "Intent",
    "MessageFlag",
    "Op",
    "Perm",
    "RecordedRequest",
    "patch_discord",
    "running_client",
]
