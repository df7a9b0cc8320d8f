"""The knowledge base as the bot and the command line use it.

>>> kb = KnowledgeBase.open(":memory:")
>>> reply = kb.ask("who owns sscl", place="console")
>>> reply.match.outcome, reply.source.key if reply.source else None
(<Outcome.ANSWER: 'answer'>, 'steria-article-2013')
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils
from rapidfuzz import fuzz, process

from knowledge.conversation import classify
from knowledge.curated import load_curated, source_texts
from knowledge.database import open_database
from knowledge.errors import InvalidQuestion, InvalidSource, StorageUnavailable
from knowledge.events import QuestionEvents
from knowledge.index_cache import cache_path, matcher_for
from knowledge.models import (
    Candidate,
    ConversationKind,
    Fact,
    Match,
    Outcome,
    ProposalStatus,
    QuestionOrigin,
    Source,
    Stats,
    Unanswered,
)
from knowledge.proposals import ProposalQueue
from knowledge.quotes import Passage, closest_passage, find_quote, paragraph_around
from knowledge.store import FactStore
from knowledge.text import clean
from knowledge.unanswered import UnansweredLog

log = logging.getLogger(__name__)

SEARCH_CUTOFF = 60.0
"""rapidfuzz token-set ratio below which a fact does not match a search: 100 means
every word of the query is in the fact; 60 keeps most-words matches."""


@dataclass(frozen=True, slots=True)
class Reply:
    """What the knowledge base says to one question.

    ``fact`` and ``source`` are set for an answer; ``suggestions`` for a
    "did you mean"; ``logged`` is the unanswered-log entry when the question
    was logged for reps (it stays ``None`` if the log could not be written);
    ``conversation`` is the kind of small talk when the message was not a
    question (``Outcome.CONVERSATION``; see ``knowledge.conversation.friendly_reply``).
    """

    question: str
    match: Match
    fact: Fact | None = None
    source: Source | None = None
    suggestions: tuple[Fact, ...] = ()
    logged: Unanswered | None = None
    conversation: ConversationKind | None = None

    @property
    def answered(self) -> bool:
        return self.match.outcome is Outcome.ANSWER


@dataclass(frozen=True, slots=True)
class QuotedParagraph:
    """The paragraph of a fact's source around its quote, for a member to read."""

    fact: Fact
    source: Source
    before: str
    quote: str
    """The document's exact words matching the fact's quote."""
    after: str


