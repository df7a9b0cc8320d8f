"""Waiting for what the client sends: a clear failure when it never comes."""

from __future__ import annotations

import pytest

from discord_double import DiscordDouble, DoubleTimeout


async def test_waiting_for_what_never_comes_times_out(discord_double: DiscordDouble) -> None:
    with pytest.raises(DoubleTimeout, match="no matching REST request"):
        await discord_double.wait_for_bot_message(discord_double.general, timeout=0.05)
