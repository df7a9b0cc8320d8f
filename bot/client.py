"""The Discord client: settings and knowledge base in, one extension per concern.

Started from a coroutine (``cli.serve``)::

    async with KnowledgeBot(settings, KnowledgeBase.open(settings.database_path)) as bot:
        await bot.start(settings.token)
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.errors import report_error
from bot.interactions import NO_MENTIONS
from bot.rep_channel import RepChannel
from bot.settings import Settings
from bot.worker import KnowledgeWorker
from knowledge import BackupFolder, KnowledgeBase
from knowledge.errors import KnowledgeError

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.cogs.questions",
    "bot.cogs.facts",
    "bot.cogs.sources",
    "bot.cogs.unanswered",
    "bot.cogs.stats",
    "bot.cogs.privacy",
    "bot.cogs.reports",
)
PURGE_EVERY_HOURS = 24
BACKUP_CHECK_EVERY_HOURS = 1
"""How often the bot looks whether the daily backup is due: a bot restarted
every night still takes one, and a failed one is tried again within the hour."""
GUILD_READY_TIMEOUT_SECONDS = 0.5


def bot_intents() -> discord.Intents:
    """Only what the bot uses. Message content is needed to read questions asked
    by mention, by DM and in ask channels; no member list, no presences."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = True
    return intents


def knowledge_bot(interaction: discord.Interaction[Any]) -> KnowledgeBot:
    """The bot a button press came to.

    discord.py types button callbacks for any client; this one is ours.
    """
    client = interaction.client
    if not isinstance(client, KnowledgeBot):
        raise TypeError(f"a button of this bot was dispatched by {type(client).__name__}")
    return client


def knowledge_of(interaction: discord.Interaction[Any]) -> KnowledgeWorker:
    """The knowledge worker of the bot a button press came to."""
    return knowledge_bot(interaction).knowledge


class KnowledgeTree(app_commands.CommandTree["KnowledgeBot"]):
    """The command tree, with the bot's one error handler."""

    async def on_error(
        self, interaction: discord.Interaction[KnowledgeBot], error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


class KnowledgeBot(commands.Bot):
    """Answers members' questions from the knowledge base; reps curate it.

    All knowledge-base calls go through ``self.knowledge`` (one worker thread).
    """

    def __init__(
        self, settings: Settings, kb: KnowledgeBase, *, backups: BackupFolder | None = None
    ) -> None:
        """``backups``: where the daily backups go; by default ``BACKUP_DIR`` and
        ``BACKUP_KEEP`` from ``settings``, none when ``BACKUP_DIR`` is not set."""
        super().__init__(
            # Only slash commands: ``on_message`` below never processes prefix commands.
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=bot_intents(),
            allowed_mentions=NO_MENTIONS,
            tree_cls=KnowledgeTree,
            # discord.py waits this long after the last server arrives before
            # "ready" (2 s by default, for member chunking): this bot chunks no
            # members and needs nothing from "ready", so it need not wait long.
            guild_ready_timeout=GUILD_READY_TIMEOUT_SECONDS,
        )
        self.settings = settings
        self.knowledge = KnowledgeWorker(kb)
        if backups is None and settings.backup_dir is not None:
            backups = BackupFolder(settings.backup_dir, settings.backup_keep)
        self.backups = backups
        self.rep_channel = RepChannel(self, settings.rep_channel_id)

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.purge_notify_requests.start()
        if self.backups is not None:
            self.back_up.start(self.backups)
        guild = None if self.settings.guild_id is None else discord.Object(self.settings.guild_id)
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        log.info(
            "synced %d commands %s",
            len(synced),
            "globally" if guild is None else f"to server {guild.id}",
        )

    async def on_message(self, message: discord.Message, /) -> None:
        """Questions are read by the questions extension's listener; there are no
        prefix commands to process."""

    @tasks.loop(hours=PURGE_EVERY_HOURS)
    async def purge_notify_requests(self) -> None:
        """Forget notify requests older than the retention period (at start-up, then daily)."""
        days = self.settings.notify_retention_days
        try:
            purged = await self.knowledge.run(lambda kb: kb.purge_notify_requests(days))
        except KnowledgeError:
            log.warning("could not purge old notify requests", exc_info=True)
            return
        if purged:
            log.info("forgot %d notify requests older than %d days", purged, days)

    @tasks.loop(hours=BACKUP_CHECK_EVERY_HOURS)
    async def back_up(self, folder: BackupFolder) -> None:
        """Take the daily backup into ``folder`` when it is due (at start-up, then
        looked at hourly), beside the knowledge worker so that answering goes on."""
        try:
            taken = await self.knowledge.run_alongside(lambda kb: kb.back_up_if_due(folder))
        except KnowledgeError as error:
            # One line per attempt: the reason is an OS or SQLite message about
            # the folder, with no member's data; the bot answers on regardless.
            log.error("scheduled backup failed: %s", error)
            return
        if taken is not None:
            log.info("backed up the database to %s", taken)

    async def close(self) -> None:
        self.purge_notify_requests.cancel()
        self.back_up.cancel()
        await super().close()
        await self.knowledge.close()
