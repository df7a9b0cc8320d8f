"""Every rep command and every rep button refuses anyone who is not a rep, and changes nothing.

Systematic: the commands are those the bot guards with the rep check (the
list is the one ``test_commands`` checks against the synced tree), each
tried by a plain member in the server and by anyone in a DM; the buttons
are every dynamic button that is not a member's reply button, each pressed
with a crafted custom id that names a real proposal, page or question.
"""

from __future__ import annotations

from typing import Any

import pytest
from discord.ui import DynamicItem

from bot.buttons import PersistentButton
from bot.cogs.facts import UsePassageButton
from bot.cogs.stats import ProposalButton
from bot.cogs.unanswered import PageButton
from bot.passage_facts import MakeFactButton
from bot.replies import REPLY_BUTTONS
from discord_double import DiscordDouble
from knowledge.base import KnowledgeBase
from tests.bot.conftest import running_bot
from tests.bot.test_bot import ask_in_channel, click, double, no_leaks, response_to
from tests.bot.test_commands import REP_COMMANDS

__all__ = ["double", "no_leaks"]  # the fixtures of test_bot: answered once, nobody pinged

PRIVATE_QUESTION = "recommend a film for tonight about my grievance"


def snapshot(kb: KnowledgeBase) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table except the question counter (asking is counted)."""
    return {
        name: list(kb._db[name].rows) for name in kb._db.table_names() if name != "question_events"
    }


def rep_command_options(kb: KnowledgeBase, entry_id: int) -> dict[str, dict[str, Any]]:
    """Valid options for each rep command: only the permission is missing."""
    fact = kb.facts()[0]
    return {
        "fact add": {"answer": "Strike tomorrow.", "questions": "is there a strike", "source": "x"},
        "fact edit": {"id": fact.id, "answer": "Changed by a member."},
        "fact remove": {"id": fact.id},
        "source add": {"title": "A circular", "kind": "circular", "issuer": "PCS", "date": "2024"},
        "unanswered list": {},
        "unanswered resolve": {"id": entry_id, "fact": fact.id},
        "unanswered dismiss": {"id": entry_id},
        "kb stats": {},
        "kb review": {},
    }


def rep_buttons() -> set[str]:
    """Every dynamic button class the bot defines, less their base and the members' reply buttons.

    By name: discord.py imports an extension afresh at each load, so a class
    may exist once per bot started in this session.
    """
    found: set[str] = set()
    pending: list[type[Any]] = [DynamicItem]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("bot."):
                found.add(qualified(subclass))
    return found - {qualified(button) for button in (PersistentButton, *REPLY_BUTTONS)}


def qualified(cls: type[Any]) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


@pytest.fixture
def seeded(kb: KnowledgeBase) -> tuple[KnowledgeBase, int, int]:
    """An open question with a notify request, and a pending proposal."""
    entry = kb.ask(PRIVATE_QUESTION, place="dm").logged
    assert entry is not None
    kb.subscribe(entry.id, user_id="77", channel_id="1")
    kb.choose("a wording a member chose", kb.facts()[1].id)
    [proposal] = kb.pending_proposals()
    return kb, entry.id, proposal.id


@pytest.mark.parametrize("where", ["server", "dm"])
async def test_every_rep_command_is_refused_to_a_member_and_changes_nothing(
    double: DiscordDouble, seeded: tuple[KnowledgeBase, int, int], where: str
) -> None:
    kb, entry_id, _ = seeded
    options = rep_command_options(kb, entry_id)
    assert set(options) == REP_COMMANDS  # a new rep command must be added here
    before = snapshot(kb)
    user = double.member if where == "server" else double.rep_member
    channel = None if where == "server" else double.dm_channel(double.rep_member)
    # In a DM only global commands exist: the bot registers them globally.
    guild_id = double.guild.id if where == "server" else None
    async with running_bot(double, kb, guild_id=guild_id):
        refusals = {
            name: await response_to(
                double,
                await double.slash_command(
                    user, name, values, channel=channel, guild=where == "server"
                ),
            )
            for name, values in options.items()
        }

    for name, refused in refusals.items():
        assert refused.ephemeral, name
        assert "only reps" in refused.body["content"].lower(), name
        assert refused.body["embeds"] == [] and not refused.custom_ids, name
        assert PRIVATE_QUESTION not in str(refused.body), name
    assert snapshot(kb) == before


async def test_every_rep_button_is_refused_to_a_member_even_crafted(
    double: DiscordDouble, seeded: tuple[KnowledgeBase, int, int]
) -> None:
    kb, _, proposal_id = seeded
    crafted = {
        PageButton: ["kb:unanswered:prev:0", "kb:unanswered:next:0", "kb:unanswered:next:1"],
        ProposalButton: [f"kb:proposal:approve:{proposal_id}", f"kb:proposal:reject:{proposal_id}"],
        UsePassageButton: ["kb:usepassage:0", f"kb:usepassage:{kb.facts()[0].id}"],
        MakeFactButton: ["kb:passagefact:1"],
    }
    assert {qualified(c) for c in crafted} == rep_buttons()  # add a new rep button here
    custom_ids = [custom_id for ids in crafted.values() for custom_id in ids]
    before = snapshot(kb)
    async with running_bot(double, kb):
        message = await ask_in_channel(
            double, double.member, double.other_channel, "who owns sscl?"
        )
        stored = double.message(message["id"])
        for first in range(0, len(custom_ids), 5):  # Discord's five buttons a row
            stored["components"].append(
                {
                    "type": 1,
                    "components": [
                        {"type": 2, "style": 2, "label": "x", "custom_id": custom_id}
                        for custom_id in custom_ids[first : first + 5]
                    ],
                }
            )
        pressed = [await click(double, double.member, message["id"], c) for c in custom_ids]

    for custom_id, refused in zip(custom_ids, pressed, strict=True):
        assert refused.ephemeral, custom_id
        assert "only reps" in refused.body["content"].lower(), custom_id
        assert refused.body["embeds"] == [], custom_id
        assert PRIVATE_QUESTION not in str(refused.body), custom_id
    assert snapshot(kb) == before
