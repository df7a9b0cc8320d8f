"""What the bot says to a member's question, and the buttons on it.

Each button is a ``PersistentButton`` (``bot.buttons``): its state is its
custom id. The one thing a button needs that no custom id can hold, the
member's question, is read from the "You asked" field of the embed the
button is on (``render.question_of``, beside the embeds that write it):

* ``kb:fact:<fact>`` shows a fact (anyone may see any fact: ``/fact show``);
* ``kb:choose:<fact>:<asker>`` ("did you mean" this fact) shows it too, and
  when the member who asked picks it, the wording and the fact are kept as a
  proposal for reps to review (``KnowledgeBase.choose``);
* ``kb:noneofthese:<asker>`` logs the question for a rep, only for the asker;
* ``kb:helpful:<fact>`` thanks the member;
* ``kb:reject:<fact>:<asker>`` ("not what I asked") works only for the member
  who asked, and logs the question for a rep with that fact;
* ``kb:passage:<fact>`` ("Read more") shows, privately, the paragraph of the
  fact's source around its quote (anyone may read any source);
* ``kb:notify:<entry>`` is the only thing that stores a member's id;
* ``kb:passagefact:<offer>`` (*Make this a fact*, under an offered passage) is
  for reps only (``bot.passage_facts``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import discord

from bot.buttons import ButtonInteraction, PersistentButton
from bot.interactions import Outgoing, respond
from bot.limits import BUTTONS
from bot.passage_facts import MakeFactButton, make_fact_label
from bot.render import fact_embed, paragraph_embed, passage_embed, question_of, suggestions_embed
from knowledge import KnowledgeBase, Reply
from knowledge.conversation import friendly_reply
from knowledge.models import Fact, Source

DID_YOU_MEAN = "I'm not sure I understood. Did you mean one of these?"
NOT_LOGGED = "I don't know yet, and I couldn't log your question. Please ask a rep directly."
ONLY_THE_ASKER = "Only the member who asked can say that. Ask me your own question!"
STALE_BUTTON = "That button doesn't match this message any more. Please ask your question again."


def place_of(channel: discord.abc.Snowflake | None) -> str:
    """Where a question was asked, as the unanswered log records it: a channel id or "dm"."""
    if channel is None or isinstance(channel, discord.DMChannel):
        return "dm"
    return f"channel:{channel.id}"


def logged_text(entry_id: int) -> str:
    return f"I don't know yet, I've logged this for a rep (question {entry_id})."


def answer_message(reply: Reply, *, asker_id: int, in_dm: bool = False) -> Outgoing:
    """The reply to a member's question: an answer, suggestions, or "logged for a rep";
    or, to small talk, a friendly line saying how to ask (no buttons: nothing to act on).

    ``in_dm``: no rep can act there (roles exist only in a server), so passages
    get no *Make this a fact* button."""
    if reply.conversation is not None:
        return Outgoing(content=friendly_reply(reply.conversation))
    if reply.answered and reply.fact is not None and reply.source is not None:
        view = discord.ui.View(timeout=None)
        view.add_item(HelpfulButton(reply.fact.id))
        view.add_item(RejectButton(reply.fact.id, asker_id))
        if reply.source.has_text and reply.fact.quote.strip():
            view.add_item(PassageButton(reply.fact.id))
        embed = fact_embed(reply.fact, reply.source, question=reply.question)
        return Outgoing(embeds=(embed,), view=view)
    if reply.suggestions:
        outgoing = _suggestions(DID_YOU_MEAN, reply, NoneOfTheseButton(asker_id), asker_id=asker_id)
    elif reply.logged is not None:
        outgoing = Outgoing(
            content=logged_text(reply.logged.id), view=_notify_view(reply.logged.id)
        )
    else:
        outgoing = Outgoing(content=NOT_LOGGED)
    return _with_passages(outgoing, reply, rep_buttons=not in_dm)


def _with_passages(outgoing: Outgoing, reply: Reply, *, rep_buttons: bool) -> Outgoing:
    """``outgoing`` with the offered passages under it, each with a rep's *Make this a
    fact* button when the question was logged (numbered when there are two)."""
    count = len(reply.passages)
    embeds = tuple(
        passage_embed(passage, number=number if count > 1 else None)
        for number, passage in enumerate(reply.passages, start=1)
    )
    buttons = [
        MakeFactButton(passage.offer_id, label=make_fact_label(number, count))
        for number, passage in enumerate(reply.passages, start=1)
        if rep_buttons and passage.offer_id is not None
    ]
    view = outgoing.view
    if buttons:
        view = view or discord.ui.View(timeout=None)
        for button in buttons:
            view.add_item(button)
    return dataclasses.replace(outgoing, embeds=outgoing.embeds + embeds, view=view)


def rejected_message(reply: Reply, *, asker_id: int) -> Outgoing:
    """The reply to "not what I asked": logged for a rep, and any other suggestions."""
    if reply.logged is None:
        return Outgoing(content=NOT_LOGGED)
    thanks = f"Thanks. I've logged your question for a rep (question {reply.logged.id})."
    if not reply.suggestions:
        return Outgoing(content=thanks, view=_notify_view(reply.logged.id))
    text = f"{thanks} Meanwhile, did you mean one of these?"
    return _suggestions(text, reply, NotifyButton(reply.logged.id), asker_id=asker_id)


def fact_message(fact: Fact, source: Source) -> Outgoing:
    return Outgoing(embeds=(fact_embed(fact, source),))


def fact_buttons(facts: list[Fact]) -> discord.ui.View:
    """One "show this fact" button per fact (as many as Discord allows on a message)."""
    view = discord.ui.View(timeout=None)
    for fact in facts[:BUTTONS]:
        view.add_item(FactButton(fact.id, label=f"{fact.id}: {fact.answer}"))
    return view


def _suggestions(text: str, reply: Reply, *more: discord.ui.Item[Any], asker_id: int) -> Outgoing:
    """``text``, the suggested facts, a button for each, and ``more`` buttons."""
    embed = suggestions_embed(reply.suggestions, question=reply.question)
    view = discord.ui.View(timeout=None)
    for fact in reply.suggestions:
        view.add_item(ChooseButton(fact.id, asker_id, label=f"{fact.id}: {fact.answer}"))
    for item in more:
        view.add_item(item)
    return Outgoing(content=text, embeds=(embed,), view=view)


def _notify_view(entry_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(NotifyButton(entry_id))
    return view


def _fact_with_source(fact_id: int) -> Callable[[KnowledgeBase], tuple[Fact, Source]]:
    def read(kb: KnowledgeBase) -> tuple[Fact, Source]:
        fact = kb.fact(fact_id)
        return fact, kb.source(fact.source_key)

    return read


async def _askers_question(interaction: ButtonInteraction, asker_id: int) -> str | None:
    """The question in the pressed message's embed, when the presser is the member
    who asked it; otherwise the presser is told why nothing happens, and None is
    returned."""
    if interaction.user.id != asker_id:
        await respond(interaction, Outgoing(content=ONLY_THE_ASKER), ephemeral=True)
        return None
    embeds = interaction.message.embeds if interaction.message else []
    question = question_of(embeds[0]) if embeds else None
    if question is None:
        await respond(interaction, Outgoing(content=STALE_BUTTON), ephemeral=True)
        return None
    return question


class FactButton(PersistentButton, id_format="kb:fact:{fact_id:row}"):
    """Shows one fact, privately, to whoever presses it."""

    def __init__(self, fact_id: int, *, label: str | None = None) -> None:
        self.fact_id = fact_id
        super().__init__(label=label or str(fact_id))

    async def pressed(self, interaction: ButtonInteraction) -> None:
        fact, source = await self.run(interaction, _fact_with_source(self.fact_id))
        await respond(interaction, fact_message(fact, source), ephemeral=True)


class ChooseButton(PersistentButton, id_format="kb:choose:{fact_id:row}:{asker_id:user}"):
    """A "did you mean" fact: shows it, and proposes the asker's choice to reps."""

    def __init__(self, fact_id: int, asker_id: int, *, label: str | None = None) -> None:
        self.fact_id = fact_id
        self.asker_id = asker_id
        super().__init__(label=label or str(fact_id))

    async def pressed(self, interaction: ButtonInteraction) -> None:
        embeds = interaction.message.embeds if interaction.message else []
        by_asker = interaction.user.id == self.asker_id
        question = question_of(embeds[0]) if embeds and by_asker else None

        def choose(kb: KnowledgeBase) -> tuple[Fact, Source]:
            # A bystander, or a crafted button: show the fact, propose nothing.
            fact = kb.fact(self.fact_id) if question is None else kb.choose(question, self.fact_id)
            return fact, kb.source(fact.source_key)

        fact, source = await self.run(interaction, choose)
        await respond(interaction, fact_message(fact, source), ephemeral=True)


