"""Fixtures for bot tests: a loopback Discord that the real discord.py client talks to.

Usage in a test (pytest-asyncio)::

    async def test_something(discord_double: DiscordDouble) -> None:
        bot = build_product_bot()                      # unmodified product code
        async with running_client(bot, discord_double):
            await discord_double.send_message(discord_double.member, discord_double.general, "hi")
            reply = await discord_double.wait_for_bot_message(discord_double.general)
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.client import KnowledgeBot
from bot.settings import Settings
from discord_double import DiscordDouble, patch_discord, running_client
from knowledge.base import KnowledgeBase
from knowledge.models import Fact


@pytest_asyncio.fixture
async def discord_double() -> AsyncIterator[DiscordDouble]:
    """A started `DiscordDouble` with discord.py's REST base and gateway URL patched to it.

    Fails the test at teardown if the double itself hit an internal error.
    """
    async with DiscordDouble() as double:
        with patch_discord(double):
            yield double
    assert not double.internal_errors, f"discord double internal errors: {double.internal_errors!r}"


@pytest.fixture(scope="session")
def curated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the curated facts loaded, built once; tests get copies."""
    path = tmp_path_factory.mktemp("curated") / "knowledge.db"
    KnowledgeBase.open(path).close()
    return path


@pytest.fixture
def kb(curated_database: Path, tmp_path: Path) -> Iterator[KnowledgeBase]:
    """A fresh on-disk knowledge base with the curated facts (a copy of one built per session)."""
    path = tmp_path / "knowledge.db"
    shutil.copyfile(curated_database, path)
    base = KnowledgeBase.open(path)
    yield base
    base.close()


def bot_settings(double: DiscordDouble, **changes: Any) -> Settings:
    """Settings for a bot in the double's server: "other" is the ask channel, no cooldown."""
    settings = Settings(
        token=double.token,
        # The bot is handed its knowledge base: only run_bot.py reads this path.
        database_path=Path("knowledge.db"),
        guild_id=double.guild.id,
        ask_channel_ids=frozenset({double.other_channel.id}),
        question_cooldown_seconds=0,
    )
    return dataclasses.replace(settings, **changes)


@asynccontextmanager
async def running_bot(
    double: DiscordDouble, kb: KnowledgeBase, **changes: Any
) -> AsyncIterator[KnowledgeBot]:
    """The product bot, logged in to ``double`` and ready, closed on exit."""
    bot = KnowledgeBot(bot_settings(double, **changes), kb)
    async with running_client(bot, double):
        yield bot


TWIN_QUESTION = "who organises the branch social?"


def twin_facts(kb: KnowledgeBase) -> list[Fact]:
    """Two facts that answer ``TWIN_QUESTION`` equally well: asking it gets "did you mean"."""
    return [
        kb.add_fact(
            answer=f"The branch {season} social is organised by the welfare officer.",
            source_key=kb.sources()[0].key,
            quote="",
            questions=["who organises the branch social"],
            actor="test",
        )
        for season in ("summer", "winter")
    ]
