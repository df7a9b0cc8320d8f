"""``/kb review``: reps approve or reject the wordings members chose, one click each."""

from __future__ import annotations

from discord_double import CallbackType, DiscordDouble
from knowledge.base import KnowledgeBase
from knowledge.models import QuestionOrigin
from tests.bot.conftest import running_bot
from tests.bot.test_bot import click, command


async def test_a_rep_approves_and_rejects_proposals_one_click_each(
    discord_double: DiscordDouble, kb: KnowledgeBase
) -> None:
    double = discord_double
    first_fact, second_fact = kb.facts()[2], kb.facts()[7]
    kb.choose("the first wording a member chose", first_fact.id)
    kb.choose("the first wording a member chose", first_fact.id)
    kb.choose("another wording entirely", second_fact.id)
    approve, reject = (f"kb:proposal:{verdict}:" for verdict in ("approve", "reject"))
    async with running_bot(double, kb):
        shown = await command(double, double.rep_member, "kb review")
        assert shown.ephemeral
        assert shown.embed["description"] == "the first wording a member chose"
        first_id = shown.custom_ids[0].rsplit(":", 1)[1]
        assert shown.custom_ids == [approve + first_id, reject + first_id]
        review = double.bot_messages()[-1]
        after_approval = await click(double, double.rep_member, review["id"], approve + first_id)
        assert after_approval.callback_type == CallbackType.UPDATE_MESSAGE
        assert after_approval.embed["description"] == "another wording entirely"
        second_id = after_approval.custom_ids[1].rsplit(":", 1)[1]
        done = await click(double, double.rep_member, review["id"], reject + second_id)

    assert "no proposed example questions" in done.body["content"].lower()
    learned = kb.fact(first_fact.id).questions[-1]
    assert (learned.text, learned.origin) == (
        "the first wording a member chose",
        QuestionOrigin.LEARNED,
    )
    assert kb.fact(second_fact.id) == second_fact
    assert kb.pending_proposals() == []


async def test_a_member_can_neither_review_nor_press_a_crafted_approve_button(
    discord_double: DiscordDouble, kb: KnowledgeBase
) -> None:
    double = discord_double
    fact = kb.facts()[2]
    kb.choose("a wording a member chose", fact.id)
    [proposal] = kb.pending_proposals()
    async with running_bot(double, kb):
        refused = await command(double, double.member, "kb review")
        shown = await command(double, double.rep_member, "kb review")
        review = double.bot_messages()[-1]
        pressed = await click(
            double, double.member, review["id"], f"kb:proposal:approve:{proposal.id}"
        )

    assert refused.ephemeral and "only reps" in refused.body["content"].lower()
    assert shown.embed["description"] == "a wording a member chose"
    assert pressed.ephemeral and "only reps" in pressed.body["content"].lower()
    assert kb.fact(fact.id) == fact
    assert kb.pending_proposals() == [proposal]
