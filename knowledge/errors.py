"""The core's named errors. Their messages are safe to show to the person who caused them."""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base class: a user mistake or a refused change, never a bug."""


class InvalidFact(KnowledgeError):
    """Raised when a fact (from a file, a rep or an import) is missing a part or breaks a rule."""


class InvalidFactFile(InvalidFact):
    """Raised when a file of facts to import cannot be read as a whole: empty, not
    UTF-8, not CSV or TOML, a CSV header without a needed column, a TOML syntax error."""


class FactNotFound(KnowledgeError):
    """Raised when a fact id names no fact (or a removed one, where that matters)."""


class SourceNotFound(KnowledgeError):
    """Raised when a source key names no known source."""


class UnansweredNotFound(KnowledgeError):
    """Raised when an unanswered-question id names no entry in the log."""


class StorageUnavailable(KnowledgeError):
    """Raised when the database cannot be written (disk full, read-only file, locked too long)."""


class InvalidQuestion(KnowledgeError):
    """Raised when a question is empty or whitespace only: there is nothing to answer or log."""


class ProposalNotFound(KnowledgeError):
    """Raised when a proposal id names no pending proposed example question."""


class PassageGone(KnowledgeError):
    """Raised when an offered passage is no longer in its source (the text changed) or
    was never offered."""


class InvalidSource(KnowledgeError):
    """Raised when a new source breaks a rule: a title with mentions or markup, a taken key."""


class DuplicateSource(InvalidSource):
    """Raised when a document registered as a new source is already a source (same text)."""


class InvalidDocument(KnowledgeError):
    """Raised when a document's text cannot be read: too big, wrong type, empty, binary,
    scanned, malformed, over a limit on what it expands to (text, pages, parts), or
    needing more time or memory than its reading may take."""


class QuoteNotInSource(InvalidFact):
    """Raised when a fact's quote does not occur in its source's text.

    ``passage`` is the source's closest passage (exact words), if any, for the
    rep to use instead.
    """

    def __init__(self, message: str, passage: str | None) -> None:
        super().__init__(message)
        self.passage = passage
