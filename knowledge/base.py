"""The knowledge base: the one entrance to the core for the bot, the command line
and the benchmarks.

Each public method of ``KnowledgeBase`` is one thing a member or a rep can do,
in one transaction; the stores behind it (sources, facts, the unanswered
log, proposals, question counts) and the matcher are its private parts, so a
rule (privacy, history, quote checks) cannot differ by entrance.

Longer than our usual 400 lines on purpose: it is the whole list of what
members and reps can do, one short method each, and a reader should find any
of them here rather than in one of several modules.

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
from typing import Any

import sqlite_utils
from rapidfuzz import fuzz, process

from knowledge import archive, bulk_import
from knowledge.backups import BackupFolder
from knowledge.conversation import classify
from knowledge.curated import load_curated, source_texts
from knowledge.curated_sync import sync_curated
from knowledge.database import (
    backup,
    database_file,
    open_database,
    read_transaction,
    storage_health,
    write_transaction,
)
from knowledge.digests import DigestLog, timestamp
from knowledge.errors import (
    InvalidQuestion,
    InvalidSource,
    PassageGone,
    StorageUnavailable,
    UnansweredNotFound,
)
from knowledge.events import QuestionEvents
from knowledge.fact_rules import MAX_QUOTE_CHARS
from knowledge.facts import FactStore
from knowledge.index_cache import cache_path, matcher_for
from knowledge.models import (
    Candidate,
    ConversationKind,
    Digest,
    Fact,
    FactRow,
    HistoryEntry,
    ImportOutcome,
    ImportSummary,
    Match,
    NotifyRequest,
    Outcome,
    PassageOffer,
    Proposal,
    ProposalStatus,
    QuestionOrigin,
    QuoteStatus,
    Source,
    SourceHistoryEntry,
    Stats,
    StorageHealth,
    Unanswered,
    UnansweredStatus,
    WeekCounts,
)
from knowledge.offers import PassageOffers
from knowledge.paragraphs import leading_sentences
from knowledge.passage_cache import passage_index, passages_cache_path
from knowledge.passages import PassageHit, PassageIndex
from knowledge.proposals import ProposalQueue
from knowledge.quota import DailyQuota
from knowledge.quotes import Passage, closest_passage, find_quote, paragraph_around
from knowledge.sources import SourceStore
from knowledge.text import clean
from knowledge.unanswered import UnansweredLog

log = logging.getLogger(__name__)

DIGEST_FIRST_PERIOD = timedelta(weeks=1)
"""What the first digest covers, when no earlier one says where to start."""
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
    passages: tuple[OfferedPassage, ...] = ()
    """When no fact answers: what registered documents say that may (never a
    checked answer; the renderers must say so)."""

    @property
    def answered(self) -> bool:
        return self.match.outcome is Outcome.ANSWER


@dataclass(frozen=True, slots=True)
class OfferedPassage:
    """A verbatim excerpt of a registered document offered for a question no fact
    answers, with its source (title, issuer, date) and its 0-100 score."""

    source: Source
    text: str
    score: float
    offer_id: int | None = None
    """Set when the question was logged: a rep can make a fact of the passage
    (``passage_draft``, ``add_fact_from_passage``)."""


@dataclass(frozen=True, slots=True)
class PassageDraft:
    """A passage offered for an open question, for a rep to make a fact of.

    ``quote`` is the passage's words in its source's current text, cut at the
    end of a sentence to a quote's length; the wordings of ``entry`` become the
    fact's example questions and the fact resolves it.
    """

    offer_id: int
    entry: Unanswered
    source: Source
    quote: str


@dataclass(frozen=True, slots=True)
class QuotedParagraph:
    """The paragraph of a fact's source around its quote, for a member to read."""

    fact: Fact
    source: Source
    before: str
    quote: str
    """The document's exact words matching the fact's quote."""
    after: str


