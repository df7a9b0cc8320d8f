"""The doctor's checks that ask Discord: it logs in with the bot's token and looks
at what Discord says about the application, its servers and the ask channels.

It connects with the Guilds intent only (servers, channels, roles and its own
member), so that a missing Message Content intent is reported rather than
refused at login, and it sends nothing. To add a check, write a function from
the ready client and the settings to findings and list it in ``ONLINE_CHECKS``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator

import aiohttp
import discord

from bot.doctor import Finding, ok, problem
from bot.invite import invite_url, missing_permissions
from bot.settings import Settings

ONLINE_TIMEOUT_SECONDS = 30.0
"""Longer than a login and a few servers take; a network that drops packets fails
within it rather than hanging the rep's terminal."""
GUILD_READY_TIMEOUT_SECONDS = 0.5
"""As the bot's own client: nothing is chunked, so "ready" need not wait for more."""

OnlineCheck = Callable[[discord.Client, Settings], Iterable[Finding]]


def check_application(client: discord.Client, settings: Settings) -> Iterator[Finding]:
    user, application_id = client.user, client.application_id
    if settings.client_id is not None and settings.client_id != application_id:
        yield problem(
            "login",
            f"the token is application {application_id}'s, not DISCORD_CLIENT_ID "
            f"{settings.client_id}: empty DISCORD_CLIENT_ID or fix it (see .env.example)",
        )
    else:
        yield ok("login", f"Discord accepted the token of {user} (application {application_id})")


def check_message_content(client: discord.Client, _: Settings) -> Iterator[Finding]:
    flags = client.application_flags
    if flags.gateway_message_content or flags.gateway_message_content_limited:
        yield ok("intent", "Message Content is on")
    else:
        yield problem(
            "intent",
            "Message Content is off, and the bot cannot log in without it: turn it on in "
            "the developer portal (Bot > Privileged Gateway Intents > Message Content Intent)",
        )


def check_guild(client: discord.Client, settings: Settings) -> Iterator[Finding]:
    invite = invite_url(client.application_id or 0)
    if settings.guild_id is None:
        if not client.guilds:
            yield problem("server", f"the bot is in no server: invite it with {invite}")
        else:
            names = ", ".join(guild.name for guild in client.guilds)
            yield ok("server", f"DISCORD_GUILD_ID unset, commands go global; in: {names}")
        return
    guild = client.get_guild(settings.guild_id)
    if guild is None:
        yield problem(
            "server",
            f"the bot is not in DISCORD_GUILD_ID {settings.guild_id}: check the id, or have "
            f"that server's admin invite it with {invite}",
        )
        return
    lacks = _lacks(guild.me.guild_permissions)
    if lacks:
        yield problem(
            "server",
            f"in {guild.name}, but its roles lack {lacks} for its role in "
            "Server Settings > Roles (or channel by channel)",
        )
    else:
        yield ok("server", f"in {guild.name} ({guild.id}) with every permission it needs")


def check_ask_channels(client: discord.Client, settings: Settings) -> Iterator[Finding]:
    if not settings.ask_channel_ids:
        yield ok("ask channels", "none set: members ask with /ask, by mention and by DM")
        return
    fine = []
    for channel_id in sorted(settings.ask_channel_ids):
        channel = client.get_channel(channel_id)
        if not isinstance(channel, discord.abc.GuildChannel):
            yield problem(
                "ask channel",
                f"{channel_id} is no channel the bot can see: check ASK_CHANNEL_IDS, or allow "
                "View Channels for its role there",
            )
            continue
        lacks = _lacks(channel.permissions_for(channel.guild.me))
        if lacks:
            yield problem(
                "ask channel",
                f"#{channel.name} ({channel_id}): the bot lacks {lacks} for its role in the "
                "channel's Permissions",
            )
        else:
            fine.append(f"#{channel.name}")
    if fine:
        yield ok("ask channels", f"the bot can read and answer in {', '.join(fine)}")


def _lacks(permissions: discord.Permissions) -> str:
    """What the bot lacks of what it needs, and "it" or "them" to say what to allow;
    "" when it lacks nothing."""
    missing = missing_permissions(permissions)
    if not missing:
        return ""
    return f"{', '.join(missing)}: allow {'it' if len(missing) == 1 else 'them'}"


ONLINE_CHECKS: tuple[OnlineCheck, ...] = (
    check_application,
    check_message_content,
    check_guild,
    check_ask_channels,
)


async def online_findings(settings: Settings) -> list[Finding]:
    """Log in with ``settings.token``, run every online check, log out.

    A refused token, an unreachable Discord or a timeout is one problem finding.
    """
    client = discord.Client(
        intents=discord.Intents(guilds=True), guild_ready_timeout=GUILD_READY_TIMEOUT_SECONDS
    )
    connection: asyncio.Task[None] | None = None
    try:
        async with asyncio.timeout(ONLINE_TIMEOUT_SECONDS):
            await client.login(settings.token)
            connection = asyncio.create_task(client.connect(reconnect=False))
            await _until_ready(client, connection)
            return [finding for check in ONLINE_CHECKS for finding in check(client, settings)]
    except discord.LoginFailure:
        return [
            problem(
                "login",
                "Discord refused DISCORD_TOKEN: copy it again from the developer portal "
                "(Bot > Reset Token) into .env",
            )
        ]
    except TimeoutError:
        return [
            problem(
                "login",
                f"Discord did not answer within {ONLINE_TIMEOUT_SECONDS:g} s: check the network",
            )
        ]
    except (discord.DiscordException, aiohttp.ClientError, OSError) as error:
        return [problem("login", f"could not reach Discord ({error}): check the network")]
    finally:
        await client.close()
        if connection is not None:
            await asyncio.gather(connection, return_exceptions=True)


async def _until_ready(client: discord.Client, connection: asyncio.Task[None]) -> None:
    """Wait until Discord has sent the bot's servers; raise why not if the connection ends."""
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        await asyncio.wait({connection, ready}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        ready.cancel()
        await asyncio.gather(ready, return_exceptions=True)
    if connection.done():
        connection.result()  # raises why it ended
        raise discord.ClientException("Discord closed the connection before the bot was ready")