class NoneOfTheseButton(PersistentButton, id_format="kb:noneofthese:{asker_id:user}"):
    """Under "did you mean": the asker says no suggestion fits; logs the question for a rep."""

    def __init__(self, asker_id: int) -> None:
        self.asker_id = asker_id
        super().__init__(label="None of these")

    async def pressed(self, interaction: ButtonInteraction) -> None:
        question = await _askers_question(interaction, self.asker_id)
        if question is None:
            return
        place = place_of(interaction.channel)
        entry = await self.run(interaction, lambda kb: kb.none_of_these(question, place=place))
        logged = (
            Outgoing(content=logged_text(entry.id), view=_notify_view(entry.id))
            if entry is not None
            else Outgoing(content=NOT_LOGGED)
        )
        await respond(interaction, logged, ephemeral=True)


class HelpfulButton(PersistentButton, id_format="kb:helpful:{fact_id:row}"):
    """Thanks the member; nothing is stored."""

    def __init__(self, fact_id: int) -> None:
        self.fact_id = fact_id
        super().__init__(label="Helpful", emoji="👍", style=discord.ButtonStyle.success)

    async def pressed(self, interaction: ButtonInteraction) -> None:
        await respond(interaction, Outgoing(content="Thanks, glad it helped."), ephemeral=True)


