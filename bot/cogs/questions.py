"""Members' questions: ``/ask``, a mention of the bot, a DM, or a question in an ask channel."""

from __future__ import annotations

import logging
import math

import discord
from discord import app_commands
from discord.ext import commands

from bot.asking import mentions_of, reads_as_question, without_mentions_of
from bot.client import KnowledgeBot
from bot.cooldown import QuestionCooldown, Wait
from bot.errors import user_message
from bot.interactions import Outgoing, respond, within_deadline
from bot.replies import REPLY_BUTTONS, answer_message, place_of
from knowledge import Reply

log = logging.getLogger(__name__)

QUESTION_CHARS = 1_000
"""The longest /ask question; the reply shows it whole in a 1,024-character embed field."""
HOW_TO_ASK = "Ask me a question about shared services, for example: *Who owns SSCL?*"


def cooldown_text(wait: Wait) -> str:
    seconds = max(1, math.ceil(wait.seconds))
    return f"Please wait {seconds} s before asking another question, so everyone gets a turn."


class Questions(commands.Cog):
    """Answers members from the knowledge base."""

    def __init__(self, bot: KnowledgeBot) -> None:
        self.bot = bot
        self.cooldown = QuestionCooldown(bot.settings.question_cooldown_seconds)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*REPLY_BUTTONS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*REPLY_BUTTONS)

    @app_commands.command(
        name="ask", description="Ask about the outsourcing and offshoring of shared services"
    )
    @app_commands.describe(
        question="Your question, e.g. who owns SSCL?",
        private="Only you see the answer (default: everyone in the channel sees it)",
    )
    async def ask(
        self,
        interaction: discord.Interaction[KnowledgeBot],
        question: app_commands.Range[str, 1, QUESTION_CHARS],
        private: bool = False,
    ) -> None:
        wait = self.cooldown.check(interaction.user.id)
        if wait is not None:
            await respond(interaction, Outgoing(content=cooldown_text(wait)), ephemeral=True)
            return
        place = place_of(interaction.channel)
        asker = str(interaction.user.id)
        work = self.bot.knowledge.run(lambda kb: kb.ask(question, place=place, asker=asker))
        reply = await within_deadline(interaction, work, ephemeral=private)
        message = answer_message(reply, asker_id=interaction.user.id, in_dm=place == "dm")
        await respond(interaction, message, ephemeral=private)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.type not in (
            discord.MessageType.default,
            discord.MessageType.reply,
        ):
            return
        question = self.question_in(message)
        if question is None:
            return
        try:
            await self.answer(message, question)
        except discord.HTTPException:
            log.warning("could not reply to a question", exc_info=True)

    def question_in(self, message: discord.Message) -> str | None:
        """The question ``message`` asks the bot, "" when it addresses the bot without
        one, or None when it is not for the bot."""
        if self.bot.user is None:  # not logged in yet
            return None
        bot_id = self.bot.user.id
        addressed = message.guild is None or bool(mentions_of(bot_id).search(message.content))
        if addressed:
            return without_mentions_of(message.content, bot_id)
        channel_ids = {message.channel.id, getattr(message.channel, "parent_id", None)}
        if channel_ids & self.bot.settings.ask_channel_ids and reads_as_question(message.content):
            return message.content.strip()
        return None

    async def answer(self, message: discord.Message, question: str) -> None:
        wait = self.cooldown.check(message.author.id)
        if wait is not None:
            if wait.first:
                await Outgoing(content=cooldown_text(wait)).reply_to(message)
            return
        if not question:
            await Outgoing(content=HOW_TO_ASK).reply_to(message)
            return
        place = place_of(message.channel)
        asker = str(message.author.id)
        try:
            reply: Reply = await self.bot.knowledge.run(
                lambda kb: kb.ask(question, place=place, asker=asker)
            )
        except Exception as error:  # the boundary: the member hears back, the log has the rest
            await Outgoing(content=user_message(error, "a question in chat")).reply_to(message)
            return
        await answer_message(reply, asker_id=message.author.id, in_dm=place == "dm").reply_to(
            message
        )


async def setup(bot: KnowledgeBot) -> None:
    await bot.add_cog(Questions(bot))
