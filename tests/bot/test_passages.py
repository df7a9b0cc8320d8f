"""Passages in the bot's reply: labelled as no checked answer, verbatim but inert."""

from __future__ import annotations

from discord_double import DiscordDouble
from knowledge import KnowledgeBase
from knowledge.models import Source
from tests.bot.conftest import running_bot
from tests.bot.test_bot import ask_in_channel, double

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
