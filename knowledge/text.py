"""Text cleaning shared by questions, facts and the unanswered log.

Everything here is a pure function of its input: no data files, no state.
"""

from __future__ import annotations

import re
import unicodedata

MAX_QUESTION_CHARS = 2_000
"""Longer input is cut before matching: no member question is this long, and
it bounds the time one question can take."""

MENTION = r"<(?:@[!&]?|#)\d+>|@(?:everyone|here)\b"
"""A Discord user, role or channel mention, or @everyone / @here."""
_DISCORD_MENTION = re.compile(MENTION, re.IGNORECASE)
MENTION_OR_MARKUP = re.compile(MENTION + r"|[*_~`|>#]+", re.IGNORECASE)
"""A Discord mention or Markdown markup: what a rep's plain text must not carry."""
URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_IT_IN_CAPITALS = re.compile(r"\bIT\b")
_MONEY = re.compile(r"(?:£\s*)?\b(\d+)\s*(m|bn|k)\b", re.IGNORECASE)
_THOUSANDS_COMMA = re.compile(r"(\d),(\d{3})\b")
_PERCENT = re.compile(r"(\d)\s*%")
_APOSTROPHE_S = re.compile(r"(\w)'s\b")
_NON_WORD = re.compile(r"[^\w]+")
_UNDERSCORE = re.compile(r"_+")
_MONEY_UNITS = {"m": "million", "bn": "billion", "k": "thousand"}
_QUOTE_MARKS = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'"})


def fold(text: str) -> str:
    """Return ``text`` in NFKC, case-folded, with accents removed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


def clean(text: str) -> str:
    """Reduce free text to lower-case words and numbers separated by single spaces.

    Discord mentions, links, markup, punctuation and invisible characters go;
    money and percentages are spelled out ("£500m" becomes "500 million",
    "25%" becomes "25 percent") so they match the documents' wording.
    """
    text = _INVISIBLE.sub("", text[:MAX_QUESTION_CHARS])
    text = _DISCORD_MENTION.sub(" ", text)
    text = URL.sub(" ", text)
    text = _IT_IN_CAPITALS.sub(" information technology ", text)
    text = fold(text).translate(_QUOTE_MARKS)
    text = _THOUSANDS_COMMA.sub(r"\1\2", text)
    text = _MONEY.sub(lambda m: f"{m.group(1)} {_MONEY_UNITS[m.group(2).lower()]}", text)
    text = _PERCENT.sub(r"\1 percent", text)
    text = _APOSTROPHE_S.sub(r"\1", text)
    text = text.replace("'", "")
    text = _NON_WORD.sub(" ", text)
    text = _UNDERSCORE.sub(" ", text)
    return collapse_whitespace(text)
