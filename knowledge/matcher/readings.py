"""The readings of a member's question that the matcher scores.

A question asking two things is also read as its first part alone, and one
after a lead-in ("been here 15 years, all worried. who is taking over?") as the
sentence that asks.
"""

from __future__ import annotations

import re

_FIRST_CLAUSE_END = re.compile(
    r"[?;\n]|\b(?:and|or|also|plus)\s+(?=(?:who|what|when|where|why|how|which|in which|is|are|"
    r"does|do|did|will|can|could|has|have)\b)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_ASKING_START = re.compile(
    r"^\W*(?:who|whom|whose|what|whats|when|where|why|how|which|is|are|was|were|does|do|did|"
    r"will|would|can|could|has|have|should)\b",
    re.IGNORECASE,
)


def readings(question: str) -> list[str]:
    """The question whole; its first part when it asks two things; and the
    sentence that asks, when other sentences lead up to it.

    >>> readings("Who owns SSCL and when was it sold?")
    ['Who owns SSCL and when was it sold?', 'Who owns SSCL ']
    """
    found = [question]
    parts = [part for part in _FIRST_CLAUSE_END.split(question, maxsplit=1) if part.strip()]
    if len(parts) > 1:
        found.append(parts[0])
    asked = _asking_sentence(question)
    if asked is not None and asked not in found:
        found.append(asked)
    return found


def _asking_sentence(text: str) -> str | None:
    """The last sentence that asks (ends in "?" or opens with a question word),
    when the text has other sentences: "Been at DWP 15 years, all worried.
    Who is taking over?" asks "Who is taking over?"."""
    sentences = [part for part in _SENTENCE_END.split(text.strip()) if part.strip()]
    if len(sentences) < 2:
        return None
    for sentence in reversed(sentences):
        if sentence.rstrip().endswith("?") or _ASKING_START.match(sentence):
            return sentence
    return None
