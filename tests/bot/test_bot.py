"""The bot through the real discord.py client, talking to the loopback Discord double.

Each test starts the product bot on a fresh copy of the curated database and
checks what Discord would have received: embeds and components as JSON,
ephemeral flags, allowed mentions, and what the knowledge base then holds.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from discord.gateway import KeepAliveHandler

from bot.interactions import DEFER_AFTER_SECONDS
from discord_double import (
    CallbackType,
    DiscordDouble,
    FakeChannel,
    InjectedInteraction,
    MessageFlag,
    Op,
)
from knowledge.base import KnowledgeBase
from knowledge.conversation import phrasebook
from knowledge.models import Fact, UnansweredStatus
from tests.bot.conftest import TWIN_QUESTION, running_bot, twin_facts

pytestmark = pytest.mark.asyncio

KNOWN_QUESTION = "who owns sscl?"
UNKNOWN_QUESTION = "what time does the canteen open?"
CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"
MESSAGE_ROUTES = {
    ("POST", "/channels/{channel_id}/messages"),
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"),
    ("POST", "/webhooks/{application_id}/{interaction_token}"),
    ("PATCH", "/webhooks/{application_id}/{interaction_token}/messages/@original"),
    ("PATCH", "/webhooks/{application_id}/{interaction_token}/messages/{message_id}"),
}


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Response:
    """The message an interaction's one response produced."""

    body: dict[str, Any]
    callback_type: int
    ephemeral: bool

    @property
    def embed(self) -> dict[str, Any]:
        embed: dict[str, Any] = self.body["embeds"][0]
        return embed

    @property
    def custom_ids(self) -> list[str]:
        return custom_ids(self.body)


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [
        button["custom_id"]
        for row in message.get("components") or []
        for button in row["components"]
        if "custom_id" in button
    ]


def field(embed: dict[str, Any], name: str) -> str:
    return next(str(f["value"]) for f in embed.get("fields", []) if f["name"] == name)


async def response_to(double: DiscordDouble, interaction: InjectedInteraction) -> Response:
    """The interaction's response, following a deferral to its follow-up or edit."""
    callback = await double.wait_for_interaction_response(interaction)
    kind = callback.json["type"]
    flags = int((callback.json.get("data") or {}).get("flags") or 0)
    if kind == CallbackType.DEFERRED_CHANNEL_MESSAGE:
        body = (await double.wait_for_followup(interaction)).json
    elif kind == CallbackType.DEFERRED_UPDATE_MESSAGE:
        body = (await double.wait_for_original_edit(interaction)).json
    else:
        body = callback.json["data"]
    return Response(body, kind, bool(flags & MessageFlag.EPHEMERAL))


async def ask_in_channel(
    double: DiscordDouble, author: Any, channel: FakeChannel, text: str
) -> dict[str, Any]:
    """Post ``text`` and return the bot's reply in that channel, as Discord stored it."""
    since = double.mark()
    await double.send_message(author, channel, text)
    await double.wait_for_bot_message(channel, since=since)
    return double.bot_messages(channel)[-1]


async def ask_command(
    double: DiscordDouble, author: Any, question: str, **options: Any
) -> tuple[InjectedInteraction, Response]:
    interaction = await double.slash_command(author, "ask", {"question": question, **options})
    return interaction, await response_to(double, interaction)


async def command(
    double: DiscordDouble, author: Any, name: str, options: dict[str, Any] | None = None
) -> Response:
    return await response_to(double, await double.slash_command(author, name, options))


async def click(double: DiscordDouble, author: Any, message: Any, custom_id: str) -> Response:
    return await response_to(double, await double.click_button(author, message, custom_id))


def fact_for(kb: KnowledgeBase, example_question: str) -> Fact:
    return next(f for f in kb.facts() if example_question in f.question_texts)


