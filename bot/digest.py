"""The weekly digest for reps: when it is due, and how it reads.

It is due once a week, from ``DIGEST_WEEKDAY`` at ``DIGEST_TIME`` (UTC): when
the last digest the knowledge base recorded ended before that moment of the
current week. A bot that was down then posts it when it is back; one restarted
after posting it does not post it again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta

import discord

from bot.limits import EMBED_FIELD_VALUE_CHARS, clip_line
from bot.render import COLOUR
from knowledge.models import Digest

DIGEST_WEEKDAY = 0
"""Monday: reps start the week knowing what members asked in the last one."""
DIGEST_TIME = time(8, 0, tzinfo=UTC)
QUESTION_CHARS = 150
ANSWER_CHARS = 90
FIELD_CHARS = EMBED_FIELD_VALUE_CHARS
"""Each of the three lists fits one field: with the title, well under the
6,000 characters an embed holds."""


def latest_slot(now: datetime) -> datetime:
    """The latest digest time (``DIGEST_WEEKDAY`` at ``DIGEST_TIME``) not after ``now``."""
    now = now.astimezone(UTC)
    day = now.date() - timedelta(days=(now.weekday() - DIGEST_WEEKDAY) % 7)
    slot = datetime.combine(day, DIGEST_TIME)
    return slot if slot <= now else slot - timedelta(weeks=1)


def digest_due(last: datetime | None, now: datetime) -> bool:
    """Whether a digest is due at ``now``, the last one having ended at ``last``."""
    return last is None or last < latest_slot(now)


def digest_embed(digest: Digest) -> discord.Embed:
    """The digest: new open questions, facts changed and wordings waiting, each list
    cut to fit with a pointer to the command that shows the rest."""
    period = f"{digest.since:%d %b} – {digest.until:%d %b %Y}"
    embed = discord.Embed(title=f"Weekly digest · {period}", colour=COLOUR)
    questions = [
        f"#{e.id} · {e.count}× · {'suggested · ' if e.suggested else ''}"
        f"{clip_line(e.text, QUESTION_CHARS)}"
        for e in digest.new_unanswered
    ]
    embed.add_field(
        name=f"New unanswered questions: {len(questions)}",
        value=fitted(questions, lambda more: f"and {more} more — /unanswered list"),
        inline=False,
    )
    changes = [
        f"Fact {c.fact_id} · {', '.join(dict.fromkeys(c.actions))} · "
        f"{clip_line(c.answer, ANSWER_CHARS)}"
        for c in digest.fact_changes
    ]
    embed.add_field(
        name=f"Facts added or changed: {len(changes)}",
        value=fitted(changes, lambda more: f"and {more} more — /fact show"),
        inline=False,
    )
    proposals = [
        f"{p.count}× for fact {p.fact_id}: {clip_line(p.text, QUESTION_CHARS)}"
        for p in digest.pending_proposals
    ]
    embed.add_field(
        name=f"Wordings waiting for review: {len(proposals)}",
        value=fitted(proposals, lambda more: f"and {more} more — /kb review"),
        inline=False,
    )
    return embed


def fitted(lines: Sequence[str], more: Callable[[int], str], limit: int = FIELD_CHARS) -> str:
    """As many of ``lines`` as fit in ``limit`` characters, one a line, then
    ``more(n)`` for the ``n`` left out; "None." for no lines."""
    if not lines:
        return "None."
    kept: list[str] = []
    for index, line in enumerate(lines):
        left = len(lines) - index - 1
        tail = f"\n{more(left)}" if left else ""
        if len("\n".join([*kept, line])) + len(tail) > limit:
            break
        kept.append(line)
    if len(kept) < len(lines):
        kept.append(more(len(lines) - len(kept)))
    return "\n".join(kept)
