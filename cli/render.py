"""Plain-text and JSON renderings of the core's objects for the terminal."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from typing import Any

from knowledge import Reply
from knowledge.conversation import friendly_reply
from knowledge.models import (
    Fact,
    ImportLine,
    ImportOutcome,
    ImportSummary,
    Outcome,
    PassageOffer,
    Proposal,
    QuoteStatus,
    Source,
    Unanswered,
)

WIDTH = 88


def source_line(source: Source) -> str:
    dated = f"{source.title} ({source.date})" if source.date else source.title
    return f"Source: {dated}"


def reply_text(reply: Reply) -> str:
    """What ``run_bot.py ask`` prints for a reply."""
    if reply.conversation is not None:
        return _wrap(friendly_reply(reply.conversation))
    if reply.match.outcome is Outcome.ANSWER and reply.fact and reply.source:
        return "\n".join(
            [
                _wrap(reply.fact.answer),
                "",
                source_line(reply.source),
                _wrap(f"Quote: \u201c{reply.fact.quote}\u201d"),
                f"(fact {reply.fact.id}, confidence {reply.match.score:.0f})",
            ]
        )
    if reply.match.outcome is Outcome.SUGGESTIONS:
        lines = ["I'm not sure I understood. Did you mean one of these?"]
        lines += [
            _wrap(f"[fact {fact.id}] {fact.answer}", indent="  ") for fact in reply.suggestions
        ]
        return "\n".join(lines + _passage_lines(reply))
    logged = f" (question {reply.logged.id})" if reply.logged else ""
    return "\n".join(
        [f"I don't know yet, I've logged this for a rep{logged}.", *_passage_lines(reply)]
    )


def passage_heading(source: Source) -> str:
    """The label over an offered passage: never in the form of an answer."""
    return f"Not a checked answer \u2014 this is what {_cited(source)} says:"


def _passage_lines(reply: Reply) -> list[str]:
    lines: list[str] = []
    for passage in reply.passages:
        lines += ["", passage_heading(passage.source)]
        lines.append(_wrap(f"\u201c{passage.text}\u201d", indent="  "))
    return lines


def _cited(source: Source) -> str:
    details = ", ".join(part for part in (source.issuer, source.date) if part)
    return f"{source.title} ({details})" if details else source.title


def reply_json(reply: Reply, sources: dict[str, Source]) -> dict[str, Any]:
    """The one-line JSON object of ``run_bot.py ask --json``.

    ``outcome`` is answer, suggestions, unanswered or conversation; ``conversation``
    the kind of small talk (greeting, thanks…), else null; ``passages`` what
    registered documents say when no fact answers (verbatim, not checked answers);
    ``error`` null (see ``error_json``).
    """
    fact = reply.fact if reply.answered else None
    return {
        "question": reply.question,
        "error": None,
        "outcome": reply.match.outcome.value,
        "conversation": reply.conversation.value if reply.conversation else None,
        "answered": reply.answered,
        "fact_id": fact.id if fact else None,
        "answer": fact.answer if fact else None,
        "score": round(reply.match.score, 2),
        "sources": [_source_json(sources[fact.source_key], fact.quote)] if fact else [],
        "suggestions": [
            {"fact_id": candidate.id, "answer": candidate.answer, "score": round(score, 2)}
            for candidate, score in zip(
                reply.suggestions, (c.score for c in reply.match.suggestions), strict=True
            )
        ],
        "passages": [
            {"source": passage.source.key, "quote": passage.text, "score": round(passage.score, 2)}
            for passage in reply.passages
        ],
    }


def error_json(question: str, error: str) -> dict[str, Any]:
    """The JSON object for a line that is no question (blank): the same keys as
    ``reply_json``'s, nothing answered, and ``error`` saying why."""
    return {
        "question": question,
        "error": error,
        "outcome": None,
        "conversation": None,
        "answered": False,
        "fact_id": None,
        "answer": None,
        "score": 0.0,
        "sources": [],
        "suggestions": [],
        "passages": [],
    }


