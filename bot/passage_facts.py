"""Reps make a passage offered to a member a fact, in one step.

Under the passages of a reply to a logged question, a rep-only *Make this a
fact* button (``kb:passagefact:<offer>``) opens the form of ``/fact add`` with
the passage's source and words filled in; the rep writes the answer and, if
they like, more example questions. The custom id holds only the offer's id:
the knowledge base keeps which question the passage was offered for and where
it is in its source, and finds its words again at the press
(``KnowledgeBase.passage_draft``), so a passage whose source's text has
changed since is refused with a clear message. Submitting adds the fact with
the question's wordings as example questions, resolves the question, and
tells the members who asked to be notified, as ``/unanswered resolve`` does.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.asking import split_questions
from bot.buttons import ButtonInteraction, PersistentButton
from bot.checks import actor_of, require_rep
from bot.client import knowledge_of
from bot.cogs.unanswered import Notifier, told
from bot.errors import report_error, user_message
from bot.interactions import Outgoing, respond
from bot.limits import (
    ELLIPSIS,
    MESSAGE_CHARS,
    MODAL_INPUT_CHARS,
    MODAL_PLACEHOLDER_CHARS,
    clip,
)
from bot.render import fact_embed
from knowledge import PassageDraft
from knowledge.errors import KnowledgeError

ANSWER_CHARS = 1_000
QUOTE_CHARS = 1_000
SOURCE_KEY_CHARS = 100
"""As ``/fact add``'s options (the core's limits on an answer and a quote)."""
SLOW_FORM = "That took me a moment, so I can't open the form now. Please press the button again."


def make_fact_label(number: int, of: int) -> str:
    """The button's label under passage ``number`` (from 1) of ``of`` passages."""
    return "Make this a fact" if of == 1 else f"Make passage {number} a fact"


class MakeFactButton(PersistentButton, id_format="kb:passagefact:{offer_id:row}", rep_only=True):
    """Opens the form of a fact made of offered passage ``<offer>``, for reps only."""

    def __init__(self, offer_id: int, *, label: str = "Make this a fact") -> None:
        self.offer_id = offer_id
        super().__init__(label=label, emoji="\U0001f4dd")

    async def pressed(self, interaction: ButtonInteraction) -> None:
        draft = await self.run(interaction, lambda kb: kb.passage_draft(self.offer_id))
        if interaction.response.is_done():  # deferred: a form can only be the first response
            await respond(interaction, Outgoing(content=SLOW_FORM), ephemeral=True)
            return
        await interaction.response.send_modal(PassageFactForm(draft))


def _room(default: str, at_least: int) -> int:
    """An input's longest text: at least ``at_least``, and room for what it is filled with."""
    return min(MODAL_INPUT_CHARS, max(at_least, len(default)))


class PassageFactForm(discord.ui.Modal):
    """``/fact add``'s form, filled in with an offered passage's source and words."""

    def __init__(self, draft: PassageDraft) -> None:
        super().__init__(
            title="Make this passage a fact", custom_id=f"kb:passagefact:form:{draft.offer_id}"
        )
        self.offer_id = draft.offer_id
        self.answer: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Answer",
            style=discord.TextStyle.paragraph,
            placeholder="The answer members get, in one to three plain sentences",
            max_length=ANSWER_CHARS,
            custom_id="kb:passagefact:answer",
        )
        self.questions: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="More example questions (theirs is added)",
            style=discord.TextStyle.paragraph,
            placeholder=clip(
                f"Added already: {draft.entry.text}", MODAL_PLACEHOLDER_CHARS, marker=ELLIPSIS
            ),
            required=False,
            max_length=MODAL_INPUT_CHARS,
            custom_id="kb:passagefact:questions",
        )
        self.source: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Source key",
            default=draft.source.key,
            max_length=_room(draft.source.key, SOURCE_KEY_CHARS),
            custom_id="kb:passagefact:source",
        )
        self.quote: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Quote (the document's exact words)",
            style=discord.TextStyle.paragraph,
            default=draft.quote,
            max_length=_room(draft.quote, QUOTE_CHARS),
            custom_id="kb:passagefact:quote",
        )
        for text_input in (self.answer, self.questions, self.source, self.quote):
            self.add_item(text_input)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        # Checked again: roles can change between the press and the submission.
        await require_rep(interaction)
        # Notifying takes a few requests per member: acknowledge first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        actor = actor_of(interaction.user)
        answer, quote = str(self.answer.value), str(self.quote.value)
        source_key = str(self.source.value).strip()
        questions = split_questions(str(self.questions.value))
        try:
            resolution = await knowledge_of(interaction).run(
                lambda kb: kb.add_fact_from_passage(
                    self.offer_id,
                    answer=answer,
                    quote=quote,
                    questions=questions,
                    source_key=source_key,
                    actor=actor,
                )
            )
        except KnowledgeError as error:
            # A form's text is gone once submitted: give the rep their answer back.
            refused = (
                f"{user_message(error, 'a fact from a passage')}\nYour answer, to use again:\n"
            )
            text = refused + clip(answer, MESSAGE_CHARS - len(refused))
            await respond(interaction, Outgoing(content=text), ephemeral=True)
            return
        outcomes = await Notifier(interaction.client).notify_all(resolution)
        text = (
            f"Added fact {resolution.fact.id} and resolved question {resolution.entry.id}"
            f" with it; its wordings are example questions. {told(outcomes)}"
        )
        embed = fact_embed(resolution.fact, resolution.source)
        await respond(interaction, Outgoing(content=text, embeds=(embed,)), ephemeral=True)

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception) -> None:
        await report_error(interaction, error)