class KnowledgeBase:
    """Store, matcher and unanswered log, kept in step with each other."""

    def __init__(self, db: sqlite_utils.Database, *, index_cache: Path | None = None) -> None:
        """``index_cache``: where the matcher's built index is saved and loaded from
        (``knowledge.index_cache``); without it the index is built every time.
        Either way it is built from a stream of the stored facts, never all held at once."""
        self.db = db
        self.facts = FactStore(db)
        self.unanswered = UnansweredLog(db)
        self.events = QuestionEvents(db)
        self.proposals = ProposalQueue(db)
        self._matcher = matcher_for(db, index_cache)

    @classmethod
    def open(
        cls, path: Path | str, *, with_curated: bool = True, sources_dir: Path | None = None
    ) -> KnowledgeBase:
        """Open the database at ``path``, creating it and (unless told not to, as
        before an import) loading the curated facts that are new or changed.

        The curated sources' documents are read from ``sources_dir`` (the
        ``SOURCES_DIR`` setting); a source whose text is new or changed has its
        facts' quotes checked again, and those no longer found are logged (see
        ``facts_with_missing_quotes``). A database that cannot be written (disk
        full, read-only file) still opens, with the facts it has, so that the
        bot keeps answering. The matcher's index is loaded from beside the
        database when it was saved there for these facts and this code.
        """
        db = open_database(path)
        if with_curated:
            curated = load_curated()
            try:
                report = FactStore(db).load_curated(
                    curated, source_texts(curated.sources.values(), sources_dir)
                )
            except StorageUnavailable as error:
                log.error("answering from the facts already stored: %s", error)
            else:
                if report.added or report.updated:
                    log.info("curated facts: %d added, %d updated", report.added, report.updated)
                if report.changed_texts:
                    log.info("new or changed source texts: %s", ", ".join(report.changed_texts))
        base = cls(db, index_cache=cache_path(path))
        if with_curated:
            for fact in base.facts_with_missing_quotes():
                log.warning("fact %d: its quote is not in source %s", fact.id, fact.source_key)
        return base

    def facts_with_missing_quotes(self) -> list[Fact]:
        """Facts whose quote no longer occurs in their source's text, for reps to fix.

        They keep answering; nothing is deleted.
        """
        return self.facts.facts_with_missing_quotes()

    def add_source(self, source: Source, text: str, *, actor: str) -> Source:
        """Register a new document as a source; see ``FactStore.add_source``."""
        return self.facts.add_source(source, text, actor=actor)

    def set_source_text(self, key: str, text: str, *, actor: str) -> list[Fact]:
        """Replace a source's text; returns the facts whose quote is no longer in it."""
        self.facts.set_source_text(key, text, actor=actor)
        return [fact for fact in self.facts_with_missing_quotes() if fact.source_key == key]

    def paragraph(self, fact_id: int) -> QuotedParagraph | None:
        """The paragraph around fact ``fact_id``'s quote in its source's text; None when
        the source has no text or the quote is not in it. Raises ``FactNotFound``."""
        fact = self.facts.fact(fact_id)
        text = self.facts.source_text(fact.source_key)
        passage = find_quote(fact.quote, text) if text and fact.quote.strip() else None
        if passage is None:
            return None
        before, quote, after = paragraph_around(passage, text)
        return QuotedParagraph(fact, self.facts.source(fact.source_key), before, quote, after)

    def quote_passage(self, key: str, approximate: str) -> Passage:
        """The exact passage of source ``key`` closest to ``approximate`` words.

        Raises ``SourceNotFound``, or ``InvalidSource`` when the source has no text.
        """
        text = self.facts.source_text(key)
        if not text:
            raise InvalidSource(f"source {key!r} has no text to quote from")
        passage = closest_passage(approximate, text)
        if passage is None:
            raise InvalidQuestion("give some words to look for")
        return passage

    def ask(self, question: str, *, place: str) -> Reply:
        """Answer, suggest, or log ``question`` for reps; or recognise small talk.

        Raises ``InvalidQuestion`` for empty text. A database that cannot be
        written does not stop the answer: the reply is returned unlogged.
        """
        if not question.strip():
            raise InvalidQuestion("Please type a question.")
        kind = classify(question)
        if kind is not None:
            # "hello" or "thanks" is no question: reps need not see it, nor count it as asked.
            return Reply(question, Match(Outcome.CONVERSATION, score=0.0), conversation=kind)
        match = self._match(question)
        self._count(match)
        if match.outcome is Outcome.ANSWER:
            assert match.fact_id is not None
            fact = self.facts.fact(match.fact_id)
            return Reply(question, match, fact=fact, source=self.facts.source(fact.source_key))
        logged = self._log(question, place, match)
        if match.outcome is Outcome.SUGGESTIONS:
            # Logged too: a member may find nothing in "did you mean" and say nothing,
            # and reps must still see what members ask about.
            return dataclasses.replace(self._suggest(question, match), logged=logged)
        return Reply(question, match, logged=logged)

    def reject(self, question: str, fact_id: int, *, place: str) -> Reply:
        """A member said fact ``fact_id`` is "not what I asked".

        The question is logged for reps with that fact, the fact is not given
        for this wording again until a rep resolves it, and the member gets
        suggestions from the other facts or the logged-for-a-rep reply.
        """
        logged = self.unanswered.record(
            question, place=place, best_score=0.0, nearest_fact_id=fact_id, rejected_fact_id=fact_id
        )
        match = self._matcher.match(question, excluded_fact_ids={fact_id})
        if match.outcome is Outcome.ANSWER:
            assert match.fact_id is not None
            match = Match(
                Outcome.SUGGESTIONS,
                score=match.score,
                suggestions=(Candidate(match.fact_id, match.score),),
                nearest_fact_id=match.fact_id,
            )
        if match.outcome is Outcome.SUGGESTIONS:
            return dataclasses.replace(self._suggest(question, match), logged=logged)
        return Reply(question, match, logged=logged)

    def none_of_these(self, question: str, *, place: str) -> Unanswered | None:
        """A member said none of the "did you mean" facts is what they asked.

        Returns the question's entry in the log for reps: the one asking it
        opened (not counted twice), or a new one when that is closed or was
        never written; None when the database cannot be written. The
        suggestions stay available to others.
        """
        return self.unanswered.open_entry(question) or self._log(
            question, place, self._match(question)
        )

    def search(self, query: str, *, limit: int = 5) -> list[Fact]:
        """Up to ``limit`` facts for ``query``, best first; nothing is logged or counted.

        For browsing (a rep looking for a fact id): the matcher's answer or
        suggestions come first, then the facts whose answer, keywords and
        example questions share the most words with the query. Raises
        ``InvalidQuestion`` for empty text.
        """
        if not query.strip():
            raise InvalidQuestion("Please type something to search for.")
        match = self._matcher.match(query)
        found = [match.fact_id] if match.fact_id is not None else []
        found += [candidate.fact_id for candidate in match.suggestions]
        texts = {
            fact.id: clean(" ".join((fact.answer, *fact.keywords, *fact.question_texts)))
            for fact in self.facts.facts()
        }
        similar = process.extract(
            clean(query), texts, scorer=fuzz.token_set_ratio, limit=None, score_cutoff=SEARCH_CUTOFF
        )
        found += [fact_id for _, _, fact_id in similar]
        return [self.facts.fact(fact_id) for fact_id in dict.fromkeys(found)][:limit]

    def choose(self, question: str, fact_id: int) -> Fact:
        """A member picked fact ``fact_id`` from "did you mean" for ``question``.

        Returns the fact to show; the pair is only proposed for reps to review.
        """
        fact = self.facts.fact(fact_id)
        try:
            self.proposals.propose(question, fact_id)
        except StorageUnavailable as error:
            log.warning("could not keep a proposed example question: %s", error)
        return fact

    def approve_proposal(self, proposal_id: int, *, actor: str) -> Fact:
        """Make a proposed wording an example question of its fact, answerable at once."""
        proposal = self.proposals.pending_one(proposal_id)
        fact = self.facts.add_questions(
            proposal.fact_id, [proposal.text], QuestionOrigin.LEARNED, actor
        )
        self.proposals.close(proposal_id, ProposalStatus.APPROVED, actor=actor)
        self._matcher.upsert(fact)
        return fact

    def reject_proposal(self, proposal_id: int, *, actor: str) -> None:
        self.proposals.close(proposal_id, ProposalStatus.REJECTED, actor=actor)

    def stats(self, days: int) -> Stats:
        return self.events.stats(days)

    def purge_notify_requests(self, retention_days: int) -> int:
        """Forget members' notify requests older than the retention period."""
        cutoff = datetime.now(UTC) - timedelta(days=retention_days)
        return self.unanswered.purge_notify_requests(cutoff.isoformat(timespec="seconds"))

    def add_fact(
        self,
        *,
        answer: str,
        source_key: str,
        quote: str,
        questions: Sequence[str],
        keywords: Sequence[str] = (),
        actor: str,
    ) -> Fact:
        fact = self.facts.add_fact(
            answer=answer,
            source_key=source_key,
            quote=quote,
            questions=questions,
            keywords=keywords,
            actor=actor,
        )
        self._matcher.upsert(fact)
        return fact

    def add_fact_with_note(
        self,
        note: Source,
        *,
        answer: str,
        quote: str,
        questions: Sequence[str],
        keywords: Sequence[str] = (),
        actor: str,
    ) -> Fact:
        """Add a fact citing ``note``, a new source without text (a rep's own note),
        the note and the fact in one transaction: a refused fact leaves no note.
        See ``FactStore.add_fact_with_note``."""
        fact = self.facts.add_fact_with_note(
            note, answer=answer, quote=quote, questions=questions, keywords=keywords, actor=actor
        )
        self._matcher.upsert(fact)
        return fact

    def edit_fact(
        self,
        fact_id: int,
        *,
        actor: str,
        answer: str | None = None,
        source_key: str | None = None,
        quote: str | None = None,
        questions: Sequence[str] | None = None,
        keywords: Sequence[str] | None = None,
    ) -> Fact:
        fact = self.facts.edit_fact(
            fact_id,
            actor=actor,
            answer=answer,
            source_key=source_key,
            quote=quote,
            questions=questions,
            keywords=keywords,
        )
        self._matcher.upsert(fact)
        return fact

    def remove_fact(self, fact_id: int, *, actor: str) -> Fact:
        fact = self.facts.remove_fact(fact_id, actor=actor)
        self._matcher.remove(fact_id)
        return fact

    def resolve(self, entry_id: int, fact_id: int, *, actor: str, teach: bool = True) -> Unanswered:
        """Close an unanswered question with a fact; by default its wordings teach that fact."""
        entry = self.unanswered.resolve(entry_id, fact_id, actor=actor)
        if teach:
            fact = self.facts.add_questions(
                fact_id, self.unanswered.texts(entry_id), QuestionOrigin.LEARNED, actor
            )
            self._matcher.upsert(fact)
        return entry

    def dismiss(self, entry_id: int, *, actor: str) -> Unanswered:
        """Close an unanswered question that needs no answer, forgetting in the same
        transaction who asked to be notified of it. Raises ``UnansweredNotFound``
        for an unknown or already closed question, and then changes nothing."""
        return self.unanswered.dismiss(entry_id, actor=actor)

    def _match(self, question: str) -> Match:
        """The matcher's decision, leaving out the facts members said are "not what I
        asked" for this wording until a rep resolves it."""
        return self._matcher.match(
            question, excluded_fact_ids=self.unanswered.rejected_fact_ids(question)
        )

    def _suggest(self, question: str, match: Match) -> Reply:
        facts = tuple(self.facts.fact(candidate.fact_id) for candidate in match.suggestions)
        return Reply(question, match, suggestions=facts)

    def _count(self, match: Match) -> None:
        try:
            self.events.record(match.outcome, match.fact_id)
        except StorageUnavailable as error:
            log.warning("could not count a question: %s", error)

    def _log(self, question: str, place: str, match: Match) -> Unanswered | None:
        try:
            return self.unanswered.record(
                question, place=place, best_score=match.score, nearest_fact_id=match.nearest_fact_id
            )
        except StorageUnavailable:
            log.exception("could not log an unanswered question")
            return None
