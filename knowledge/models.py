"""The core's data model: plain frozen dataclasses that cross the store boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class QuestionOrigin(StrEnum):
    """Where an example question of a fact came from."""

    CURATED = "curated"
    REP = "rep"
    LEARNED = "learned"


@dataclass(frozen=True, slots=True)
class Source:
    """A document (or a rep's own word) that facts are taken from."""

    key: str
    title: str
    kind: str
    issuer: str = ""
    date: str = ""
    reference: str = ""
    url: str = ""
    file: str = ""
    text_hash: str = ""
    """sha256 of the document's full text, when the database has it; empty when it has not."""

    @property
    def has_text(self) -> bool:
        return bool(self.text_hash)


@dataclass(frozen=True, slots=True)
class ExampleQuestion:
    """One way a member might ask for a fact."""

    text: str
    origin: QuestionOrigin = QuestionOrigin.CURATED


@dataclass(frozen=True, slots=True)
class Fact:
    """One sourced answer: what it says, how members ask for it, and its proof."""

    id: int
    answer: str
    source_key: str
    quote: str
    questions: tuple[ExampleQuestion, ...]
    keywords: tuple[str, ...] = ()

    @property
    def question_texts(self) -> tuple[str, ...]:
        return tuple(question.text for question in self.questions)


class Outcome(StrEnum):
    """What became of a message: the matcher's three decisions, or small talk."""

    ANSWER = "answer"
    SUGGESTIONS = "suggestions"
    UNANSWERED = "unanswered"
    CONVERSATION = "conversation"
    """Not a question ("hello", "thanks"): decided before matching
    (``knowledge.conversation``); never answered with a fact, counted or logged."""


class ConversationKind(StrEnum):
    """The kinds of small talk ``knowledge.conversation.classify`` recognises."""

    GREETING = "greeting"
    THANKS = "thanks"
    CAPABILITIES = "capabilities"
    """"What can you do", "how do I use you", "help"."""
    IDENTITY = "identity"
    """"Are you a bot", "who are you"."""
    FEEDBACK = "feedback"
    """"Good bot", "you're useless", "ok", "cool"."""
    FAREWELL = "farewell"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A fact the matcher considered, with its confidence between 0 and 100."""

    fact_id: int
    score: float


@dataclass(frozen=True, slots=True)
class Match:
    """The matcher's decision about one question.

    ``fact_id`` is set only for ``Outcome.ANSWER``; ``suggestions`` only for
    ``Outcome.SUGGESTIONS``; ``score`` and ``nearest_fact_id`` describe the
    best candidate whatever the outcome (None when nothing matched at all;
    nothing is matched for ``Outcome.CONVERSATION``).
    """

    outcome: Outcome
    score: float
    fact_id: int | None = None
    suggestions: tuple[Candidate, ...] = field(default_factory=tuple)
    nearest_fact_id: int | None = None


class UnansweredStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


@dataclass(frozen=True, slots=True)
class Unanswered:
    """A group of wordings of one question the bot could not answer
    (``knowledge.grouping`` says which wordings are one question)."""

    id: int
    text: str
    normalised: str
    place: str
    first_asked_at: str
    last_asked_at: str
    count: int
    best_score: float
    nearest_fact_id: int | None
    status: UnansweredStatus
    resolved_fact_id: int | None = None
    rejected_fact_id: int | None = None
    """The fact a member said was "not what I asked" for this question, if any."""
    suggested: bool = False
    """Every ask got "did you mean" facts and no member said none of them fits."""


@dataclass(frozen=True, slots=True)
class PassageOffer:
    """A passage of a registered document offered with a logged question: where it
    is in its source, not its words (those are the source's own)."""

    id: int
    unanswered_id: int
    source_key: str
    source_title: str
    paragraph: int
    """The paragraph's number in the source, from 0 (``knowledge.paragraphs``)."""
    start: int
    """The passage's character offset in the source's text when it was offered."""


@dataclass(frozen=True, slots=True)
class NotifyRequest:
    """A member's wish to be told when an unanswered question is answered.

    The only record that holds a member's id; deleted once they are notified.
    """

    id: int
    unanswered_id: int
    user_id: str
    channel_id: str
    requested_at: str


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts for reps over a period; no text and no member in them."""

    days: int
    asked: int
    answered: int
    suggested: int
    unanswered: int


@dataclass(frozen=True, slots=True)
class WeekCounts:
    """Questions of one week (Monday to Sunday, UTC) by outcome; no text, no member."""

    week_start: date
    answered: int
    suggested: int
    unanswered: int

    @property
    def asked(self) -> int:
        return self.answered + self.suggested + self.unanswered


@dataclass(frozen=True, slots=True)
class FactChange:
    """What happened to one fact over a period: its changes in order, and its answer
    after them (or before its removal)."""

    fact_id: int
    actions: tuple[str, ...]
    answer: str


@dataclass(frozen=True, slots=True)
class Digest:
    """What reps should hear about a period (``since`` to ``until``, UTC).

    ``new_unanswered``: questions first asked in the period and still open,
    most asked first; ``fact_changes``: every fact added, changed or removed
    in it, most recently changed first; ``pending_proposals``: every wording
    still waiting for review, whenever proposed.
    """

    since: datetime
    until: datetime
    new_unanswered: tuple[Unanswered, ...]
    fact_changes: tuple[FactChange, ...]
    pending_proposals: tuple[Proposal, ...]


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One recorded change to a fact."""

    fact_id: int
    action: str
    actor: str
    at: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class SourceHistoryEntry:
    """One recorded change to a source: its details or its text (as a hash)."""

    source_key: str
    action: str
    actor: str
    at: str
    before: str
    after: str


class QuoteStatus(StrEnum):
    """Whether a fact's quote has been checked against its source's text."""

    VERIFIED = "verified"
    NOT_VERIFIED = "not verified"
    """The database has no text for the source, so the quote could not be checked."""
    NOT_FOUND = "not found in its source"


class ProposalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Proposal:
    """A member's "did you mean" choice: this wording asked for this fact. Never who chose."""

    id: int
    fact_id: int
    text: str
    proposed_at: str
    count: int
    status: ProposalStatus


@dataclass(frozen=True, slots=True)
class StorageHealth:
    """Whether the database is ready for the bot: its schema version against this
    code's, and why a write failed (empty when one succeeded)."""

    schema_version: int
    code_version: int
    write_error: str = ""

    @property
    def migrated(self) -> bool:
        return self.schema_version == self.code_version

    @property
    def writable(self) -> bool:
        return not self.write_error


@dataclass(frozen=True, slots=True)
class FactRow:
    """One fact to import, as a file gives it (``knowledge.fact_rows``).

    ``where`` names it for the rep ("row 3" of a spreadsheet, "fact 2" of a
    TOML file); ``source`` is a source's key or its title; ``problem``, when
    set, is why reading the file already refused it.
    """

    where: str
    answer: str
    source: str
    quote: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    problem: str = ""


class ImportOutcome(StrEnum):
    """What importing one row does, or would do, to the knowledge base."""

    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class ImportLine:
    """One row's outcome: ``fact_id`` is the fact it matched (changed or unchanged),
    or the new fact's id once added (None in a dry run); ``reason`` says why a
    refused row was refused, and ``passage`` is its source's closest passage
    when its quote is not in the source."""

    where: str
    outcome: ImportOutcome
    fact_id: int | None = None
    reason: str = ""
    passage: str | None = None


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """Every row's outcome, in the file's order; ``applied`` when the changes were
    saved (never when a row was refused, nor in a dry run)."""

    lines: tuple[ImportLine, ...]
    applied: bool

    def count(self, outcome: ImportOutcome) -> int:
        return sum(1 for line in self.lines if line.outcome is outcome)
