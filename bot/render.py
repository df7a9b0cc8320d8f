"""Embeds for facts, suggestions, the unanswered log and statistics.

Pure functions of the core's models, clipped to Discord's limits. The fact
and suggestions embeds also carry the one thing a button on them needs that
its custom id cannot hold: the member's question, in the "You asked" field,
which ``question_of`` reads back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import discord

from bot.limits import (
    ELLIPSIS,
    EMBED_DESCRIPTION_CHARS,
    EMBED_FIELD_NAME_CHARS,
    EMBED_FIELD_VALUE_CHARS,
    EMBED_TITLE_CHARS,
    SHORTENED,
    clip,
)
from knowledge import OfferedPassage, QuotedParagraph
from knowledge.models import (
    Fact,
    NotifyRequest,
    PassageOffer,
    Proposal,
    Source,
    Stats,
    Unanswered,
)

ANSWER_CHARS = 2_500
"""An embed holds 6,000 characters in all: the answer plus three full fields fit."""
SUGGESTION_CHARS = 600
UNANSWERED_TEXT_CHARS = 900
"""Five entries a page with their headings stay under the 6,000-character embed total."""
COLOUR = discord.Colour.from_rgb(160, 30, 60)
SOURCE_FIELD = "Source"
QUOTE_FIELD = "Quote"
QUESTION_FIELD = "You asked"
PRIVACY_SHOWN = 10
"""Notify requests listed by /privacy; ten fields of 300 characters stay under the embed total."""
PRIVACY_TEXT_CHARS = 300
_LINKABLE_URL = re.compile(r"https?://[^\s()<>\[\]]+")
LINK_LABEL_CHARS = 300


def source_text(source: Source) -> str:
    """The source's title and date, a link to its URL when it has a plain http(s) one.

    Any other URL is shown as text on a second line, never as a link.
    """
    text = f"{source.title} ({source.date})" if source.date else source.title
    if source.url and _LINKABLE_URL.fullmatch(source.url):
        label = discord.utils.escape_markdown(text).replace("[", "(").replace("]", ")")
        return f"[{clip(label, LINK_LABEL_CHARS, marker=ELLIPSIS)}]({source.url})"
    return f"{text}\n{source.url}" if source.url else text


def field_value(text: str, limit: int = EMBED_FIELD_VALUE_CHARS) -> str:
    """``text`` clipped to ``limit``; Discord refuses a blank field value, so "(none)" for one."""
    return clip(text, limit) if text.strip() else "(none)"


def fact_embed(fact: Fact, source: Source, *, question: str | None = None) -> discord.Embed:
    """The sourced answer: the fact, its source, the verbatim quote, the fact id."""
    embed = discord.Embed(description=clip(fact.answer, ANSWER_CHARS), colour=COLOUR)
    embed.add_field(name=SOURCE_FIELD, value=field_value(source_text(source)), inline=False)
    if fact.quote:
        embed.add_field(
            name=QUOTE_FIELD,
            value=clip(f"\u201c{fact.quote}\u201d", EMBED_FIELD_VALUE_CHARS),
            inline=False,
        )
    if question and question.strip():
        embed.add_field(
            name=QUESTION_FIELD, value=clip(question, EMBED_FIELD_VALUE_CHARS), inline=False
        )
    embed.set_footer(text=f"Fact {fact.id}")
    return embed


def question_of(embed: discord.Embed) -> str | None:
    """The member's question ``fact_embed`` or ``suggestions_embed``
    recorded (its start, if it had to be shortened)."""
    value = next((f.value for f in embed.fields if f.name == QUESTION_FIELD and f.value), None)
    return None if value is None else value.removesuffix(SHORTENED)


PARAGRAPH_SIDE_CHARS = 1_500
"""Text shown either side of the quote in "Read more"; with the quote it fits a description."""


def paragraph_embed(paragraph: QuotedParagraph) -> discord.Embed:
    """The paragraph around a fact's quote, the quote in bold, with the source's details."""
    source = paragraph.source
    before = discord.utils.escape_markdown(paragraph.before)
    after = discord.utils.escape_markdown(paragraph.after)
    if len(before) > PARAGRAPH_SIDE_CHARS:
        before = ELLIPSIS + before[-PARAGRAPH_SIDE_CHARS:]
    if len(after) > PARAGRAPH_SIDE_CHARS:
        after = after[:PARAGRAPH_SIDE_CHARS] + ELLIPSIS
    quote = clip(discord.utils.escape_markdown(paragraph.quote), EMBED_DESCRIPTION_CHARS // 3)
    embed = discord.Embed(
        title=clip(source.title, EMBED_TITLE_CHARS),
        url=source.url or None,
        description=clip(f"{before} **{quote}** {after}".strip(), EMBED_DESCRIPTION_CHARS),
        colour=COLOUR,
    )
    embed.add_field(name="Issued by", value=field_value(source.issuer), inline=True)
    embed.add_field(name="Date", value=field_value(source.date), inline=True)
    embed.set_footer(text=f"Fact {paragraph.fact.id}")
    return embed


PASSAGE_CHARS = 900
"""Two passages with their headings fit beside a full "did you mean" embed in one
message (6,000 characters in all)."""
PASSAGE_COLOUR = discord.Colour.light_grey()
"""Not the answers' colour: a passage is not a checked answer."""


