"""Merge a file's facts into a live knowledge base: plan every row, then apply all of them.

``plan`` decides for each row (``knowledge.fact_rows``) whether it is a new
fact, a change to a stored one, the same as one, or refused, with the reason
and message ``KnowledgeBase.add_fact`` would give; ``apply`` writes what was
planned. ``KnowledgeBase.merge_facts`` runs both in one transaction, and
applies nothing when any row is refused.

A row matches the stored fact citing the same source with the same quote
(whitespace, quote marks and case ignored, as quotes are checked); failing
that, the stored fact with the same answer (whitespace and case ignored). So
a spreadsheet can correct a fact's answer (same quote) or its quote (same
answer), and importing it twice changes nothing the second time. A matched
fact takes the row's answer, source and quote and gains the row's new
example questions and keywords: a merge never drops what reps and members
taught a fact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from knowledge.errors import InvalidFact, QuoteNotInSource, SourceNotFound
from knowledge.fact_rules import checked, new_wordings
from knowledge.facts import FactStore
from knowledge.models import (
    ExampleQuestion,
    Fact,
    FactRow,
    ImportLine,
    ImportOutcome,
    QuestionOrigin,
)
from knowledge.quotes import normalise
from knowledge.sources import SourceStore


@dataclass(frozen=True, slots=True)
class Planned:
    """One row's outcome and, unless refused, the fact as it would be stored (a new
    fact's id is 0 until it is added) with the stored fact it changes."""

    line: ImportLine
    fact: Fact | None = None
    before: Fact | None = None


def plan(rows: Iterable[FactRow], facts: FactStore, sources: SourceStore) -> list[Planned]:
    """What importing ``rows`` would do, row by row; nothing is written.
    Read inside one transaction, so that every row is checked against one snapshot."""
    planner = _Planner(facts, sources)
    return [planner.plan(row) for row in rows]


def apply(
    planned: Sequence[Planned], facts: FactStore, *, actor: str
) -> tuple[list[ImportLine], list[Fact]]:
    """Write the new and changed facts of ``planned`` (none refused), recorded in their
    history as done by ``actor``. Returns every row's line, with new facts' ids, and
    the facts written."""
    new = [p.fact for p in planned if p.line.outcome is ImportOutcome.NEW and p.fact]
    changed = [
        (p.before, p.fact)
        for p in planned
        if p.line.outcome is ImportOutcome.CHANGED and p.before and p.fact
    ]
    added = iter(facts.store_imported(new, changed, actor=actor))
    lines, written = [], [after for _, after in changed]
    for item in planned:
        if item.line.outcome is ImportOutcome.NEW:
            fact = next(added)
            written.append(fact)
            lines.append(replace(item.line, fact_id=fact.id))
        else:
            lines.append(item.line)
    return lines, written


