"""Discord's size limits, and shortening text to fit them without hiding that it was cut."""

from __future__ import annotations

MESSAGE_CHARS = 2_000
EMBED_DESCRIPTION_CHARS = 4_096
EMBED_FIELD_VALUE_CHARS = 1_024
EMBED_FIELD_NAME_CHARS = 256
EMBED_TITLE_CHARS = 256
EMBED_FOOTER_CHARS = 2_048
EMBED_TOTAL_CHARS = 6_000
BUTTON_LABEL_CHARS = 80
BUTTONS = 25
CHOICES = 25
CHOICE_NAME_CHARS = 100
CHOICE_VALUE_CHARS = 100
MODAL_TITLE_CHARS = 45
MODAL_LABEL_CHARS = 45
MODAL_PLACEHOLDER_CHARS = 100
MODAL_INPUT_CHARS = 4_000
"""The most text one input of a form (a modal) takes or is filled with."""

SHORTENED = " …(shortened)"
"""Appended to text that was cut, so that no one mistakes it for the whole."""
ELLIPSIS = "…"
"""The marker for labels and choice names, which everyone reads as summaries."""


def clip(text: str, limit: int, *, marker: str = SHORTENED) -> str:
    """``text`` if it fits in ``limit`` characters, else a prefix ending with ``marker``.

    The cut falls at a word boundary unless that would drop more than half
    of the room (one very long word).
    """
    if len(text) <= limit:
        return text
    room = limit - len(marker)
    if room <= 0:
        return marker.strip()[:limit]
    kept = text[:room]
    space = kept.rfind(" ")
    if text[room : room + 1].strip() and space > room // 2:
        kept = kept[:space]
    return kept.rstrip() + marker


def clip_line(text: str, limit: int) -> str:
    """``text`` on one line (every run of whitespace one space), clipped to ``limit``:
    for lists where each item must stay one line."""
    return clip(" ".join(text.split()), limit)