def message_bodies(double: DiscordDouble) -> list[dict[str, Any]]:
    """Every message body the bot sent or edited, by any route."""
    bodies = []
    for request in double.requests:
        if (request.method, request.route) in MESSAGE_ROUTES and isinstance(request.json, dict):
            bodies.append(request.json)
        elif request.route == CALLBACK and request.json.get("type") in (4, 7):
            bodies.append(request.json["data"])
    return bodies


def interaction_ids(double: DiscordDouble) -> list[str]:
    return [e.data["id"] for e in double.dispatched if e.name == "INTERACTION_CREATE"]


def assert_answered_once(double: DiscordDouble) -> None:
    """Every interaction got exactly one successful callback."""
    callbacks = Counter(
        (r.params["interaction_id"], r.status < 300) for r in double.find_requests(route=CALLBACK)
    )
    for interaction_id in interaction_ids(double):
        assert callbacks[(interaction_id, True)] == 1, f"interaction {interaction_id}"
        assert callbacks[(interaction_id, False)] == 0, f"interaction {interaction_id}"


def assert_sourced_answer(message: dict[str, Any], kb: KnowledgeBase, fact: Fact) -> None:
    source = kb.source(fact.source_key)
    embed = message["embeds"][0]
    assert embed["description"] == fact.answer
    assert field(embed, "Source").startswith(f"{source.title} ({source.date})")
    assert field(embed, "Quote") == f"\u201c{fact.quote}\u201d"
    assert embed["footer"]["text"] == f"Fact {fact.id}"


@pytest.fixture
def double(discord_double: DiscordDouble) -> Iterator[DiscordDouble]:
    """The double, checked at the end: each interaction answered once, nobody pinged."""
    yield discord_double
    assert_answered_once(discord_double)
    for body in message_bodies(discord_double):
        assert body["allowed_mentions"]["parse"] == [], body


@pytest_asyncio.fixture(autouse=True)
async def no_leaks() -> AsyncIterator[None]:
    """Fail if the bot leaves asyncio tasks or heartbeat threads behind when closed."""
    yield
    current = asyncio.current_task()
    leftover = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    assert leftover == [], f"leaked tasks: {leftover}"
    for thread in threading.enumerate():
        if isinstance(thread, KeepAliveHandler):
            thread.join(timeout=1.0)
            assert not thread.is_alive(), f"leaked heartbeat thread {thread}"


# --------------------------------------------------------------------------- #
# Members asking
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("how", ["mention", "dm", "ask channel"])
async def test_a_member_asking_in_chat_gets_the_sourced_answer(
    double: DiscordDouble, kb: KnowledgeBase, how: str
) -> None:
    fact = fact_for(kb, "who owns sscl")
    channel, text = {
        "mention": (double.general, f"{double.bot_user.mention} {KNOWN_QUESTION}"),
        "dm": (double.dm_channel(double.member), KNOWN_QUESTION),
        "ask channel": (double.other_channel, KNOWN_QUESTION),
    }[how]
    async with running_bot(double, kb):
        since = double.mark()
        asked = await double.send_message(double.member, channel, text)
        reply = (await double.wait_for_bot_message(channel, since=since)).json

    assert_sourced_answer(reply, kb, fact)
    assert field(reply["embeds"][0], "You asked") == KNOWN_QUESTION
    assert str(reply["message_reference"]["message_id"]) == asked["id"]
    assert custom_ids(reply) == [
        f"kb:helpful:{fact.id}",
        f"kb:reject:{fact.id}:{double.member.id}",
        f"kb:passage:{fact.id}",  # its document ships with the project: Read more
    ]


@pytest.mark.parametrize("private", [False, True])
async def test_ask_command_gives_the_sourced_answer(
    double: DiscordDouble, kb: KnowledgeBase, private: bool
) -> None:
    fact = fact_for(kb, "who owns sscl")
    async with running_bot(double, kb):
        _, response = await ask_command(double, double.member, KNOWN_QUESTION, private=private)

    assert response.callback_type == CallbackType.CHANNEL_MESSAGE
    assert response.ephemeral is private
    assert_sourced_answer(response.body, kb, fact)
    assert response.custom_ids == [
        f"kb:helpful:{fact.id}",
        f"kb:reject:{fact.id}:{double.member.id}",
        f"kb:passage:{fact.id}",
    ]