def fact_text(fact: Fact, source: Source) -> str:
    lines = [f"Fact {fact.id}", _wrap(fact.answer, indent="  "), source_line(source)]
    lines.append(_wrap(f"Quote: \u201c{fact.quote}\u201d"))
    if fact.keywords:
        lines.append("Keywords: " + ", ".join(fact.keywords))
    lines.append("Example questions:")
    lines += [f"  - {q.text}  [{q.origin.value}]" for q in fact.questions]
    return "\n".join(lines)


def quote_status_line(status: QuoteStatus) -> str:
    if status is QuoteStatus.VERIFIED:
        return "Quote: verified against the source's text"
    if status is QuoteStatus.NOT_VERIFIED:
        return "Quote: not verified (the source's text is not in the database)"
    return "Quote: NOT FOUND in the source's text; a rep should fix it"


def missing_quote_line(fact: Fact) -> str:
    return textwrap.shorten(f"{fact.id:>6}  [{fact.source_key}] \u201c{fact.quote}\u201d", WIDTH)


def source_list_line(source: Source) -> str:
    text = "text" if source.has_text else "no text"
    return textwrap.shorten(f"{source.key}  [{source.kind}, {text}] {source.title}", WIDTH)


def source_text(source: Source, characters: int, facts: list[Fact]) -> str:
    """What ``run_bot.py sources show`` prints for a source."""
    lines = [f"Source {source.key}", _wrap(source.title, indent="  ")]
    for label, value in (
        ("Kind", source.kind),
        ("Issued by", source.issuer),
        ("Date", source.date),
        ("Reference", source.reference),
        ("URL", source.url),
        ("File", source.file),
    ):
        if value:
            lines.append(f"{label}: {value}")
    if source.has_text:
        lines.append(f"Text: {characters:,} characters, sha256 {source.text_hash}")
    else:
        lines.append("Text: not in the database (its facts' quotes are not verified)")
    lines.append(f"Facts: {', '.join(str(fact.id) for fact in facts) or 'none'}")
    return "\n".join(lines)


def fact_line(fact: Fact) -> str:
    return textwrap.shorten(f"{fact.id:>6}  {fact.answer}", WIDTH)


def unanswered_line(entry: Unanswered) -> str:
    """One entry; "suggested" when its askers got only "did you mean" facts."""
    asked = f"asked {entry.count}x, last {entry.last_asked_at[:10]}"
    status = entry.status.value + (", suggested" if entry.suggested else "")
    return textwrap.shorten(f"{entry.id:>5}  [{status}] {asked}: {entry.text}", WIDTH)


def offered_line(offers: Sequence[PassageOffer]) -> str:
    """Under an unanswered question: the passages it was offered ("offered: <title> ¶<n>"),
    paragraphs counted from 1."""
    places = "; ".join(f"{offer.source_title} \u00b6{offer.paragraph + 1}" for offer in offers)
    return textwrap.shorten(f"       offered: {places}", WIDTH)


def proposal_line(proposal: Proposal) -> str:
    chosen = f"chosen {proposal.count}x for fact {proposal.fact_id}"
    return textwrap.shorten(f"{proposal.id:>5}  {chosen}: {proposal.text}", WIDTH)


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def _source_json(source: Source, quote: str) -> dict[str, str]:
    return {"title": source.title, "date": source.date, "quote": quote, "url": source.url}


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent or "  ")


def import_line(line: ImportLine) -> str:
    """One row of ``facts import --merge``'s summary."""
    if line.outcome is ImportOutcome.REFUSED:
        return f"{line.where}: refused: {line.reason}"
    if line.outcome is ImportOutcome.NEW:
        return f"{line.where}: new" + (f" fact {line.fact_id}" if line.fact_id else "")
    if line.outcome is ImportOutcome.CHANGED:
        return f"{line.where}: changes fact {line.fact_id}"
    return f"{line.where}: unchanged, the same as fact {line.fact_id}"


def import_counts(summary: ImportSummary) -> str:
    return ", ".join(f"{summary.count(outcome)} {outcome.value}" for outcome in ImportOutcome)
