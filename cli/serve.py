"""``run_bot.py run``: start the Discord bot with the settings already read and checked."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

import discord

from bot.client import KnowledgeBot
from bot.settings import Settings
from knowledge import KnowledgeBase


def serve(settings: Settings, err: TextIO | None = None) -> int:
    """Run the bot until it is stopped; returns the exit status.

    Discord refusing the token or the intents is one clear line, as any
    other mistake in the settings is.
    """
    err = err or sys.stderr
    discord.utils.setup_logging(level=settings.log_level_number)
    kb = KnowledgeBase.open(settings.database_path, sources_dir=settings.sources_dir)
    try:
        asyncio.run(_run(settings, kb))
    except discord.LoginFailure:
        print("error: Discord refused DISCORD_TOKEN: check the token (see .env.example)", file=err)
        return 1
    except discord.PrivilegedIntentsRequired:
        print(
            "error: turn on the Message Content intent for the bot in Discord's developer portal",
            file=err,
        )
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        kb.close()
    return 0


async def _run(settings: Settings, kb: KnowledgeBase) -> None:
    async with KnowledgeBot(settings, kb) as bot:
        await bot.start(settings.token)
