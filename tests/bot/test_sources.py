"""Registered documents through the real client: a fact quoted from one, the answer, and
"Read more" showing the paragraph around the quote."""

from __future__ import annotations

import pytest

from discord_double import CallbackType, DiscordDouble
from knowledge.base import KnowledgeBase
from knowledge.models import Source
from tests.bot.conftest import running_bot
from tests.bot.test_bot import (
    ask_in_channel,
    click,
    command,
    custom_ids,
    double,
    field,
    response_to,
)

__all__ = ["double"]  # the checked double fixture of test_bot

pytestmark = pytest.mark.asyncio

DOCUMENT = (
    "Leeds branch circular, June 2024\n\n"
    "The employer has confirmed that the Leeds payroll office will close in March, "
    "and its 120 posts will move to Newport. The branch will ballot members.\n\n"
    "Branch officers will meet the employer on Monday."
)
QUESTION = "will the leeds payroll office close?"
QUOTE = "the Leeds payroll office will close in March"


async def test_a_fact_from_a_registered_document_answers_and_reads_more(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    source = kb.add_source(
        Source(
            key="",
            title="Leeds branch circular",
            kind="circular",
            issuer="PCS Leeds branch",
            date="June 2024",
            url="https://example.org/leeds",
        ),
        DOCUMENT,
        actor="console",
    )
    fact_options = {
        "answer": "The employer says the Leeds payroll office closes in March.",
        "questions": "will the leeds payroll office close; when does leeds payroll close",
        "source": source.key,
    }
    async with running_bot(double, kb):
        refused = await command(
            double,
            double.rep_member,
            "fact add",
            {**fact_options, "quote": "Leeds payroll will shut in March"},
        )
        refusal = double.bot_messages()[-1]
        used = await click(double, double.rep_member, refusal["id"], "kb:usepassage:0")
        kb.remove_fact(int(used.embed["footer"]["text"].removeprefix("Fact ")), actor="test")
        added = await command(
            double, double.rep_member, "fact add", {**fact_options, "quote": QUOTE}
        )
        reply = await ask_in_channel(double, double.member, double.other_channel, QUESTION)
        fact_id = int(added.embed["footer"]["text"].removeprefix("Fact "))
        assert f"kb:passage:{fact_id}" in custom_ids(reply)
        bystander = double.add_member("bystander")
        more = await click(double, bystander, reply, f"kb:passage:{fact_id}")
        edit_refused = await command(
            double, double.rep_member, "fact edit", {"id": fact_id, "quote": "posts go to Newport"}
        )
        edit_refusal = double.bot_messages()[-1]
        edited = await click(
            double, double.rep_member, edit_refusal["id"], f"kb:usepassage:{fact_id}"
        )

    assert refused.ephemeral and "Leeds payroll office will close in March" in str(refused.body)
    assert refused.custom_ids == ["kb:usepassage:0"]
    assert field(refused.embed, "Closest passage") == "Leeds payroll office will close in March"
    assert field(used.embed, "Quote") == "\u201cLeeds payroll office will close in March\u201d"
    assert edit_refused.custom_ids == [f"kb:usepassage:{fact_id}"]
    assert edited.ephemeral and "posts will move to Newport" in kb.fact(fact_id).quote
    assert field(reply["embeds"][0], "Quote") == f"\u201c{QUOTE}\u201d"
    assert field(reply["embeds"][0], "Source") == (
        "[Leeds branch circular (June 2024)](https://example.org/leeds)"
    )
    assert more.ephemeral
    assert more.embed["title"] == source.title and more.embed["url"] == source.url
    assert f"**{QUOTE}**" in more.embed["description"]
    assert more.embed["description"].startswith("The employer has confirmed that")
    assert "ballot members" in more.embed["description"]
    assert "Branch officers" not in more.embed["description"]
    assert (field(more.embed, "Issued by"), field(more.embed, "Date")) == (
        "PCS Leeds branch",
        "June 2024",
    )


async def test_a_rep_registers_pasted_text_and_anyone_lists_and_shows_it(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    details = {"title": "Leeds circular", "kind": "circular", "issuer": "PCS", "date": "2024"}
    async with running_bot(double, kb):
        opened = await double.wait_for_interaction_response(
            await double.slash_command(double.rep_member, "source add", details)
        )
        submitted = await response_to(
            double,
            await double.submit_modal(
                double.rep_member, "kb:source:paste", {"kb:source:text": DOCUMENT}
            ),
        )
        await double.wait_for_interaction_response(
            await double.slash_command(double.rep_member, "source add", details)
        )
        duplicate = await response_to(
            double,
            await double.submit_modal(
                double.rep_member, "kb:source:paste", {"kb:source:text": DOCUMENT}
            ),
        )
        listed = await command(double, double.member, "source list")
        shown = await command(double, double.member, "source show", {"key": "leeds-circular"})

    assert opened.json["type"] == CallbackType.MODAL
    assert submitted.ephemeral and "leeds-circular" in submitted.body["content"]
    assert kb.source_text("leeds-circular") == DOCUMENT
    [entry] = kb.source_history("leeds-circular")
    assert entry.actor == f"discord:{double.rep_member.id}:rep_holder"
    assert duplicate.ephemeral and "leeds-circular" in duplicate.body["content"]
    assert len([s for s in kb.sources() if s.title == "Leeds circular"]) == 1
    assert listed.ephemeral and "leeds-circular" in listed.embed["description"]
    assert shown.embed["title"] == "Leeds circular"
    assert field(shown.embed, "Issued by") == "PCS"


async def test_a_refused_fact_add_leaves_no_new_source_behind(
    double: DiscordDouble, kb: KnowledgeBase
) -> None:
    """A free-text ``source:`` makes a rep's note only together with the fact it backs."""
    sources, facts = kb.sources(), kb.facts()
    async with running_bot(double, kb):
        refused = await command(
            double,
            double.rep_member,
            "fact add",
            {"answer": "The picnic is on 5 June.", "questions": ";", "source": "Branch minutes"},
        )

    assert refused.ephemeral and refused.body["embeds"] == []
    assert kb.sources() == sources and kb.facts() == facts