@dataclass(frozen=True, slots=True)
class Resolution:
    """A resolved question, the fact that answers it, and who asked to be told.

    The notify requests stay stored until each member is told
    (``KnowledgeBase.unsubscribe``) or the retention period passes.
    """

    entry: Unanswered
    fact: Fact
    source: Source
    notify: tuple[NotifyRequest, ...]


@dataclass(frozen=True, slots=True)
class Subscription:
    """What became of a member's "notify me" on question ``entry``.

    ``subscribed`` when the question was open and the member's id is now kept;
    ``fact`` and ``source`` are set when a rep has already answered it.
    """

    entry: Unanswered
    subscribed: bool
    fact: Fact | None = None
    source: Source | None = None


class KnowledgeBase:
    """Store, matcher and unanswered log, kept in step with each other.

    Reads that take several queries read one snapshot; changes are one write
    transaction each (nested store writes are savepoints of it), and the
    matcher learns of a changed fact only once the change is committed.
    """

    def __init__(
        self,
        db: sqlite_utils.Database,
        *,
        index_cache: Path | None = None,
        passages_cache: Path | None = None,
        quota: DailyQuota | None = None,
    ) -> None:
        """``index_cache``: where the matcher's built index is saved and loaded from
        (``knowledge.index_cache``); without it the index is built every time.
        Either way it is built from a stream of the stored facts, never all held at once.
        ``passages_cache``: the same for the passage index (``knowledge.passage_cache``).
        ``quota``: how many questions each member may have logged a day (``knowledge.quota``)."""
        self._db = db
        self._sources = SourceStore(db)
        self._facts = FactStore(db, self._sources)
        self._matcher = matcher_for(db, index_cache)
        self._unanswered = UnansweredLog(db, self._matcher.analyse)
        self._events = QuestionEvents(db)
        self._proposals = ProposalQueue(db)
        self._digests = DigestLog(db)
        self._offers = PassageOffers(db)
        self._passages: PassageIndex | None = None
        """Loaded or built at the first question no fact answers: building it reads
        the word frequencies, which a start from a saved matcher index never loads."""
        self._passages_cache = passages_cache
        self._quota = quota or DailyQuota()
        self._file = database_file(db)
        """Read once here: ``back_up_if_due`` runs beside other calls and must not use ``db``."""

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
        Raises ``StorageUnavailable`` when the database cannot be opened.
        """
        db = open_database(path)
        if with_curated:
            curated = load_curated()
            try:
                report = sync_curated(
                    db, curated, source_texts(curated.sources.values(), sources_dir)
                )
            except StorageUnavailable as error:
                log.error("answering from the facts already stored: %s", error)
            else:
                if report.added or report.updated:
                    log.info("curated facts: %d added, %d updated", report.added, report.updated)
                if report.changed_texts:
                    log.info("new or changed source texts: %s", ", ".join(report.changed_texts))
        base = cls(db, index_cache=cache_path(path), passages_cache=passages_cache_path(path))
        if with_curated:
            for fact in base.facts_with_missing_quotes():
                log.warning("fact %d: its quote is not in source %s", fact.id, fact.source_key)
        return base

    def close(self) -> None:
        """Close the database; the knowledge base is not used again."""
        self._db.close()

    def backup(self, target: Path | str) -> None:
        """Copy the database to the file ``target``, consistently, even while others
        write to it. Raises ``StorageUnavailable`` when the copy cannot be made."""
        backup(self._db, target)

    def back_up_if_due(self, folder: BackupFolder, *, now: datetime | None = None) -> Path | None:
        """Take the scheduled backup into ``folder`` if one is due (none there yet, or
        the newest about a day old), keeping its newest ``folder.keep``; returns the
        new backup, or None when none was due.

        It reads through a connection of its own, so unlike every other method it
        may run on another thread while they run. Raises ``StorageUnavailable``
        when the copy cannot be made (no partial file is left, and the failure is
        noted for ``knowledge.check_backup_dir``) or the database is in memory.
        """
        if self._file is None:
            raise StorageUnavailable("a database in memory has no file to back up")
        return folder.take_if_due(self._file, now or datetime.now(UTC))

    def storage_health(self) -> StorageHealth:
        """Whether the database has this code's schema and can be written; changes nothing."""
        return storage_health(self._db)

    # --- members: asking -------------------------------------------------------

    def ask(self, question: str, *, place: str, asker: str | None = None) -> Reply:
        """Answer, suggest, or log ``question`` for reps; or recognise small talk.

        ``asker`` is who asked (a member's id, or the console's key): each asker
        has at most ``quota.MAX_LOGGED_PER_DAY`` questions logged a day, counting
        repeats; None, for the benchmarks' own callers, is not capped. A question
        without a word the analyser keeps is never logged. Either way the member
        gets the same reply, unlogged. Raises ``InvalidQuestion`` for empty text.
        A database that cannot be written does not stop the answer: the reply is
        returned unlogged.
        """
        if not question.strip():
            raise InvalidQuestion("Please type a question.")
        kind = classify(question)
        if kind is not None:
            # "hello" or "thanks" is no question: reps need not see it, nor count it as asked.
            return Reply(question, Match(Outcome.CONVERSATION, score=0.0), conversation=kind)
        match = self._match(question)
        if match.outcome is Outcome.ANSWER:
            assert match.fact_id is not None
            self._record(match, question=None, place=place)
            fact = self._facts.fact(match.fact_id)
            return Reply(question, match, fact=fact, source=self._sources.source(fact.source_key))
        loggable = self._worth_logging(question, asker)
        hits = self._passage_hits(question)
        logged, offer_ids = self._record(
            match,
            question=question if loggable else None,
            place=place,
            suggested=match.outcome is Outcome.SUGGESTIONS,
            passages=hits,
        )
        passages = tuple(
            OfferedPassage(
                self._sources.source(hit.source_key),
                hit.text,
                hit.score,
                offer_ids[number] if offer_ids else None,
            )
            for number, hit in enumerate(hits)
        )
        if match.outcome is Outcome.SUGGESTIONS:
            # Logged too: a member may find nothing in "did you mean" and say nothing,
            # and reps must still see what members ask about.
            suggested = self._suggest(question, match)
            return dataclasses.replace(suggested, logged=logged, passages=passages)
        return Reply(question, match, logged=logged, passages=passages)

    def reject(self, question: str, fact_id: int, *, place: str) -> Reply:
        """A member said fact ``fact_id`` is "not what I asked".

        The question is logged for reps with that fact, the fact is not given
        for this wording again until a rep resolves it, and the member gets
        suggestions from the other facts or the logged-for-a-rep reply.
        Raises ``StorageUnavailable`` when the question cannot be logged.
        """
        logged = self._unanswered.record(
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

        Returns the question's entry in the log for reps, no longer marked as
        suggested: the one asking it opened (not counted twice), or a new one
        when that is closed or was never written; None when the database
        cannot be written or the question holds no word the analyser keeps (it
        is never logged). The suggestions stay available to others.
        """
        if not self._matcher.carries_content(question):
            return None
        return (
            self._unanswered.none_fits(question)
            or self._record(self._match(question), question=question, place=place, count=False)[0]
        )

    def choose(self, question: str, fact_id: int) -> Fact:
        """A member picked fact ``fact_id`` from "did you mean" for ``question``.

        Returns the fact to show. The question's entry in the log, while only
        suggested, is closed as answered by that fact; the pair is proposed for
        reps to review, which teaches the fact nothing until approved. Raises
        ``FactNotFound``.
        """
        fact = self._facts.fact(fact_id)
        try:
            with write_transaction(self._db):
                self._proposals.propose(question, fact_id)
                self._unanswered.chosen(question, fact_id)
        except StorageUnavailable as error:
            log.warning("could not keep a member's choice: %s", error)
        return fact

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
        with read_transaction(self._db):
            texts = {
                fact.id: clean(" ".join((fact.answer, *fact.keywords, *fact.question_texts)))
                for fact in self._facts.iter_facts()
            }
            similar = process.extract(
                clean(query),
                texts,
                scorer=fuzz.token_set_ratio,
                limit=None,
                score_cutoff=SEARCH_CUTOFF,
            )
            found += [fact_id for _, _, fact_id in similar]
            return [self._facts.fact(fact_id) for fact_id in dict.fromkeys(found)][:limit]

    # --- members: notify requests and privacy ----------------------------------

    def subscribe(self, entry_id: int, *, user_id: str, channel_id: str) -> Subscription:
        """A member asked to be told when question ``entry_id`` is answered.

        Their id (and the channel to tell them in when DMs are closed) is kept
        only while the question is open: a closed question will never notify
        anyone, so keeping the id would serve nothing. Returns what became of
        the request, with the answer when a rep has already given one. Raises
        ``UnansweredNotFound`` for an unknown question.
        """
        # Only an open question takes a write: the answer to a closed one can be
        # shown even when the database cannot be written.
        entry = self._unanswered.get(entry_id)
        subscribed = entry.status is UnansweredStatus.OPEN and (
            self._unanswered.request_notification(entry_id, user_id=user_id, channel_id=channel_id)
        )
        with read_transaction(self._db):
            entry = self._unanswered.get(entry_id)
            if entry.resolved_fact_id is None:
                return Subscription(entry, subscribed)
            fact = self._facts.fact(entry.resolved_fact_id)
            return Subscription(entry, subscribed, fact, self._sources.source(fact.source_key))

    def unsubscribe(self, request_id: int) -> None:
        """Forget notify request ``request_id``: the member has been told, so their
        id has no further use. An unknown request is no error."""
        self._unanswered.forget_request(request_id)

    def held_about(self, user_id: str) -> list[tuple[NotifyRequest, Unanswered]]:
        """Everything kept about member ``user_id`` (their notify requests, each with
        its question), for ``/privacy``."""
        with read_transaction(self._db):
            return [
                (request, self._unanswered.get(request.unanswered_id))
                for request in self._unanswered.held_about(user_id)
            ]

    def forget_member(self, user_id: str) -> int:
        """Delete everything kept about member ``user_id``; returns how many records went.
        Raises ``StorageUnavailable`` when the database cannot be written."""
        return self._unanswered.forget_member(user_id)

    def purge_notify_requests(self, retention_days: int) -> int:
        """Forget members' notify requests older than the retention period; returns
        how many went. Raises ``StorageUnavailable`` when the database cannot be written."""
        cutoff = datetime.now(UTC) - timedelta(days=retention_days)
        return self._unanswered.purge_notify_requests(cutoff.isoformat(timespec="seconds"))

    # --- reading facts and sources ---------------------------------------------

    def fact(self, fact_id: int) -> Fact:
        """The fact ``fact_id``; raises ``FactNotFound`` when it is absent or removed."""
        return self._facts.fact(fact_id)

    def facts(self, *, source_key: str | None = None) -> list[Fact]:
        """Every fact that has not been removed, by id; only those citing
        ``source_key`` when it is given."""
        return [
            fact
            for fact in self._facts.facts()
            if source_key is None or fact.source_key == source_key
        ]

    def count_facts(self) -> int:
        """How many facts answer (those not removed)."""
        return self._facts.count_facts()

    def fact_history(self, fact_id: int) -> list[HistoryEntry]:
        """Every change to fact ``fact_id``, oldest first (empty for an unknown id)."""
        return self._facts.history(fact_id)

    def quote_status(self, fact: Fact) -> QuoteStatus:
        """Whether ``fact``'s quote occurs in its source's text, or could not be checked.
        Raises ``SourceNotFound``."""
        return self._sources.quote_status(fact)

    def facts_with_missing_quotes(self) -> list[Fact]:
        """Facts whose quote no longer occurs in their source's text, for reps to fix.

        They keep answering; nothing is deleted.
        """
        return self._sources.missing_quotes(self._facts.iter_facts())

    def paragraph(self, fact_id: int) -> QuotedParagraph | None:
        """The paragraph around fact ``fact_id``'s quote in its source's text; None when
        the source has no text or the quote is not in it. Raises ``FactNotFound``."""
        with read_transaction(self._db):
            fact = self._facts.fact(fact_id)
            text = self._sources.source_text(fact.source_key)
            passage = find_quote(fact.quote, text) if text and fact.quote.strip() else None
            if passage is None:
                return None
            before, quote, after = paragraph_around(passage, text)
            return QuotedParagraph(
                fact, self._sources.source(fact.source_key), before, quote, after
            )

    def source(self, key: str) -> Source:
        """The source ``key``; raises ``SourceNotFound``."""
        return self._sources.source(key)

    def sources(self) -> list[Source]:
        """Every source, by key."""
        return self._sources.sources()

    def source_text(self, key: str) -> str:
        """The full text of source ``key``; empty when the database does not have it.
        Raises ``SourceNotFound``."""
        return self._sources.source_text(key)

    def source_history(self, key: str) -> list[SourceHistoryEntry]:
        """Every change to source ``key``, oldest first (empty for an unknown key)."""
        return self._sources.source_history(key)

    def quote_passage(self, key: str, approximate: str) -> Passage:
        """The exact passage of source ``key`` closest to ``approximate`` words.

        Raises ``SourceNotFound``, ``InvalidSource`` when the source has no text,
        or ``InvalidQuestion`` when ``approximate`` has no words to look for.
        """
        text = self._sources.source_text(key)
        if not text:
            raise InvalidSource(f"source {key!r} has no text to quote from")
        passage = closest_passage(approximate, text)
        if passage is None:
            raise InvalidQuestion("give some words to look for")
        return passage

    # --- reps: facts and sources -----------------------------------------------

    def add_fact(
        self,
        *,
        answer: str,
        quote: str,
        questions: Sequence[str],
        keywords: Sequence[str] = (),
        actor: str,
        source_key: str = "",
        note: Source | None = None,
    ) -> Fact:
        """Add a rep's fact citing source ``source_key``; it answers at once. Returns it.

        With ``note`` instead, the fact cites that source without text (a rep's
        own note), saved with the fact unless the very same source is stored
        already (a note given again): a refused fact leaves no note behind.
        Raises ``InvalidFact``, ``SourceNotFound``, ``QuoteNotInSource`` when the
        source has text and the quote is not in it, and ``InvalidSource`` for a
        note without key, title or kind, or with another source's key.
        """
        with write_transaction(self._db):
            if note is not None:
                self._sources.add_note(note, actor=actor)
                source_key = note.key
            fact = self._facts.add_fact(
                answer=answer,
                source_key=source_key,
                quote=quote,
                questions=questions,
                keywords=keywords,
                actor=actor,
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
        """Change the given parts of fact ``fact_id``; the rest stays. Returns the new fact.

        Raises ``FactNotFound``, ``InvalidFact``, ``SourceNotFound``, or
        ``QuoteNotInSource`` (with the closest passage).
        """
        fact = self._facts.edit_fact(
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
        """Stop fact ``fact_id`` answering; it and its history stay. Returns it as it
        was. Raises ``FactNotFound``."""
        fact = self._facts.remove_fact(fact_id, actor=actor)
        self._matcher.remove(fact_id)
        return fact

    def add_source(self, source: Source, text: str, *, actor: str) -> Source:
        """Register a new document with its full text; returns it with its key and hash.

        Raises ``InvalidSource`` for a bad title or a taken key,
        ``DuplicateSource`` when the same text is already a source.
        """
        added = self._sources.add_source(source, text, actor=actor)
        if self._passages is not None:
            self._passages.update(added.key, text)
        return added

    def set_source_text(self, key: str, text: str, *, actor: str) -> list[Fact]:
        """Replace a source's text; returns the facts whose quote is no longer in it.
        Raises ``SourceNotFound``."""
        with write_transaction(self._db):
            self._sources.set_source_text(key, text, actor=actor)
            missing = [fact for fact in self.facts_with_missing_quotes() if fact.source_key == key]
        if self._passages is not None:
            self._passages.update(key, text)
        return missing

    def export(self) -> dict[str, Any]:
        """Every fact, source and history entry, as plain JSON-able data for ``import_``."""
        with read_transaction(self._db):
            return archive.export(self._sources, self._facts)

    def import_(self, data: dict[str, Any]) -> int:
        """Load an ``export()`` into a database that has no facts yet; returns the fact
        count. Raises ``InvalidFact`` when the data is not an export or the database
        is not empty."""
        with write_transaction(self._db):
            count = archive.import_(self._sources, self._facts, data)
        self._passages = None
        return count

    def merge_facts(
        self, rows: Sequence[FactRow], *, actor: str, dry_run: bool = False
    ) -> ImportSummary:
        """Merge ``rows`` (``read_fact_rows``) into the stored facts, all or nothing.

        Each row becomes a new fact, changes the stored fact it matches (same
        source and quote, else same answer; ``knowledge.bulk_import``), is the
        same as it, or is refused with the reason ``add_fact`` would give. When
        any row is refused, or with ``dry_run``, nothing is written; otherwise
        every change is saved in one transaction, in each fact's history as done
        by ``actor``, and answers at once. Returns every row's outcome.
        Raises ``StorageUnavailable`` when the database cannot be written.
        """
        with (read_transaction if dry_run else write_transaction)(self._db):
            planned = bulk_import.plan(rows, self._facts, self._sources)
            if dry_run or any(p.line.outcome is ImportOutcome.REFUSED for p in planned):
                return ImportSummary(tuple(p.line for p in planned), applied=False)
            lines, written = bulk_import.apply(planned, self._facts, actor=actor)
        self._matcher.upsert_all(written)
        return ImportSummary(tuple(lines), applied=True)

    # --- reps: unanswered questions and proposals ------------------------------

    def unanswered_questions(
        self, status: UnansweredStatus = UnansweredStatus.OPEN
    ) -> list[Unanswered]:
        """Logged questions with ``status``, most-asked first, then most recent."""
        return self._unanswered.entries(status)

    def resolve(self, entry_id: int, fact_id: int, *, actor: str, teach: bool = True) -> Resolution:
        """Close question ``entry_id`` with fact ``fact_id``; by default its wordings
        teach that fact. Returns the closed question, the fact and who asked to be
        notified (their requests stay until ``unsubscribe``). Raises
        ``UnansweredNotFound`` for an unknown or closed question, ``FactNotFound``.
        """
        with write_transaction(self._db):
            entry = self._unanswered.resolve(entry_id, fact_id, actor=actor)
            if teach:
                fact = self._facts.add_questions(
                    fact_id, self._unanswered.texts(entry_id), QuestionOrigin.LEARNED, actor
                )
            else:
                fact = self._facts.fact(fact_id)
            resolution = self._resolution(entry, fact)
        if teach:
            self._matcher.upsert(fact)
        return resolution

    def passages_offered(
        self, status: UnansweredStatus = UnansweredStatus.OPEN
    ) -> dict[int, list[PassageOffer]]:
        """The passages offered with each logged question of ``status``, by its id
        (questions offered none are left out): where each is, for reps' list."""
        return self._offers.by_entry(status)

    def passage_draft(self, offer_id: int) -> PassageDraft:
        """Passage ``offer_id``, offered for an open question, as a rep's fact would quote it.

        Its words are looked up again in the source's current text. Raises
        ``PassageGone`` when it was never offered or the text no longer holds
        it, and ``UnansweredNotFound`` when its question is closed.
        """
        with read_transaction(self._db):
            offer = self._offers.offer(offer_id)
            entry = self._open_entry(offer.unanswered_id)
            source = self._sources.source(offer.source_key)
            words = self._offers.words(offer_id, self._sources.source_text(source.key))
            if words is None:
                raise PassageGone(
                    f"that passage is no longer in {source.title!r}: its text has changed"
                    " since. Quote the source's new words in a fact of your own."
                )
            return PassageDraft(offer_id, entry, source, leading_sentences(words, MAX_QUOTE_CHARS))

    def add_fact_from_passage(
        self,
        offer_id: int,
        *,
        answer: str,
        quote: str,
        questions: Sequence[str],
        actor: str,
        source_key: str | None = None,
    ) -> Resolution:
        """Add a rep's fact made of passage ``offer_id`` and resolve the question it was
        offered for, in one transaction: the question's wordings become example
        questions beside the rep's ``questions`` (which may be none). The fact cites
        the passage's source unless ``source_key`` names another. Returns the
        resolution, with who asked to be notified.

        Raises what ``add_fact`` raises (the quote is checked against the source's
        text), ``PassageGone`` for an offer never made, and ``UnansweredNotFound``
        when the question was closed meanwhile; then nothing changes.
        """
        with write_transaction(self._db):
            offer = self._offers.offer(offer_id)
            entry = self._open_entry(offer.unanswered_id)
            fact = self._facts.add_fact(
                answer=answer,
                source_key=source_key or offer.source_key,
                quote=quote,
                questions=questions,
                learned=self._unanswered.texts(entry.id),
                actor=actor,
            )
            resolved = self._unanswered.resolve(entry.id, fact.id, actor=actor)
            resolution = self._resolution(resolved, fact)
        self._matcher.upsert(fact)
        return resolution

    def dismiss(self, entry_id: int, *, actor: str) -> Unanswered:
        """Close question ``entry_id``, which needs no answer, forgetting in the same
        transaction who asked to be notified of it. Raises ``UnansweredNotFound``
        for an unknown or already closed question, and then changes nothing."""
        return self._unanswered.dismiss(entry_id, actor=actor)

    def pending_proposals(self) -> list[Proposal]:
        """Wordings members chose from "did you mean", waiting for a rep; most-chosen first."""
        return self._proposals.pending()

    def approve_proposal(self, proposal_id: int, *, actor: str) -> Fact:
        """Make a proposed wording an example question of its fact, answerable at once.
        Returns the fact. Raises ``ProposalNotFound`` when it is not pending."""
        with write_transaction(self._db):
            proposal = self._proposals.pending_one(proposal_id)
            fact = self._facts.add_questions(
                proposal.fact_id, [proposal.text], QuestionOrigin.LEARNED, actor
            )
            self._proposals.close(proposal_id, ProposalStatus.APPROVED, actor=actor)
        self._matcher.upsert(fact)
        return fact

    def reject_proposal(self, proposal_id: int, *, actor: str) -> None:
        """Close a proposed wording without adding it. Raises ``ProposalNotFound``."""
        self._proposals.close(proposal_id, ProposalStatus.REJECTED, actor=actor)

    def stats(self, days: int) -> Stats:
        """How many questions were asked, answered, suggested and logged in ``days`` days."""
        return self._events.stats(days)

    def weekly_counts(self, weeks: int) -> list[WeekCounts]:
        """Questions answered, suggested and unanswered in each of the last ``weeks``
        weeks (Monday to Sunday, UTC), oldest first; the current week is the last."""
        return self._events.weekly(weeks)

    # --- reps: the weekly digest -----------------------------------------------

    def digest(self, until: datetime | None = None) -> Digest:
        """What reps should hear about since the last recorded digest (or, before the
        first, the week) up to ``until`` (now by default); see ``Digest``.

        Stored times are to the second, so a period takes the seconds after its
        start up to and including its end's: consecutive digests neither repeat
        nor miss what happened in the second one ended."""
        until = until or datetime.now(UTC)
        with read_transaction(self._db):
            since = self._digests.last_end() or until - DIGEST_FIRST_PERIOD
            start, end = timestamp(since), timestamp(until)
            new = tuple(
                entry
                for entry in self._unanswered.entries(UnansweredStatus.OPEN)
                if start < entry.first_asked_at <= end
            )
            return Digest(
                since=since,
                until=until,
                new_unanswered=new,
                fact_changes=tuple(self._facts.changes(start, end)),
                pending_proposals=tuple(self._proposals.pending()),
            )

    def record_digest(self, digest: Digest) -> None:
        """Remember that reps got ``digest``: the next one starts where it ended.
        Raises ``StorageUnavailable`` when the database cannot be written."""
        self._digests.record(digest.since, digest.until)

    def last_digest_at(self) -> datetime | None:
        """When the period of the last recorded digest ended; None before the first."""
        return self._digests.last_end()

    def _match(self, question: str) -> Match:
        """The matcher's decision, leaving out the facts members said are "not what I
        asked" for this wording until a rep resolves it."""
        return self._matcher.match(
            question, excluded_fact_ids=self._unanswered.rejected_fact_ids(question)
        )

    def _passage_hits(self, question: str) -> list[PassageHit]:
        """The passages of registered documents that may answer ``question`` (at most two)."""
        if self._passages is None:
            with read_transaction(self._db):
                self._passages = passage_index(self._sources, self._passages_cache)
        return self._passages.search(question)

    def _open_entry(self, entry_id: int) -> Unanswered:
        """Entry ``entry_id`` when it is open; raises ``UnansweredNotFound`` otherwise."""
        entry = self._unanswered.get(entry_id)
        if entry.status is not UnansweredStatus.OPEN:
            answered = f" with fact {entry.resolved_fact_id}" if entry.resolved_fact_id else ""
            raise UnansweredNotFound(
                f"question {entry_id} is already {entry.status.value}{answered}"
            )
        return entry

    def _resolution(self, entry: Unanswered, fact: Fact) -> Resolution:
        """The resolution of ``entry`` by ``fact``, with who asked to be notified."""
        source = self._sources.source(fact.source_key)
        return Resolution(entry, fact, source, tuple(self._unanswered.notify_requests(entry.id)))

    def _worth_logging(self, question: str, asker: str | None) -> bool:
        """Should an unanswered question reach reps' list? Not when it says nothing
        (a raid's junk), nor past the asker's daily quota (so a raid's many
        accounts cannot bury members' real questions)."""
        if not self._matcher.carries_content(question):
            return False
        return asker is None or self._quota.take(asker)

    def _suggest(self, question: str, match: Match) -> Reply:
        facts = tuple(self._facts.fact(candidate.fact_id) for candidate in match.suggestions)
        return Reply(question, match, suggestions=facts)

    def _record(
        self,
        match: Match,
        *,
        question: str | None,
        place: str,
        count: bool = True,
        suggested: bool = False,
        passages: Sequence[PassageHit] = (),
    ) -> tuple[Unanswered | None, list[int]]:
        """Count ``match`` for reps' statistics and, given ``question``, log it for reps
        (``suggested`` when it got "did you mean" facts) with the ``passages`` offered,
        in one transaction. Returns the log entry and the passages' offer ids; None and
        none when nothing was to be logged or the database cannot be written, which
        must not stop the member's reply."""
        try:
            with write_transaction(self._db):
                if count:
                    self._events.record(match.outcome, match.fact_id)
                if question is None:
                    return None, []
                entry = self._unanswered.record(
                    question,
                    place=place,
                    best_score=match.score,
                    nearest_fact_id=match.nearest_fact_id,
                    suggested=suggested,
                )
                offered = self._offers.record(entry.id, [hit.passage for hit in passages])
                return entry, offered
        except StorageUnavailable as error:
            log.error("could not count or log a question: %s", error)
            return None, []