async def test_chatter_in_other_channels_and_from_bots_is_ignored(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    other_bot = double.add_member("another_bot")
    other_bot.user.bot = True
    async with running_bot(double, kb):
        since = double.mark()
        await double.send_message(double.member, double.general, KNOWN_QUESTION)
        await double.send_message(double.member, double.other_channel, "Great meeting today!")
        await double.send_message(other_bot, double.other_channel, KNOWN_QUESTION)
        # The bot's own answer is echoed back to it: it must not answer itself either.
        await ask_in_channel(double, double.member, double.other_channel, KNOWN_QUESTION)
        await asyncio.sleep(0.2)

    replies = double.find_requests(
        method="POST", route="/channels/{channel_id}/messages", since=since
    )
    assert len(replies) == 1


@pytest.mark.parametrize(
    ("how", "text"),
    [
        ("mention", "hi there"),
        ("dm", "thanks!"),
        ("ask channel", "what can you do?"),
        ("ask channel", "are you a bot?"),
        ("/ask", "hello"),
    ],
)
async def test_small_talk_gets_a_friendly_reply_and_is_not_logged(
    double: DiscordDouble, kb: KnowledgeBase, how: str, text: str
) -> None:
    async with running_bot(double, kb):
        if how == "/ask":
            reply = (await ask_command(double, double.member, text))[1].body
        else:
            channel, message = {
                "mention": (double.general, f"{double.bot_user.mention} {text}"),
                "dm": (double.dm_channel(double.member), text),
                "ask channel": (double.other_channel, text),
            }[how]
            reply = await ask_in_channel(double, double.member, channel, message)

    assert phrasebook().example_question in reply["content"]
    assert not reply.get("embeds") and custom_ids(reply) == []
    assert kb.unanswered_questions() == [] and kb.stats(days=1).asked == 0
    # the `double` fixture checks that it pings nobody


async def test_small_talk_that_does_not_read_as_a_question_is_ignored_in_an_ask_channel(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    async with running_bot(double, kb):
        await double.send_message(double.member, double.other_channel, "thanks")
        await ask_in_channel(double, double.member, double.other_channel, KNOWN_QUESTION)

    assert len(double.bot_messages(double.other_channel)) == 1


async def test_a_question_with_mentions_pings_nobody(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    hostile = (
        f"@everyone @here {double.rep_role.mention} {double.rep_member.mention} who owns sscl?"
    )
    async with running_bot(double, kb):
        await ask_in_channel(double, double.member, double.other_channel, hostile)
        await ask_in_channel(
            double, double.member, double.other_channel, f"@everyone {UNKNOWN_QUESTION}"
        )
        await ask_command(double, double.member, hostile)

    bot_messages = double.bot_messages()
    assert len(bot_messages) == 3
    for message in bot_messages:
        assert message["mentions"] == [] and message["mention_roles"] == []
        assert message["mention_everyone"] is False
    # the `double` fixture also checks allowed_mentions.parse == [] on every request


async def test_did_you_mean_offers_buttons_that_show_the_fact(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    twins = twin_facts(kb)
    question = TWIN_QUESTION
    member = double.member.id
    async with running_bot(double, kb):
        reply = await ask_in_channel(double, double.member, double.other_channel, question)
        assert {f"kb:choose:{f.id}:{member}" for f in twins} <= set(custom_ids(reply))
        seen = await click(
            double, double.rep_member, reply["id"], f"kb:choose:{twins[0].id}:{member}"
        )
        assert kb.pending_proposals() == []  # a bystander's click proposes nothing
        shown = await click(double, double.member, reply["id"], f"kb:choose:{twins[1].id}:{member}")

    assert "Did you mean" in reply["content"]
    assert seen.ephemeral and seen.embed["footer"]["text"] == f"Fact {twins[0].id}"
    assert shown.ephemeral
    assert shown.embed["description"] == twins[1].answer
    assert shown.embed["footer"]["text"] == f"Fact {twins[1].id}"
    [proposal] = kb.pending_proposals()
    assert (proposal.text, proposal.fact_id) == (question, twins[1].id)


async def test_none_of_these_logs_the_question_for_a_rep(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    twin_facts(kb)
    question = TWIN_QUESTION
    none_fit = f"kb:noneofthese:{double.member.id}"
    async with running_bot(double, kb):
        reply = await ask_in_channel(double, double.member, double.other_channel, question)
        assert none_fit in custom_ids(reply)
        asked = kb.unanswered_questions()
        bystander = await click(double, double.rep_member, reply["id"], none_fit)
        assert kb.unanswered_questions() == asked  # only the asker can say none fits
        logged = await click(double, double.member, reply["id"], none_fit)

    assert bystander.ephemeral and "only the member who asked" in bystander.body["content"].lower()
    [entry] = kb.unanswered_questions()
    assert (entry.text, entry.place) == (question, f"channel:{double.other_channel.id}")
    assert entry.count == 1  # asked once, however many presses
    assert logged.ephemeral and f"(question {entry.id})" in logged.body["content"]
    assert logged.custom_ids == [f"kb:notify:{entry.id}"]


async def test_helpful_thanks_privately_and_stores_nothing(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    fact = fact_for(kb, "who owns sscl")
    async with running_bot(double, kb):
        reply = await ask_in_channel(double, double.member, double.other_channel, KNOWN_QUESTION)
        thanks = await click(double, double.member, reply["id"], f"kb:helpful:{fact.id}")

    assert thanks.ephemeral and thanks.body["content"]
    assert kb.unanswered_questions() == []


# --------------------------------------------------------------------------- #
# "Not what I asked", unanswered questions and notifications
# --------------------------------------------------------------------------- #


async def test_not_what_i_asked_logs_the_question_for_a_rep(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    fact = fact_for(kb, "who owns sscl")
    reject = f"kb:reject:{fact.id}:{double.member.id}"
    async with running_bot(double, kb):
        interaction, _ = await ask_command(double, double.member, KNOWN_QUESTION)
        message = interaction.original_message_id
        bystander = await click(double, double.rep_member, message, reject)
        assert kb.unanswered_questions() == []
        response = await click(double, double.member, message, reject)

    assert bystander.ephemeral and response.ephemeral
    [entry] = kb.unanswered_questions()
    assert (entry.text, entry.rejected_fact_id) == (KNOWN_QUESTION, fact.id)
    assert f"(question {entry.id})" in response.body["content"]
    assert f"kb:notify:{entry.id}" in response.custom_ids
    assert not any(c.startswith(f"kb:choose:{fact.id}:") for c in response.custom_ids)


async def test_an_unanswered_question_is_logged_and_the_asker_told_when_resolved(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    fact = fact_for(kb, "who owns sscl")
    async with running_bot(double, kb):
        reply = await ask_in_channel(double, double.member, double.other_channel, UNKNOWN_QUESTION)
        [entry] = kb.unanswered_questions()
        assert f"(question {entry.id})" in reply["content"]
        assert custom_ids(reply) == [f"kb:notify:{entry.id}"]
        assert kb._unanswered.notify_requests(entry.id) == []  # only pressing stores the id

        opted = await click(double, double.member, reply["id"], f"kb:notify:{entry.id}")
        assert opted.ephemeral
        [request] = kb._unanswered.notify_requests(entry.id)
        assert request.user_id == str(double.member.id)

        listing = await command(double, double.rep_member, "unanswered list")
        assert listing.ephemeral
        assert UNKNOWN_QUESTION in str(listing.embed)
        assert str(double.member.id) not in str(listing.body)

        since = double.mark()
        resolved = await command(
            double, double.rep_member, "unanswered resolve", {"id": entry.id, "fact": fact.id}
        )
        dm = await double.wait_for_bot_message(double.dm_channel(double.member), since=since)

    assert resolved.ephemeral and "1 by DM" in resolved.body["content"]
    assert dm.json["embeds"][0]["footer"]["text"] == f"Fact {fact.id}"
    assert kb._unanswered.notify_requests(entry.id) == []
    assert kb._unanswered.get(entry.id).status is UnansweredStatus.RESOLVED
    assert UNKNOWN_QUESTION in kb.fact(fact.id).question_texts  # taught


async def test_when_dms_are_closed_the_asker_is_pinged_in_the_channel_alone(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    fact = fact_for(kb, "who owns sscl")
    async with running_bot(double, kb):
        reply = await ask_in_channel(double, double.member, double.other_channel, UNKNOWN_QUESTION)
        [entry] = kb.unanswered_questions()
        await click(double, double.member, reply["id"], f"kb:notify:{entry.id}")
        double.fail_next(
            "POST",
            "/channels/{channel_id}/messages",
            code=50007,
            message="Cannot send messages to this user",
        )
        since = double.mark()
        resolved = await command(
            double, double.rep_member, "unanswered resolve", {"id": entry.id, "fact": fact.id}
        )
        fallback = await double.wait_for_bot_message(double.other_channel, since=since)

    assert "1 in the channel" in resolved.body["content"]
    allowed = fallback.json["allowed_mentions"]
    assert allowed["parse"] == [] and [str(u) for u in allowed["users"]] == [str(double.member.id)]
    stored = double.bot_messages(double.other_channel)[-1]
    assert [m["id"] for m in stored["mentions"]] == [str(double.member.id)]
    assert UNKNOWN_QUESTION not in fallback.json["content"]  # the question may have been private
    assert kb._unanswered.notify_requests(entry.id) == []


async def test_a_rep_pages_through_unanswered_questions(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    for topic in ("canteen", "car park", "gym", "library", "creche", "lockers", "showers"):
        kb.ask(f"when does the {topic} open?", place="dm")
    async with running_bot(double, kb):
        first = await command(double, double.rep_member, "unanswered list")
        assert len(first.embed["fields"]) == 5
        assert first.custom_ids == ["kb:unanswered:prev:0", "kb:unanswered:next:1"]
        listing = double.bot_messages()[-1]
        second = await click(double, double.rep_member, listing["id"], "kb:unanswered:next:1")

    assert second.callback_type == CallbackType.UPDATE_MESSAGE
    assert len(second.embed["fields"]) == 2
    assert "page 2 of 2" in second.embed["title"]


async def test_questions_that_got_suggestions_are_listed_last_and_marked(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    suggested = kb.ask("is my pension safe with sscl", place="dm").logged
    kb.ask("is my pension safe with sscl?", place="dm")
    unanswered = kb.ask(UNKNOWN_QUESTION, place="dm").logged
    assert suggested is not None and suggested.suggested and unanswered is not None
    async with running_bot(double, kb):
        listing = await command(double, double.rep_member, "unanswered list")

    fields = listing.embed["fields"]
    assert [f"#{unanswered.id} " in f["name"] for f in fields] == [True, False]
    assert f"#{suggested.id} " in fields[1]["name"] and "suggested" in fields[1]["name"]
    assert "suggested" not in fields[0]["name"]


async def test_a_rep_dismisses_a_question_and_its_notify_requests_go(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    entry = kb.ask(UNKNOWN_QUESTION, place="dm").logged
    assert entry is not None
    kb.subscribe(entry.id, user_id="42", channel_id="1")
    async with running_bot(double, kb):
        response = await command(double, double.rep_member, "unanswered dismiss", {"id": entry.id})

    assert response.ephemeral
    assert kb._unanswered.get(entry.id).status is UnansweredStatus.DISMISSED
    assert kb._unanswered.held_about("42") == []


# --------------------------------------------------------------------------- #
# Reps and everyone else
# --------------------------------------------------------------------------- #


async def test_a_member_cannot_add_a_fact(double: DiscordDouble, kb: KnowledgeBase) -> None:
    facts_before, sources_before = kb.facts(), kb.sources()
    async with running_bot(double, kb):
        refused = await command(
            double,
            double.member,
            "fact add",
            {"answer": "Strike tomorrow.", "questions": "is there a strike", "source": "gossip"},
        )

    assert refused.ephemeral and "only reps" in refused.body["content"].lower()
    assert refused.body["embeds"] == []
    assert kb.facts() == facts_before and kb.sources() == sources_before


async def test_a_rep_adds_a_fact_and_the_members_question_is_then_answered(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    question = "when is the Leeds branch picnic?"
    async with running_bot(double, kb):
        before = await ask_in_channel(double, double.member, double.other_channel, question)
        added = await command(
            double,
            double.rep_member,
            "fact add",
            {
                "answer": "The Leeds branch picnic is on 5 June.",
                "questions": "when is the leeds branch picnic;\nwhat date is the branch picnic",
                "source": "Branch committee minutes",
                "url": "https://example.org/minutes",
            },
        )
        after = await ask_in_channel(double, double.member, double.other_channel, question)

    assert before["embeds"] == [] and "logged" in before["content"]
    assert added.ephemeral
    fact_id = int(added.embed["footer"]["text"].removeprefix("Fact "))
    assert after["embeds"][0]["footer"]["text"] == f"Fact {fact_id}"
    fact = kb.fact(fact_id)
    assert fact.question_texts == (
        "when is the leeds branch picnic",
        "what date is the branch picnic",
    )
    source = kb.source(fact.source_key)
    assert (source.title, source.kind, source.issuer) == (
        "Branch committee minutes",
        "rep's note",
        "rep_holder",
    )
    assert source.url == "https://example.org/minutes" and source.date
    [history] = kb.fact_history(fact_id)
    assert history.actor == f"discord:{double.rep_member.id}:rep_holder"
    [source_history] = kb.source_history(source.key)
    assert source_history.actor == history.actor


async def test_a_rep_edits_and_removes_a_fact(double: DiscordDouble, kb: KnowledgeBase) -> None:
    fact = fact_for(kb, "who owns sscl")
    async with running_bot(double, kb):
        edited = await command(
            double, double.rep_member, "fact edit", {"id": fact.id, "answer": "Steria and HMG."}
        )
        answered = await ask_in_channel(double, double.member, double.other_channel, KNOWN_QUESTION)
        removed = await command(double, double.rep_member, "fact remove", {"id": fact.id})
        gone = await command(double, double.member, "fact show", {"id": fact.id})

    assert edited.embed["description"] == "Steria and HMG."
    assert answered["embeds"][0]["description"] == "Steria and HMG."
    assert removed.ephemeral and f"fact {fact.id}" in removed.body["content"]
    assert gone.ephemeral and gone.body["content"] == f"there is no fact {fact.id}"
    actions = [(h.action, h.actor) for h in kb.fact_history(fact.id)][-2:]
    rep = f"discord:{double.rep_member.id}:rep_holder"
    assert actions == [("edit", rep), ("remove", rep)]


async def test_anyone_can_show_and_search_facts_but_only_reps_see_history(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    fact = fact_for(kb, "who owns sscl")
    async with running_bot(double, kb):
        found = await command(double, double.member, "fact search", {"query": "who owns sscl"})
        shown = await command(double, double.member, "fact show", {"id": fact.id})
        rep_view = await command(double, double.owner, "fact show", {"id": fact.id})

    assert found.ephemeral and found.custom_ids[0] == f"kb:fact:{fact.id}"
    assert_sourced_answer(shown.body, kb, fact)
    assert "History" not in [f["name"] for f in shown.embed["fields"]]
    assert "History" in [
        f["name"] for f in rep_view.embed["fields"]
    ]  # the owner manages the server


async def test_a_press_of_a_button_the_message_does_not_carry_does_nothing(
    discord_double: DiscordDouble, kb: KnowledgeBase
) -> None:
    """Buttons trust their custom id: only the bot writes its messages' buttons, and a
    custom id the message does not carry (which Discord refuses to send) reaches none."""
    double = discord_double
    fact = fact_for(kb, "who owns sscl")
    other = kb.ask("recommend a film for tonight", place="console").logged
    assert other is not None
    forged = [
        "kb:unanswered:next:0",
        f"kb:reject:{fact.id + 1}:{double.member.id}",
        f"kb:notify:{other.id}",
        f"kb:choose:{fact.id + 1}:{double.member.id}",
    ]
    forged_ids = {str(10**18 + number) for number in range(len(forged))}
    async with running_bot(double, kb):
        reply = await ask_in_channel(double, double.member, double.other_channel, KNOWN_QUESTION)
        helpful = f"kb:helpful:{fact.id}"
        genuine = await double.click_button(double.member, reply["id"], helpful)
        for interaction_id, custom_id in zip(sorted(forged_ids), forged, strict=True):
            payload = copy.deepcopy(genuine.payload)
            payload.update(id=interaction_id, token=f"forged.{interaction_id}")
            payload["data"]["custom_id"] = custom_id
            await double.dispatch("INTERACTION_CREATE", payload)
        # The bot handles presses in order: once a later one is answered, the forged are done.
        await click(double, double.member, reply["id"], helpful)

    assert not double.find_requests(lambda r: r.params.get("interaction_id") in forged_ids)
    assert kb.unanswered_questions() == [other]  # no rejection logged
    assert kb._unanswered.notify_requests(other.id) == []
    assert kb.pending_proposals() == []


async def test_kb_stats_for_reps(double: DiscordDouble, kb: KnowledgeBase) -> None:
    kb.ask(KNOWN_QUESTION, place="dm")
    kb.ask(UNKNOWN_QUESTION, place="dm")
    async with running_bot(double, kb):
        stats = await command(double, double.rep_member, "kb stats")
        refused = await command(double, double.member, "kb stats")

    assert stats.ephemeral
    values = {f["name"]: f["value"] for f in stats.embed["fields"]}
    assert values["Facts"] == str(len(kb.facts()))
    assert values["Last 7 days"].startswith("2 asked\n1 answered")
    assert UNKNOWN_QUESTION in values["Most-asked open questions"]
    assert refused.ephemeral and refused.body["embeds"] == []


# --------------------------------------------------------------------------- #
# Discord's rules: deadlines, cooldown, errors, reconnects
# --------------------------------------------------------------------------- #


async def test_the_cooldown_holds_for_one_member_only(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    async with running_bot(double, kb, question_cooldown_seconds=60):
        first = await ask_in_channel(double, double.member, double.other_channel, KNOWN_QUESTION)
        second = await ask_in_channel(double, double.member, double.other_channel, KNOWN_QUESTION)
        since = double.mark()
        await double.send_message(double.member, double.other_channel, KNOWN_QUESTION)
        other = await ask_in_channel(
            double, double.rep_member, double.other_channel, KNOWN_QUESTION
        )
        _, slash = await ask_command(double, double.member, KNOWN_QUESTION)

    assert first["embeds"] and second["embeds"] == []
    assert "wait" in second["content"].lower()
    replies = double.find_requests(
        method="POST", route="/channels/{channel_id}/messages", since=since
    )
    assert len(replies) == 1  # told once per cooldown, then ignored: only the rep's answer
    assert other["embeds"]
    assert slash.ephemeral and "wait" in slash.body["content"].lower()


async def test_a_slow_knowledge_base_is_deferred_in_time(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    release = threading.Event()
    async with running_bot(double, kb) as bot:
        busy = asyncio.ensure_future(bot.knowledge.run(lambda _: release.wait(5)))
        interaction = await double.slash_command(double.member, "ask", {"question": KNOWN_QUESTION})
        callback = await double.wait_for_interaction_response(
            interaction, timeout=DEFER_AFTER_SECONDS + 1
        )
        assert callback.json["type"] == CallbackType.DEFERRED_CHANNEL_MESSAGE
        release.set()
        await busy
        followup = await double.wait_for_followup(interaction)

    assert followup.json["embeds"][0]["footer"]["text"].startswith("Fact ")


async def test_a_failure_gets_an_apology_and_a_logged_traceback(
    double: DiscordDouble, kb: KnowledgeBase, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(double, kb):
        kb._db.conn.close()  # the database goes away under the bot
        with caplog.at_level(logging.ERROR):
            _, response = await ask_command(double, double.member, KNOWN_QUESTION)
            chat = await ask_in_channel(double, double.member, double.other_channel, KNOWN_QUESTION)

    assert response.ephemeral and "sorry" in response.body["content"].lower()
    assert "sorry" in chat["content"].lower()
    assert [r for r in caplog.records if r.exc_info and r.name.startswith("bot.")]


async def test_the_bot_resumes_after_a_dropped_connection_and_still_answers(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    async with running_bot(double, kb):
        frames = len(double.gateway_frames)
        await double.drop_connection()
        since = double.mark()
        await double.send_message(double.member, double.other_channel, KNOWN_QUESTION)
        await double.wait_for_gateway_op(Op.RESUME, since=frames)
        reply = await double.wait_for_bot_message(double.other_channel, since=since)

    assert reply.json["embeds"][0]["footer"]["text"].startswith("Fact ")
    assert double.gateway_frames.find(lambda f: f.op == Op.IDENTIFY, since=frames) == []


async def test_buttons_still_work_after_the_bot_restarts(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    fact = fact_for(kb, "who owns sscl")
    async with running_bot(double, kb):
        answer = await ask_in_channel(double, double.member, double.other_channel, KNOWN_QUESTION)
        logged = await ask_in_channel(double, double.member, double.other_channel, UNKNOWN_QUESTION)
    [entry] = kb.unanswered_questions()
    async with running_bot(double, kb):
        rejected = await click(
            double, double.member, answer["id"], f"kb:reject:{fact.id}:{double.member.id}"
        )
        opted = await click(double, double.member, logged["id"], f"kb:notify:{entry.id}")

    assert len(double.identify_payloads) == 2  # two separate logins
    assert "logged" in rejected.body["content"] and opted.ephemeral
    assert {e.text for e in kb.unanswered_questions()} == {KNOWN_QUESTION, UNKNOWN_QUESTION}
    assert [r.user_id for r in kb._unanswered.notify_requests(entry.id)] == [str(double.member.id)]


async def test_old_notify_requests_are_purged_at_start_up(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    entry = kb.ask(UNKNOWN_QUESTION, place="dm").logged
    assert entry is not None
    kb.subscribe(entry.id, user_id="1", channel_id="1")
    kb.subscribe(entry.id, user_id="2", channel_id="1")
    kb._db.execute(
        "UPDATE notify_requests SET requested_at = '2000-01-01T00:00:00+00:00' WHERE user_id = '1'"
    )
    async with running_bot(double, kb, notify_retention_days=30):
        for _ in range(100):
            if not kb._unanswered.held_about("1"):
                break
            await asyncio.sleep(0.01)

    assert kb._unanswered.held_about("1") == []
    assert [r.user_id for r in kb._unanswered.held_about("2")] == ["2"]
