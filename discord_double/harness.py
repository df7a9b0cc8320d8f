"""Pointing an unmodified discord.py client at the double, and running it until ready."""

# running_client takes ``ready_timeout=`` on purpose, like the waiting helpers.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from typing import TypeVar

import discord
import yarl
from discord import http as discord_http
from discord.gateway import DiscordWebSocket

from discord_double.double import DiscordDouble
from discord_double.records import DoubleTimeout

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextmanager
def patch_discord(double: DiscordDouble) -> Iterator[DiscordDouble]:
    """Point discord.py at ``double`` for the duration of the block.

    * ``discord.http.Route.BASE`` -> ``http://127.0.0.1:PORT/api/v10``; every
      REST call, including interaction callbacks and follow-up webhooks
      (``discord/webhook/async_.py`` builds its URLs with the same ``Route``),
      goes to the double;
    * ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` ->
      ``ws://127.0.0.1:PORT/gateway``: a plain ``Client``/``Bot`` connects
      there without asking ``/gateway/bot``.  Resumes use READY's
      ``resume_gateway_url`` (``/gateway-resume``).
    """
    old_base = discord_http.Route.BASE
    old_gateway = DiscordWebSocket.DEFAULT_GATEWAY
    discord_http.Route.BASE = double.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(double.gateway_url)
    try:
        yield double
    finally:
        discord_http.Route.BASE = old_base
        DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


@asynccontextmanager
async def running_client(
    client: ClientT,
    double: DiscordDouble,
    *,
    ready_timeout: float = 5.0,
    guild_ready_timeout: float | None = 0.05,
) -> AsyncIterator[ClientT]:
    """Run ``client.start()`` against ``double`` until ``on_ready``; close it on exit.

    ``guild_ready_timeout`` shortens discord.py's wait for further
    GUILD_CREATEs before READY (2 s by default) - the same knob as the
    ``guild_ready_timeout=`` Client option; pass ``None`` to keep the client's.
    If the client dies before it is ready, its exception is raised here.
    """
    if guild_ready_timeout is not None:
        client._connection.guild_ready_timeout = guild_ready_timeout
    task = asyncio.create_task(client.start(double.token), name="discord-double-client")
    try:
        await _wait_until_ready(client, task, ready_timeout)
        yield client
    finally:
        await client.close()
        with suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=5.0)


async def _wait_until_ready(
    client: discord.Client, task: asyncio.Task[None], timeout: float
) -> None:
    ready = asyncio.create_task(client.wait_until_ready(), name="discord-double-wait-ready")
    done, _ = await asyncio.wait(
        {ready, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if ready not in done:
        ready.cancel()
        await asyncio.gather(ready, return_exceptions=True)
    if task in done:
        task.result()  # re-raise the client's failure
        raise RuntimeError("the client stopped before it became ready")
    if ready not in done:
        raise DoubleTimeout(f"client not ready within {timeout}s")