def passage_embed(passage: OfferedPassage, *, number: int | None = None) -> discord.Embed:
    """What a registered document says, labelled as no checked answer, verbatim
    (its markup escaped so it shows as written), with the document's details;
    ``number`` names it in the footer, for the button that acts on it."""
    source = passage.source
    embed = discord.Embed(
        title=clip(
            f"Not a checked answer \u2014 this is what {source.title} says", EMBED_TITLE_CHARS
        ),
        description=clip(discord.utils.escape_markdown(passage.text), PASSAGE_CHARS),
        colour=PASSAGE_COLOUR,
    )
    embed.add_field(name="Issued by", value=field_value(source.issuer), inline=True)
    embed.add_field(name="Date", value=field_value(source.date), inline=True)
    if number is not None:
        embed.set_footer(text=f"Passage {number}")
    return embed


def suggestions_embed(facts: Sequence[Fact], *, question: str) -> discord.Embed:
    """The facts the member may have meant, numbered, and the question they asked."""
    lines = [
        f"**{number}.** {clip(fact.answer, SUGGESTION_CHARS)} (fact {fact.id})"
        for number, fact in enumerate(facts, start=1)
    ]
    embed = discord.Embed(
        title="Did you mean…",
        description=clip("\n\n".join(lines), EMBED_DESCRIPTION_CHARS),
        colour=COLOUR,
    )
    embed.add_field(name=QUESTION_FIELD, value=field_value(question))
    return embed


def search_embed(query: str, facts: Sequence[Fact]) -> discord.Embed:
    lines = [f"**{fact.id}** {clip(fact.answer, SUGGESTION_CHARS)}" for fact in facts]
    return discord.Embed(
        title=clip(f"Facts matching “{query}”", EMBED_TITLE_CHARS),
        description=clip("\n\n".join(lines) or "No fact matches.", EMBED_DESCRIPTION_CHARS),
        colour=COLOUR,
    )


OFFERED_HINT_CHARS = 200


def offered_hint(offers: Sequence[PassageOffer]) -> str:
    """Which passages a question was offered, for reps: "offered: <title> ¶<n>; …"
    (paragraphs counted from 1)."""
    places = "; ".join(f"{offer.source_title} \u00b6{offer.paragraph + 1}" for offer in offers)
    return clip(f"offered: {places}", OFFERED_HINT_CHARS, marker=ELLIPSIS)


