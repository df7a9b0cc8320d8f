"""Persistent buttons: one base, state in the custom id, never in a message's wording.

Every button class round-trips its state through its custom id; the ids of
buttons already posted still parse; the few values a button reads from its
embed round-trip through the functions that write and read them; and through
the double, buttons on replies whose wording was changed still work.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, cast

import discord
import pytest
from discord.ui import DynamicItem
from hypothesis import given
from hypothesis import strategies as st

import bot
from bot.buttons import CUSTOM_ID_CHARS, KINDS, IdFormat, PersistentButton
from bot.cogs.facts import (
    ANSWER_FIELD,
    PASSAGE_FIELD,
    QUESTIONS_FIELD,
    SOURCE_FIELD,
    UsePassageButton,
    refused_fields,
    refused_quote_message,
)
from bot.cogs.stats import ProposalButton
from bot.cogs.unanswered import PageButton
from bot.limits import EMBED_FIELD_VALUE_CHARS
from bot.render import QUESTION_FIELD, fact_embed, question_of, suggestions_embed
from bot.replies import (
    REPLY_BUTTONS,
    ChooseButton,
    FactButton,
    HelpfulButton,
    NoneOfTheseButton,
    NotifyButton,
    PassageButton,
    RejectButton,
)
from discord_double import DiscordDouble
from knowledge.base import KnowledgeBase
from knowledge.errors import QuoteNotInSource
from knowledge.models import Fact, Source, UnansweredStatus
from tests.bot.conftest import TWIN_QUESTION, running_bot, twin_facts
from tests.bot.test_bot import (
    KNOWN_QUESTION,
    UNKNOWN_QUESTION,
    ask_in_channel,
    click,
    double,
    fact_for,
    no_leaks,
)

__all__ = ["double", "no_leaks"]  # the fixtures of test_bot: answered once, nobody pinged

LARGEST = {"row": 999_999_999, "user": 2**64 - 1, "page": 9_999}
"""The largest value of each kind a custom id holds (a Discord id is 64 bits)."""


def defined_buttons() -> list[type[Any]]:
    """Every DynamicItem class a module of the bot defines, less the base.

    Compare them by name: discord.py imports an extension afresh at each load,
    so a cog's classes may differ from those this module imported.
    """
    modules = [
        importlib.import_module(found.name) for found in pkgutil.walk_packages(bot.__path__, "bot.")
    ]
    return [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, DynamicItem)
        and value.__module__ == module.__name__
        and value is not PersistentButton
    ]


def qualified(cls: type[Any]) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def state_of(button: PersistentButton) -> dict[str, Any]:
    return {name: getattr(button, name) for name in button.id_format.fields}


def largest_states(cls: type[PersistentButton]) -> list[dict[str, Any]]:
    """For each word a field may hold, the state with every number at its largest."""
    fields = cls.id_format.fields
    words = {name: kind.split("|") for name, kind in fields.items() if kind not in KINDS}
    states = [{name: LARGEST[kind] for name, kind in fields.items() if kind in KINDS}]
    for name, choices in words.items():
        states = [state | {name: word} for state in states for word in choices]
    return states


async def restored(button: PersistentButton) -> PersistentButton:
    """The button discord.py builds from a press of ``button``'s custom id."""
    match = button.template.fullmatch(button.custom_id)
    assert match is not None, button.custom_id
    interaction = cast(discord.Interaction[Any], None)  # the base never reads it
    return await type(button).from_custom_id(interaction, button.item, match)


def test_every_button_of_the_bot_is_a_persistent_button() -> None:
    buttons = defined_buttons()
    expected = {UsePassageButton, ProposalButton, PageButton, *REPLY_BUTTONS}
    assert {qualified(c) for c in expected} <= {qualified(c) for c in buttons}
    assert all(issubclass(button, PersistentButton) for button in buttons)


@pytest.mark.parametrize("cls", defined_buttons(), ids=lambda cls: cls.__name__)
async def test_each_custom_id_round_trips_through_its_template(
    cls: type[PersistentButton],
) -> None:
    for state in largest_states(cls):
        button = cls(**state)
        assert len(button.custom_id) <= CUSTOM_ID_CHARS
        again = await restored(button)
        assert type(again) is type(button)
        assert state_of(again) == state_of(button) == state
        assert again.custom_id == button.custom_id


ASKER = 123456789012345678


@pytest.mark.parametrize(
    ("custom_id", "cls", "state"),
    [
        ("kb:fact:12", FactButton, {"fact_id": 12}),
        (f"kb:choose:12:{ASKER}", ChooseButton, {"fact_id": 12, "asker_id": ASKER}),
        (f"kb:noneofthese:{ASKER}", NoneOfTheseButton, {"asker_id": ASKER}),
        ("kb:helpful:12", HelpfulButton, {"fact_id": 12}),
        (f"kb:reject:12:{ASKER}", RejectButton, {"fact_id": 12, "asker_id": ASKER}),
        ("kb:passage:12", PassageButton, {"fact_id": 12}),
        ("kb:notify:7", NotifyButton, {"entry_id": 7}),
        ("kb:usepassage:0", UsePassageButton, {"fact_id": 0}),
        ("kb:proposal:approve:3", ProposalButton, {"verdict": "approve", "proposal_id": 3}),
        ("kb:proposal:reject:3", ProposalButton, {"verdict": "reject", "proposal_id": 3}),
        ("kb:unanswered:prev:0", PageButton, {"direction": "prev", "page": 0}),
        ("kb:unanswered:next:2", PageButton, {"direction": "next", "page": 2}),
    ],
)
async def test_buttons_already_posted_keep_their_custom_ids(
    custom_id: str, cls: type[PersistentButton], state: dict[str, Any]
) -> None:
    """The formats of buttons on messages posted before a change still parse."""
    button = cls(**state)
    assert button.custom_id == custom_id
    parsing = [c for c in defined_buttons() if c.id_format.template.fullmatch(custom_id)]
    assert [qualified(c) for c in parsing] == [qualified(cls)]
    assert state_of(await restored(button)) == state


