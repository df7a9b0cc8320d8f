"""Passages in the bot's reply: labelled as no checked answer, verbatim but inert."""

from __future__ import annotations

from typing import Any

from discord_double import CallbackType, DiscordDouble
from knowledge import KnowledgeBase
from knowledge.models import QuoteStatus, Source, UnansweredStatus
from tests.bot.conftest import running_bot
from tests.bot.test_bot import (
    ask_in_channel,
    click,
    command,
    custom_ids,
    double,
    response_to,
)

__all__ = ["double"]  # the checked double fixture of test_bot

CIRCULAR = Source(key="", title="Branch circular 7", kind="circular", issuer="PCS", date="2024")
TEXT = (
    "Branch circular 7\n\n"
    "Branch officers will meet the employer on Monday to discuss relocation expenses and "
    "flexible working for staff who cannot move. @everyone **read this** <@123>."
)


async def test_a_reply_offers_the_documents_words_as_no_checked_answer(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    kb.add_source(CIRCULAR, TEXT, actor="console")
    question = "when will branch officers meet the employer about relocation"
    async with running_bot(double, kb):
        reply = await ask_in_channel(double, double.member, double.other_channel, question)

    [passage] = [e for e in reply["embeds"] if e["title"].startswith("Not a checked answer")]
    assert "Branch circular 7" in passage["title"]
    assert "Branch officers will meet the employer on Monday" in passage["description"]
    assert "\\*\\*read this\\*\\*" in passage["description"], "markup shows as written"
    fields = {field["name"]: field["value"] for field in passage["fields"]}
    assert fields == {"Issued by": "PCS", "Date": "2024"}
    # "@everyone" in a document pings nobody: the `double` fixture checks that every
    # request the bot sends allows no mentions.


QUESTION = "when will branch officers meet the employer about relocation"
FORM_INPUTS = ("answer", "questions", "source", "quote")


def form_inputs(modal: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The text inputs of a form as Discord got it, by the last part of their custom id."""
    found: dict[str, dict[str, Any]] = {}
    pending = list(modal["components"])
    while pending:
        component = pending.pop()
        pending += component.get("components", [])
        if "component" in component:  # a label around its input
            pending.append(component["component"])
        if component.get("type") == 4:
            found[component["custom_id"].rsplit(":", 1)[1]] = component
    return found


async def test_a_rep_makes_a_passage_a_fact_and_the_member_who_asked_is_told(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    source = kb.add_source(CIRCULAR, TEXT, actor="console")
    async with running_bot(double, kb):
        reply = await ask_in_channel(double, double.member, double.other_channel, QUESTION)
        [entry] = kb.unanswered_questions()
        [[offer]] = kb.passages_offered().values()
        make = f"kb:passagefact:{offer.id}"
        assert custom_ids(reply) == [f"kb:notify:{entry.id}", make]
        await click(double, double.member, reply["id"], f"kb:notify:{entry.id}")

        opened = await click(double, double.rep_member, reply["id"], make)
        assert opened.callback_type == CallbackType.MODAL
        inputs = form_inputs(opened.body)
        assert set(inputs) == set(FORM_INPUTS)
        assert inputs["source"]["value"] == source.key
        assert inputs["quote"]["value"] == TEXT[offer.start :]  # verbatim, even "@everyone"
        assert QUESTION in inputs["questions"]["placeholder"]

        since = double.mark()
        answer = "Branch officers meet the employer on Monday about relocation."
        submitted = await response_to(
            double,
            await double.submit_modal(
                double.rep_member,
                f"kb:passagefact:form:{offer.id}",
                {"kb:passagefact:answer": answer},  # source and quote left as filled in
            ),
        )
        dm = await double.wait_for_bot_message(double.dm_channel(double.member), since=since)

    fact = kb.facts()[-1]
    assert (fact.answer, fact.source_key) == (answer, source.key)
    assert fact.quote == inputs["quote"]["value"]
    assert kb.quote_status(fact) is QuoteStatus.VERIFIED
    assert QUESTION in fact.question_texts
    assert kb.unanswered_questions(UnansweredStatus.RESOLVED)[0].resolved_fact_id == fact.id
    assert submitted.ephemeral and f"fact {fact.id}" in submitted.body["content"]
    assert "1 by DM" in submitted.body["content"]
    assert dm.json["embeds"][0]["footer"]["text"] == f"Fact {fact.id}"
    assert kb.held_about(str(double.member.id)) == [], "told, so forgotten"


async def test_a_member_pressing_make_this_a_fact_is_refused_and_no_form_opens(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    kb.add_source(CIRCULAR, TEXT, actor="console")
    async with running_bot(double, kb):
        reply = await ask_in_channel(double, double.member, double.other_channel, QUESTION)
        [[offer]] = kb.passages_offered().values()
        refused = await click(double, double.member, reply["id"], f"kb:passagefact:{offer.id}")

    assert refused.ephemeral and "only reps" in refused.body["content"].lower()
    assert double.opened_modals == {}
    assert kb.unanswered_questions()[0].status is UnansweredStatus.OPEN


async def test_a_passage_whose_source_changed_since_is_refused_clearly(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    source = kb.add_source(CIRCULAR, TEXT, actor="console")
    async with running_bot(double, kb):
        reply = await ask_in_channel(double, double.member, double.other_channel, QUESTION)
        [[offer]] = kb.passages_offered().values()
        kb.set_source_text(source.key, TEXT.replace("on Monday", "on Friday"), actor="console")
        stale = await click(double, double.rep_member, reply["id"], f"kb:passagefact:{offer.id}")

    assert stale.ephemeral and stale.callback_type != CallbackType.MODAL
    assert "no longer in" in stale.body["content"] and source.title in stale.body["content"]


async def test_a_refused_form_changes_nothing_and_gives_the_rep_their_answer_back(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    kb.add_source(CIRCULAR, TEXT, actor="console")
    facts = kb.facts()
    async with running_bot(double, kb):
        reply = await ask_in_channel(double, double.member, double.other_channel, QUESTION)
        [[offer]] = kb.passages_offered().values()
        await click(double, double.rep_member, reply["id"], f"kb:passagefact:{offer.id}")
        refused = await response_to(
            double,
            await double.submit_modal(
                double.rep_member,
                f"kb:passagefact:form:{offer.id}",
                {"kb:passagefact:answer": "They meet.", "kb:passagefact:quote": "made-up words"},
            ),
        )

    assert refused.ephemeral and "not in" in refused.body["content"]
    assert refused.body["content"].endswith("They meet.")
    assert kb.facts() == facts
    assert kb.unanswered_questions()[0].status is UnansweredStatus.OPEN


async def test_reps_list_the_passages_each_question_was_offered(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    kb.add_source(CIRCULAR, TEXT, actor="console")
    async with running_bot(double, kb):
        in_dm = await ask_in_channel(
            double, double.member, double.dm_channel(double.member), QUESTION
        )
        listing = await command(double, double.rep_member, "unanswered list")

    assert in_dm["embeds"] and custom_ids(in_dm) == [f"kb:notify:{kb.unanswered_questions()[0].id}"]
    [field] = listing.embed["fields"]
    assert QUESTION in field["value"] and "offered: Branch circular 7 \u00b62" in field["value"]
