"""Fixtures for bot tests: a loopback Discord that the real discord.py client talks to.

Usage in a test (pytest-asyncio)::

    async def test_something(discord_double: DiscordDouble) -> None:
        bot = build_product_bot()                      # unmodified product code
        async with running_client(bot, discord_double):
            await discord_double.send_message(discord_double.member, discord_double.general, "hi")
            reply = await discord_double.wait_for_bot_message(discord_double.general)
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.bot.discord_double import DiscordDouble, patch_discord


@pytest_asyncio.fixture
async def discord_double() -> AsyncIterator[DiscordDouble]:
    """A started `DiscordDouble` with discord.py's REST base and gateway URL patched to it.

    Fails the test at teardown if the double itself hit an internal error.
    """
    async with DiscordDouble() as double:
        with patch_discord(double):
            yield double
    assert not double.internal_errors, f"discord double internal errors: {double.internal_errors!r}"
