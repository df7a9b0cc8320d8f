"""Fixtures for the double's own tests: a started double that discord.py is
pointed at, the tiny bot logged in to it, and a check that nothing leaks."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import pytest_asyncio
from discord.gateway import KeepAliveHandler

from discord_double import DiscordDouble, patch_discord, running_client
from tests.discord_double.tiny_bot import TinyBot


@pytest_asyncio.fixture
async def discord_double() -> AsyncIterator[DiscordDouble]:
    """A started `DiscordDouble` with discord.py's REST base and gateway URL patched to it.

    Fails the test at teardown if the double itself hit an internal error.
    """
    async with DiscordDouble() as double:
        with patch_discord(double):
            yield double
    assert not double.internal_errors, f"discord double internal errors: {double.internal_errors!r}"


@pytest_asyncio.fixture
async def bot(discord_double: DiscordDouble) -> AsyncIterator[TinyBot]:
    client = TinyBot(discord_double.guild.id)
    async with running_client(client, discord_double):
        yield client


@pytest_asyncio.fixture(autouse=True)
async def no_leaks() -> AsyncIterator[None]:
    """Fail if a test leaves asyncio tasks or discord.py heartbeat threads behind."""
    yield
    current = asyncio.current_task()
    leftover = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    assert leftover == [], f"leaked tasks: {leftover}"
    threads = [t for t in threading.enumerate() if isinstance(t, KeepAliveHandler)]
    for thread in threads:
        thread.join(timeout=1.0)  # stopped on close; give it a moment to notice
    threads = [t for t in threads if t.is_alive()]
    assert threads == [], f"leaked heartbeat threads: {threads}"
