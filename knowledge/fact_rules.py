"""The rules every stored fact keeps: the limits on its parts, and which taught
wordings are new to it.

>>> new_wordings(["Who owns SSCL?"], ["who owns sscl", "Who runs <@123> SSCL?"])
['Who runs SSCL?']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process

from knowledge.errors import InvalidFact
from knowledge.models import ExampleQuestion, Fact
from knowledge.text import MENTION_OR_MARKUP, clean

MAX_ANSWER_CHARS = 1_000
MAX_QUOTE_CHARS = 1_000
MAX_QUESTION_CHARS = 300
MAX_QUESTIONS = 300
SAME_WORDING_SCORE = 95.0
"""rapidfuzz ratio of two cleaned questions at or above which a taught wording is a repeat."""


def new_wordings(known: Sequence[str], texts: Iterable[str]) -> list[str]:
    """The texts, cleaned of mentions and markup, that are not repeats of ``known``."""
    seen = [clean(text) for text in known]
    fresh: list[str] = []
    for text in texts:
        wording = " ".join(MENTION_OR_MARKUP.sub(" ", text).split())
        if not wording or len(wording) > MAX_QUESTION_CHARS:
            continue
        cleaned = clean(wording)
        if process.extractOne(cleaned, seen, scorer=fuzz.ratio, score_cutoff=SAME_WORDING_SCORE):
            continue
        seen.append(cleaned)
        fresh.append(wording)
    return fresh


def checked(fact: Fact) -> Fact:
    """Return ``fact`` trimmed, or raise ``InvalidFact`` saying what is wrong."""
    answer, quote = fact.answer.strip(), fact.quote.strip()
    questions = tuple(
        ExampleQuestion(" ".join(q.text.split()), q.origin)
        for q in fact.questions
        if q.text.strip()
    )
    if not answer:
        raise InvalidFact("a fact needs an answer")
    if len(answer) > MAX_ANSWER_CHARS:
        raise InvalidFact(f"the answer is too long (at most {MAX_ANSWER_CHARS} characters)")
    if len(quote) > MAX_QUOTE_CHARS:
        raise InvalidFact(f"the quote is too long (at most {MAX_QUOTE_CHARS} characters)")
    if not questions:
        raise InvalidFact("a fact needs at least one example question")
    if len(questions) > MAX_QUESTIONS:
        raise InvalidFact(f"a fact can have at most {MAX_QUESTIONS} example questions")
    if any(len(q.text) > MAX_QUESTION_CHARS for q in questions):
        raise InvalidFact(f"an example question is too long (at most {MAX_QUESTION_CHARS})")
    return Fact(
        id=fact.id,
        answer=answer,
        source_key=fact.source_key,
        quote=quote,
        questions=questions,
        keywords=tuple(k.strip() for k in fact.keywords if k.strip()),
    )