def unanswered_embed(
    entries: Sequence[Unanswered],
    *,
    page: int,
    pages: int,
    total: int,
    offers: Mapping[int, Sequence[PassageOffer]] | None = None,
) -> discord.Embed:
    """One page of open questions: text, how often and when asked, whether they got
    only "did you mean" (listed last), the passages offered (``offers``, by entry
    id); never who asked."""
    embed = discord.Embed(
        title=f"Unanswered questions: {total} open, page {page + 1} of {pages}", colour=COLOUR
    )
    for entry in entries:
        heading = (
            f"#{entry.id} · asked {entry.count}× · first {entry.first_asked_at[:10]}"
            f" · last {entry.last_asked_at[:10]}"
        )
        if entry.rejected_fact_id is not None:
            heading += f" · fact {entry.rejected_fact_id} rejected"
        elif entry.suggested:
            heading += f" · suggested (nearest fact {entry.nearest_fact_id})"
        elif entry.nearest_fact_id is not None:
            heading += f" · nearest fact {entry.nearest_fact_id}"
        offered = (offers or {}).get(entry.id)
        hint = f"\n*{discord.utils.escape_markdown(offered_hint(offered))}*" if offered else ""
        embed.add_field(
            name=clip(heading, EMBED_FIELD_NAME_CHARS),
            value=field_value(entry.text, UNANSWERED_TEXT_CHARS - len(hint)) + hint,
            inline=False,
        )
    if not entries:
        embed.description = "No open questions."
    embed.set_footer(text="Close one with /unanswered resolve or /unanswered dismiss.")
    return embed


def stats_embed(
    fact_count: int, periods: Sequence[Stats], top: Sequence[Unanswered]
) -> discord.Embed:
    embed = discord.Embed(title="Knowledge base", colour=COLOUR)
    embed.add_field(name="Facts", value=str(fact_count), inline=False)
    for stats in periods:
        embed.add_field(
            name=f"Last {stats.days} days",
            value=(
                f"{stats.asked} asked\n{stats.answered} answered\n"
                f"{stats.suggested} given suggestions\n{stats.unanswered} unanswered"
            ),
        )
    lines = [f"#{e.id} ({e.count}×) {clip(e.text, 150)}" for e in top]
    embed.add_field(
        name="Most-asked open questions",
        value=clip("\n".join(lines) or "None.", EMBED_FIELD_VALUE_CHARS),
        inline=False,
    )
    return embed


def proposal_embed(proposal: Proposal, fact: Fact, *, waiting: int) -> discord.Embed:
    """One proposed example question for a rep to approve or reject."""
    embed = discord.Embed(
        title="Proposed example question",
        description=clip(proposal.text, EMBED_DESCRIPTION_CHARS),
        colour=COLOUR,
    )
    embed.add_field(
        name=f"For fact {fact.id}",
        value=clip(fact.answer, EMBED_FIELD_VALUE_CHARS),
        inline=False,
    )
    embed.set_footer(text=f"Chosen {proposal.count}× from “did you mean” · {waiting} more waiting")
    return embed


def privacy_embed(held: Sequence[tuple[NotifyRequest, Unanswered]]) -> discord.Embed:
    """What the bot holds about one member: each question they asked to hear about, and when."""
    embed = discord.Embed(title="What I hold about you", colour=COLOUR)
    if not held:
        embed.description = (
            "Nothing. I keep the questions I could not answer, but never who asked them."
        )
        return embed
    embed.description = (
        f"Your Discord id, with {len(held)} question(s) you asked me to notify you about"
        " and the channel where you asked. Each goes once you are told, the question is"
        " closed, or after the retention period. `/forget-me` deletes them all now."
    )
    for request, entry in held[:PRIVACY_SHOWN]:
        embed.add_field(
            name=f"Question {entry.id} · since {request.requested_at[:10]}",
            value=field_value(entry.text, PRIVACY_TEXT_CHARS),
            inline=False,
        )
    if len(held) > PRIVACY_SHOWN:
        embed.set_footer(text=f"…and {len(held) - PRIVACY_SHOWN} more.")
    return embed