@pytest.mark.parametrize(
    "text", ["kb:x:{fact_id}", "kb:x:{fact_id:float}", "kb:x:{a:row}:{a:row}", "kb:x:{:row}"]
)
def test_a_malformed_id_format_is_refused_when_the_class_is_made(text: str) -> None:
    with pytest.raises(TypeError):
        IdFormat(text)


def test_an_id_format_escapes_its_literal_text() -> None:
    assert IdFormat("kb.x:{page:page}").template.fullmatch("kbyx:1") is None


FACT = Fact(id=5, answer="An answer.", source_key="s", quote="", questions=())
SOURCE = Source(key="s", title="A source", kind="circular", issuer="PCS", date="2024")


@given(st.text(min_size=1, max_size=EMBED_FIELD_VALUE_CHARS).filter(str.strip))
def test_the_asked_question_round_trips_through_its_embeds(question: str) -> None:
    for embed in (
        fact_embed(FACT, SOURCE, question=question),
        suggestions_embed([FACT], question=question),
    ):
        assert question_of(embed) == question


def test_a_shortened_question_reads_back_as_its_start() -> None:
    question = "word " * 400
    read = question_of(fact_embed(FACT, SOURCE, question=question))
    assert read is not None and question.startswith(read) and len(read) < len(question)


def test_a_refused_fact_round_trips_through_its_refusal() -> None:
    error = QuoteNotInSource("not there", passage="the closest passage")
    message = refused_quote_message(
        error, fact_id=None, answer="An answer.", questions="one; two", source="key"
    )
    assert refused_fields(message.embeds) == {
        PASSAGE_FIELD: "the closest passage",
        ANSWER_FIELD: "An answer.",
        QUESTIONS_FIELD: "one; two",
        SOURCE_FIELD: "key",
    }


REWORDED = "Reworded."


def reword(message: dict[str, Any]) -> None:
    """Change every word of a stored message but its buttons and the member's question,
    as a copy edit would have written it."""
    if message.get("content"):
        message["content"] = REWORDED
    for embed in message.get("embeds", []):
        for key in ("title", "description"):
            if key in embed:
                embed[key] = REWORDED
        if "footer" in embed:
            embed["footer"]["text"] = REWORDED
        for field in embed.get("fields", []):
            if field["name"] != QUESTION_FIELD:
                field.update(name=REWORDED, value=REWORDED)


async def test_buttons_work_whatever_their_reply_says(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    fact = fact_for(kb, "who owns sscl")
    twins = twin_facts(kb)
    member = double.member.id
    async with running_bot(double, kb):
        replies = {}
        for question in (KNOWN_QUESTION, UNKNOWN_QUESTION, TWIN_QUESTION):
            replies[question] = await ask_in_channel(
                double, double.member, double.other_channel, question
            )
            reword(double.message(replies[question]["id"]))
        [unknown] = [e for e in kb.unanswered_questions() if e.text == UNKNOWN_QUESTION]
        notified = await click(
            double, double.member, replies[UNKNOWN_QUESTION]["id"], f"kb:notify:{unknown.id}"
        )
        chosen = await click(
            double, double.member, replies[TWIN_QUESTION]["id"], f"kb:choose:{twins[0].id}:{member}"
        )
        rejected = await click(
            double, double.member, replies[KNOWN_QUESTION]["id"], f"kb:reject:{fact.id}:{member}"
        )

    assert notified.ephemeral and chosen.ephemeral and rejected.ephemeral
    assert [r.user_id for r in kb._unanswered.notify_requests(unknown.id)] == [str(member)]
    [proposal] = kb.pending_proposals()
    assert (proposal.text, proposal.fact_id) == (TWIN_QUESTION, twins[0].id)
    assert chosen.embed["description"] == twins[0].answer
    rejection = next(e for e in kb.unanswered_questions() if e.text == KNOWN_QUESTION)
    assert (rejection.text, rejection.rejected_fact_id) == (KNOWN_QUESTION, fact.id)
    assert f"kb:notify:{rejection.id}" in rejected.custom_ids


async def test_the_askers_pick_closes_the_suggested_question_and_anothers_does_not(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    twins = twin_facts(kb)
    onlooker = double.add_member("onlooker")
    async with running_bot(double, kb):
        reply = await ask_in_channel(double, double.member, double.other_channel, TWIN_QUESTION)
        [entry] = kb.unanswered_questions()
        assert entry.suggested
        await click(double, onlooker, reply["id"], f"kb:choose:{twins[1].id}:{double.member.id}")
        assert kb.unanswered_questions() == [entry], "only the asker's pick says it fits"
        await click(
            double, double.member, reply["id"], f"kb:choose:{twins[0].id}:{double.member.id}"
        )

    assert kb.unanswered_questions() == []
    [closed] = kb.unanswered_questions(UnansweredStatus.RESOLVED)
    assert (closed.id, closed.resolved_fact_id) == (entry.id, twins[0].id)
