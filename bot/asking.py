"""Which chat messages are questions for the bot, and what the question is."""

from __future__ import annotations

import re

QUESTION_WORDS = frozenset(
    {
        "who", "whom", "whose", "what", "whats", "what's", "when", "where", "which", "why", "how",
        "is", "are", "was", "were", "do", "does", "did", "can", "could", "would", "should",
    }
)  # fmt: skip
"""A message in an ask channel that starts with one of these reads as a question.

Words that often start a statement ("Will said…", "May 5th…", "Have a good
weekend", "Don't forget…") are left out: such questions usually end with "?"."""

_QUESTION_SEPARATORS = re.compile(r"[;\n]+")
_LEADING_NOISE = re.compile(r"^(?:\s|<(?:@[!&]?|#)\d+>|[^\w'’])*")
_FIRST_WORD = re.compile(r"[\w'’]+")


def reads_as_question(text: str) -> bool:
    """True when ``text`` ends with "?" or starts with a question word.

    Leading mentions, punctuation and emoji are skipped: "<@&1>, who owns
    SSCL" reads as a question; "Great news!" does not.
    """
    stripped = text.strip()
    if not stripped:
        return False
    if stripped.endswith(("?", "？")):
        return True
    rest = _LEADING_NOISE.sub("", stripped)
    first = _FIRST_WORD.match(rest)
    return first is not None and first.group().casefold().replace("’", "'") in QUESTION_WORDS


def mentions_of(user_id: int) -> re.Pattern[str]:
    """The pattern of a user's mention tokens (``<@id>`` and the older ``<@!id>``)."""
    return re.compile(rf"<@!?{user_id}>")


def without_mentions_of(text: str, user_id: int) -> str:
    """``text`` with ``user_id``'s mentions removed and whitespace tidied."""
    return " ".join(mentions_of(user_id).sub(" ", text).split())


def split_questions(text: str) -> list[str]:
    """Example questions a rep typed in one option or input, separated by ";" or new lines."""
    return [part.strip() for part in _QUESTION_SEPARATORS.split(text) if part.strip()]
