"""Cut a source's text into passages a member can read: paragraphs, and long
paragraphs into groups of whole sentences.

A passage is always a slice of the source's text (``text[start:end]``), never
rewritten, so that what the bot shows is what the document says. Paragraphs
that are not prose (a heading, a table flattened to lines of numbers, a
navigation line) are skipped: they answer nothing on their own. Their
paragraph numbers are still counted, so a passage's position is the document's.

>>> [p.text for p in split_passages("k", "Title\\n\\nSSCL is owned by Steria and the government.")]
['SSCL is owned by Steria and the government.']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_PASSAGE_CHARS = 600
"""A passage is at most this long: a Discord embed field holds 1,024 characters,
and the analyser reads only the first 2,000 of a text."""
MIN_PROSE_WORDS = 6
"""Fewer words with letters than this is a heading or a label, not a passage."""
MIN_PROSE_SHARE = 0.6
"""Below this share of words with letters, a paragraph is a table or a list of figures."""

_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*|\u2029\s*")
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*(\s+)")
_WORD = re.compile(r"\S+")
_HAS_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class Passage:
    """A verbatim excerpt of one source: ``text == source_text[start:end]``."""

    source_key: str
    text: str
    paragraph: int
    """The paragraph's number in the source, from 0 (blank-line separated)."""
    start: int
    """The excerpt's character offset in the source's text."""

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def split_passages(source_key: str, text: str) -> list[Passage]:
    """The source's readable passages, in document order (none for an empty text)."""
    passages = []
    for number, (start, end) in enumerate(_paragraphs(text)):
        if not is_prose(text[start:end]):
            continue
        for piece_start, piece_end in _pieces(text, start, end):
            passages.append(Passage(source_key, text[piece_start:piece_end], number, piece_start))
    return passages


def leading_sentences(text: str, limit: int) -> str:
    """The longest start of ``text`` of at most ``limit`` characters that ends a
    sentence (else a word): still the document's words, for a quote of bounded length.

    >>> leading_sentences("One two. Three four. Five.", 21)
    'One two. Three four.'
    """
    if len(text) <= limit:
        return text
    ends = [end for _, end in _sentences(text, 0, len(text)) if end <= limit]
    if ends:
        return text[: ends[-1]]
    return text[: _word_boundary(text, 0, limit)].rstrip()


def is_prose(text: str) -> bool:
    """Enough words with letters, and mostly such words."""
    words = _WORD.findall(text)
    prose = sum(1 for word in words if _HAS_LETTER.search(word))
    return prose >= MIN_PROSE_WORDS and prose >= MIN_PROSE_SHARE * len(words)


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Each paragraph's (start, end), whitespace at its edges left out."""
    start = 0
    for gap in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = len(text) if gap is None else gap.start()
        yield from _trimmed(text, start, end)
        if gap is not None:
            start = gap.end()


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        yield start, end


def _pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The paragraph whole when it is short enough, else runs of whole sentences
    up to ``MAX_PASSAGE_CHARS``; a sentence longer than that is cut between words."""
    if end - start <= MAX_PASSAGE_CHARS:
        yield start, end
        return
    piece_start = piece_end = start
    for sentence_start, sentence_end in _sentences(text, start, end):
        if sentence_end - piece_start <= MAX_PASSAGE_CHARS:
            piece_end = sentence_end
            continue
        if piece_end > piece_start:
            yield piece_start, piece_end
        piece_start = sentence_start
        while sentence_end - piece_start > MAX_PASSAGE_CHARS:
            cut = _word_boundary(text, piece_start, piece_start + MAX_PASSAGE_CHARS)
            yield from _trimmed(text, piece_start, cut)
            piece_start = cut
            while piece_start < sentence_end and text[piece_start].isspace():
                piece_start += 1
        piece_end = sentence_end
    if piece_end > piece_start:
        yield piece_start, piece_end


def _sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    sentence_start = start
    for boundary in _SENTENCE_END.finditer(text, start, end):
        yield from _trimmed(text, sentence_start, boundary.start(1))
        sentence_start = boundary.end(1)
    yield from _trimmed(text, sentence_start, end)


def _word_boundary(text: str, start: int, limit: int) -> int:
    """The last whitespace before ``limit`` (after ``start``), or ``limit`` itself
    when a "word" is longer than a passage."""
    cut = max(text.rfind(" ", start, limit), text.rfind("\n", start, limit))
    return cut if cut > start else limit