class _Planner:
    """Plans rows one after another, remembering what earlier rows of the file claimed.

    Holds the stored facts' match keys and ids, not the facts, and each cited
    source's normalised text once, so 10,000 rows cost 10,000 lookups."""

    def __init__(self, facts: FactStore, sources: SourceStore) -> None:
        self._facts = facts
        self._sources = sources
        self._by_quote: dict[tuple[str, str], int] = {}
        self._by_answer: dict[str, int] = {}
        for fact in facts.iter_facts():
            if fact.quote.strip():
                self._by_quote.setdefault((fact.source_key, normalise(fact.quote)), fact.id)
            self._by_answer.setdefault(normalise(fact.answer), fact.id)
        known = sources.sources()
        self._keys = {source.key for source in known}
        self._titles: dict[str, list[str]] = {}
        for source in known:
            self._titles.setdefault(normalise(source.title), []).append(source.key)
        self._texts: dict[str, str] = {}
        self._claimed: dict[tuple[str, ...], str] = {}
        """Each earlier row's match keys, and where in the file it is."""
        self._targets: dict[int, str] = {}
        """Stored facts matched by an earlier row, and where in the file it is."""

    def plan(self, row: FactRow) -> Planned:
        try:
            return self._plan(row)
        except QuoteNotInSource as error:
            refused = ImportLine(row.where, ImportOutcome.REFUSED, None, str(error), error.passage)
            return Planned(refused)
        except (InvalidFact, SourceNotFound) as error:
            return Planned(ImportLine(row.where, ImportOutcome.REFUSED, reason=str(error)))

    def _plan(self, row: FactRow) -> Planned:
        if row.problem:
            raise InvalidFact(row.problem)
        key = self._source_key(row.source)
        self._check_quote(key, row.quote)
        fact = Fact(
            id=0,
            answer=row.answer,
            source_key=key,
            quote=row.quote,
            questions=tuple(ExampleQuestion(q, QuestionOrigin.REP) for q in row.questions),
            keywords=row.keywords,
        )
        stored_id = self._claim(row.where, fact)
        if stored_id is None:
            return Planned(ImportLine(row.where, ImportOutcome.NEW), checked(fact))
        before = self._facts.fact(stored_id)
        # A row may leave out a stored fact's questions, as `facts edit` may.
        row_fact = checked(replace(fact, questions=fact.questions or before.questions))
        after = _merged(before, row_fact)
        outcome = ImportOutcome.UNCHANGED if after == before else ImportOutcome.CHANGED
        return Planned(ImportLine(row.where, outcome, stored_id), after, before)

    def _claim(self, where: str, fact: Fact) -> int | None:
        """The stored fact the row at ``where`` matches, if any; raises ``InvalidFact``
        when an earlier row of the file has its quote or answer, or matched that fact."""
        quote_key = ("quote", fact.source_key, normalise(fact.quote))
        answer_key = ("answer", normalise(fact.answer))
        match_keys = [k for k in (quote_key, answer_key) if k[-1]]
        for match_key in match_keys:
            if match_key in self._claimed:
                raise InvalidFact(f"it repeats the {match_key[0]} of {self._claimed[match_key]}")
        self._claimed.update((match_key, where) for match_key in match_keys)
        stored_id = self._by_quote.get(quote_key[1:]) if quote_key[-1] else None
        if stored_id is None:
            stored_id = self._by_answer.get(answer_key[1])
        if stored_id is not None and stored_id in self._targets:
            raise InvalidFact(f"{self._targets[stored_id]} already matches fact {stored_id}")
        if stored_id is not None:
            self._targets[stored_id] = where
        return stored_id

    def _source_key(self, name: str) -> str:
        """The key of the source ``name`` names by its key or, failing that, its title."""
        if not name:
            raise InvalidFact("a fact needs a source (its key or its title)")
        if name in self._keys:
            return name
        keys = self._titles.get(normalise(name), [])
        if len(keys) > 1:
            raise SourceNotFound(f"{len(keys)} sources have that title; give a key: {keys}")
        return keys[0] if keys else self._sources.source(name).key

    def _check_quote(self, key: str, quote: str) -> None:
        """As ``add_fact`` checks a quote, with each source's text normalised only once."""
        if key not in self._texts:
            self._texts[key] = normalise(self._sources.source_text(key))
        text = self._texts[key]
        if text and quote.strip() and normalise(quote) not in text:
            self._sources.check_quote(key, quote)  # raises, naming the closest passage


def _merged(before: Fact, row: Fact) -> Fact:
    """Stored fact ``before`` with the row's answer, source and quote, and its
    example questions and keywords with the row's new ones added."""
    known_keywords = {keyword.casefold() for keyword in before.keywords}
    # Most rows of a file imported again repeat their questions word for word.
    fresh = [text for text in row.question_texts if text not in before.question_texts]
    return checked(
        Fact(
            id=before.id,
            answer=row.answer,
            source_key=row.source_key,
            quote=row.quote,
            questions=before.questions
            + tuple(
                ExampleQuestion(text, QuestionOrigin.REP)
                for text in (new_wordings(before.question_texts, fresh) if fresh else ())
            ),
            keywords=before.keywords
            + tuple(k for k in row.keywords if k.casefold() not in known_keywords),
        )
    )
