"""The running bot's daily backup: taken at start-up when due, beside answering,
and a folder it cannot write is one error line while members keep getting answers.

Through the real discord.py client and the loopback double.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.client import KnowledgeBot
from discord_double import DiscordDouble, running_client
from knowledge import BackupFolder, KnowledgeBase, check_backup_dir
from knowledge.backups import backup_name, online_copy
from tests.bot.conftest import bot_settings, running_bot
from tests.bot.test_bot import KNOWN_QUESTION, ask_command

pytestmark = pytest.mark.asyncio


async def until(condition: Callable[[], bool]) -> None:
    """Wait up to 30 s for ``condition``: the backup runs on its own thread, as in production."""
    for _ in range(1500):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the backup did not get that far within 30 s")


def backups_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob("knowledge-*.db"))


async def test_the_bot_backs_up_at_start_up_when_the_newest_is_a_day_old(
    discord_double: DiscordDouble, kb: KnowledgeBase, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    old = [backup_name(datetime.now(UTC) - timedelta(days=days)) for days in (3, 2)]
    for name in old:
        (folder / name).write_bytes(b"an old backup")
    async with running_bot(discord_double, kb, backup_dir=folder, backup_keep=2) as bot:
        await until(lambda: backups_in(folder) != old)
        taken = backups_in(folder)
        assert bot.backups is not None
        await bot.back_up(bot.backups)  # looking again the same day takes none

    assert backups_in(folder) == taken and len(taken) == 2
    assert taken[0] == old[-1] and taken[1] > old[-1]  # the oldest rotated away
    restored = KnowledgeBase.open(folder / taken[1])
    assert restored.ask(KNOWN_QUESTION, place="console").answered
    restored.close()


async def test_without_a_backup_folder_the_bot_takes_none(
    discord_double: DiscordDouble, kb: KnowledgeBase, tmp_path: Path
) -> None:
    async with running_bot(discord_double, kb) as bot:
        _, answer = await ask_command(discord_double, discord_double.member, KNOWN_QUESTION)
        assert not bot.back_up.is_running()
    assert answer.embed["footer"]["text"].startswith("Fact ")


async def test_members_get_answers_while_a_backup_runs(
    discord_double: DiscordDouble, kb: KnowledgeBase, tmp_path: Path
) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_copy(database: Path, target: Path) -> None:
        started.set()
        release.wait(timeout=30)
        online_copy(database, target)

    folder = BackupFolder(tmp_path, keep=3, copy=slow_copy)
    bot = KnowledgeBot(bot_settings(discord_double), kb, backups=folder)
    async with running_client(bot, discord_double):
        assert await asyncio.to_thread(started.wait, 30)
        _, answer = await ask_command(discord_double, discord_double.member, KNOWN_QUESTION)
        in_progress = backups_in(tmp_path)
        release.set()
        await until(lambda: backups_in(tmp_path) != [])

    assert answer.embed["footer"]["text"].startswith("Fact ")
    assert in_progress == [] and len(backups_in(tmp_path)) == 1


async def test_an_unwritable_backup_folder_is_one_error_line_and_answering_goes_on(
    discord_double: DiscordDouble,
    kb: KnowledgeBase,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    folder = blocker / "backups"
    with caplog.at_level(logging.DEBUG):
        async with running_bot(discord_double, kb, backup_dir=folder) as bot:
            await until(lambda: any(r.levelno >= logging.ERROR for r in caplog.records))
            _, answer = await ask_command(discord_double, discord_double.member, KNOWN_QUESTION)
            assert bot.back_up.is_running()  # to try again within the hour

    assert answer.embed["footer"]["text"].startswith("Fact ")
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [record.getMessage() for record in errors] == [
        f"scheduled backup failed: cannot back up into {folder}: "
        f"[Errno 20] Not a directory: '{folder}'"
    ]
    assert errors[0].exc_info is None  # one line, no traceback
    ours = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(("bot.", "knowledge."))
    )
    assert "backup" in ours
    assert discord_double.token not in caplog.text  # discord.py's own lines too
    assert str(discord_double.member.id) not in ours
    # Remembered for `doctor`, even once the folder could be made.
    blocker.unlink()
    problem = check_backup_dir(folder, database=tmp_path / "knowledge.db")
    assert problem is not None and "Not a directory" in problem
