"""Checking a quote against its document, and finding the passage an approximate quote means.

A quote occurs in a document when it does with whitespace, quote marks
(curly or straight) and case normalised: a rep pasting from a PDF gets line
breaks and straight quotes where the document has spaces and curly ones.

>>> quote_occurs("PCS  says \\"no\\"", "In short, pcs says “no”.")
True
>>> closest_passage("pcs sayz no", "In short, PCS says no.").text
'PCS says no.'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

_QUOTE_MARKS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "`": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
}
_QUOTE_TABLE = str.maketrans(_QUOTE_MARKS)
MAX_WINDOW_WORDS = 12
"""Quotes up to this many words are compared with every run of the document's words
(well under a second for a 5,000-word document); longer ones, mostly pasted, are
aligned character by character."""
_WORD_CHAR = re.compile(r"[\w'’%£$€-]")
_OPENING_MARKS = "“‘\"'([«"
_CLOSING_MARKS = "”’\"')]»"


@dataclass(frozen=True, slots=True)
class Passage:
    """Exact words of a document: ``text`` is ``document[start:end]``, whitespace collapsed.

    ``score`` is how close it is to the quote looked for (rapidfuzz, 0 to 100).
    """

    text: str
    start: int
    end: int
    score: float


@dataclass(frozen=True, slots=True)
class _Normalised:
    text: str
    origin: tuple[int, ...]
    """For each character of ``text``, the index in the original it came from."""


def _normalise(text: str) -> _Normalised:
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                origin.append(index)
            continue
        for folded in _QUOTE_MARKS.get(char, char).casefold():
            chars.append(folded)
            origin.append(index)
    if chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    return _Normalised("".join(chars), tuple(origin))


def normalise(text: str) -> str:
    """``text`` with whitespace runs as one space, quote marks straight, and case folded.

    The same text as ``_normalise`` gives, without its map back to the original,
    at a tenth of the cost: an import checks thousands of quotes.
    """
    return " ".join(text.translate(_QUOTE_TABLE).casefold().split())


def quote_occurs(quote: str, document: str) -> bool:
    """Whether ``quote`` occurs in ``document`` (whitespace, quote marks and case normalised)."""
    wanted = normalise(quote)
    return bool(wanted) and wanted in normalise(document)


def find_quote(quote: str, document: str) -> Passage | None:
    """Where ``quote`` occurs in ``document`` exactly (after normalising), or None."""
    wanted = normalise(quote)
    doc = _normalise(document)
    found = doc.text.find(wanted) if wanted else -1
    if found < 0:
        return None
    start, end = doc.origin[found], doc.origin[found + len(wanted) - 1] + 1
    return Passage(" ".join(document[start:end].split()), start, end, 100.0)


def closest_passage(quote: str, document: str) -> Passage | None:
    """The document's words closest to an approximate ``quote``, snapped to whole words.

    Returns the exact occurrence when there is one; None for an empty quote or document.
    """
    exact = find_quote(quote, document)
    if exact is not None:
        return exact
    wanted = normalise(quote)
    doc = _normalise(document)
    if not wanted or not doc.text:
        return None
    words = wanted.split()
    if len(words) <= MAX_WINDOW_WORDS:
        return _best_window(words, document)
    alignment = fuzz.partial_ratio_alignment(wanted, doc.text)
    if alignment is None or alignment.dest_end <= alignment.dest_start:
        return None
    start = doc.origin[alignment.dest_start]
    end = doc.origin[alignment.dest_end - 1] + 1
    start, end = _snap(document, start, end, _trimmed_after(wanted))
    return Passage(" ".join(document[start:end].split()), start, end, alignment.score)


def _best_window(words: list[str], document: str) -> Passage | None:
    """The run of the document's words most like ``words``: any order of the same words
    scores high (token set), the same order and length higher (plain ratio)."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", document)]
    if not spans:
        return None
    folded = [normalise(document[start:end]) for start, end in spans]
    quote = " ".join(words)
    windows: dict[str, tuple[int, int]] = {}
    for size in range(max(1, len(words) - 2), 2 * len(words) + 3):
        for first in range(max(1, len(spans) - size + 1)):
            last = min(first + size, len(spans)) - 1
            windows.setdefault(" ".join(folded[first : last + 1]), (first, last))
    best = process.extractOne(quote, list(windows), scorer=_window_score)
    if best is None:
        return None
    first, last = windows[best[0]]
    start, end = _snap(document, spans[first][0], spans[last][1], _trimmed_after(quote))
    return Passage(" ".join(document[start:end].split()), start, end, float(best[1]))


def _trimmed_after(quote: str) -> str:
    """The punctuation a passage found for ``quote`` loses at its end: none that the quote keeps."""
    return "" if quote.endswith((",", ";", ":")) else ",;:"


def _window_score(quote: str, window: str, **_: object) -> float:
    return 0.6 * fuzz.token_set_ratio(quote, window) + 0.4 * fuzz.ratio(quote, window)


def _snap(document: str, start: int, end: int, trimmed: str = ",;:") -> tuple[int, int]:
    """Widen ``document[start:end]`` to whole words and the quote marks or brackets
    around them; trim whitespace and the ``trimmed`` punctuation at its end."""
    while start > 0 and _WORD_CHAR.match(document[start - 1]) and _WORD_CHAR.match(document[start]):
        start -= 1
    while (
        end < len(document)
        and _WORD_CHAR.match(document[end])
        and _WORD_CHAR.match(document[end - 1])
    ):
        end += 1
    if start > 0 and document[start - 1] in _OPENING_MARKS:
        start -= 1  # a quote mark or bracket belongs with the word it opens
    if end < len(document) and document[end] in _CLOSING_MARKS:
        end += 1
    while start < end and document[start].isspace():
        start += 1
    while end > start and (document[end - 1].isspace() or document[end - 1] in trimmed):
        end -= 1
    return start, end


def paragraph_around(passage: Passage, document: str) -> tuple[str, str, str]:
    """The paragraph holding ``passage``, as (before, the passage, after), whitespace collapsed.

    A paragraph ends at a blank line; a very long one is cut to about 600
    characters either side of the passage.
    """
    blank = re.compile(r"\n\s*\n")
    starts = [match.end() for match in blank.finditer(document, 0, passage.start)]
    begin = max(starts[-1] if starts else 0, passage.start - 600)
    following = blank.search(document, passage.end)
    finish = min(following.start() if following else len(document), passage.end + 600)
    return (
        " ".join(document[begin : passage.start].split()),
        passage.text,
        " ".join(document[passage.end : finish].split()),
    )
