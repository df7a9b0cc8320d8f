"""Fixtures for the double's own tests: a started double that discord.py is pointed at."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from discord_double import DiscordDouble, patch_discord


@pytest_asyncio.fixture
async def discord_double() -> AsyncIterator[DiscordDouble]:
    """A started `DiscordDouble` with discord.py's REST base and gateway URL patched to it.

    Fails the test at teardown if the double itself hit an internal error.
    """
    async with DiscordDouble() as double:
        with patch_discord(double):
            yield double
    assert not double.internal_errors, f"discord double internal errors: {double.internal_errors!r}"