class RejectButton(PersistentButton, id_format="kb:reject:{fact_id:row}:{asker_id:user}"):
    """The "not what I asked" button: logs the question for a rep, offers other facts."""

    def __init__(self, fact_id: int, asker_id: int) -> None:
        self.fact_id = fact_id
        self.asker_id = asker_id
        super().__init__(label="Not what I asked")

    async def pressed(self, interaction: ButtonInteraction) -> None:
        question = await _askers_question(interaction, self.asker_id)
        if question is None:
            return
        place = place_of(interaction.channel)
        reply = await self.run(
            interaction, lambda kb: kb.reject(question, self.fact_id, place=place)
        )
        await respond(interaction, rejected_message(reply, asker_id=self.asker_id), ephemeral=True)


class PassageButton(PersistentButton, id_format="kb:passage:{fact_id:row}"):
    """ "Read more": the paragraph around the fact's quote, privately, to whoever presses it."""

    def __init__(self, fact_id: int) -> None:
        self.fact_id = fact_id
        super().__init__(label="Read more", emoji="📄")

    async def pressed(self, interaction: ButtonInteraction) -> None:
        paragraph = await self.run(interaction, lambda kb: kb.paragraph(self.fact_id))
        if paragraph is None:
            text = "I don't have this source's text, so I can't show more of it."
            await respond(interaction, Outgoing(content=text), ephemeral=True)
            return
        await respond(interaction, Outgoing(embeds=(paragraph_embed(paragraph),)), ephemeral=True)


class NotifyButton(PersistentButton, id_format="kb:notify:{entry_id:row}"):
    """Stores the presser's id so that they are told when a rep answers the question."""

    def __init__(self, entry_id: int) -> None:
        self.entry_id = entry_id
        super().__init__(
            label="Notify me when it's answered", emoji="🔔", style=discord.ButtonStyle.primary
        )

    async def pressed(self, interaction: ButtonInteraction) -> None:
        user_id, channel_id = str(interaction.user.id), str(interaction.channel_id or "")
        subscription = await self.run(
            interaction,
            lambda kb: kb.subscribe(self.entry_id, user_id=user_id, channel_id=channel_id),
        )
        if subscription.fact is not None and subscription.source is not None:
            embed = fact_embed(subscription.fact, subscription.source)
            answered = Outgoing(content="A rep has already answered this:", embeds=(embed,))
            await respond(interaction, answered, ephemeral=True)
        elif subscription.subscribed:
            text = "I'll message you when a rep answers it. Until then I keep your Discord id."
            await respond(interaction, Outgoing(content=text), ephemeral=True)
        else:
            text = "A rep has closed this question without an answer. Please ask a rep directly."
            await respond(interaction, Outgoing(content=text), ephemeral=True)


REPLY_BUTTONS = (
    FactButton,
    ChooseButton,
    NoneOfTheseButton,
    HelpfulButton,
    RejectButton,
    PassageButton,
    NotifyButton,
)
"""Every dynamic button of members' replies, to register with the client."""
