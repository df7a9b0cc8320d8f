"""Passages offered from registered documents when no fact answers (issue 15)."""

from __future__ import annotations

from knowledge import KnowledgeBase
from knowledge.models import Outcome, Source

CIRCULAR = Source(key="", title="Branch circular 7", kind="circular", issuer="PCS", date="2024")
TEXT = (
    "Branch circular 7\n\n"
    "The employer has confirmed that 120 posts in the payroll team will move to Newport "
    "by April.\n\n"
    "Branch officers will meet the employer on Monday to discuss relocation expenses and "
    "flexible working for staff who cannot move. @everyone **read this**."
)


def test_a_question_no_fact_answers_gets_the_documents_words_verbatim(kb: KnowledgeBase) -> None:
    source = kb.add_source(CIRCULAR, TEXT, actor="console")
    reply = kb.ask("when will branch officers meet the employer about relocation", place="dm")
    assert not reply.answered
    [passage] = reply.passages
    assert passage.source == source
    assert passage.text in TEXT and passage.text.startswith("Branch officers will meet")
    assert "@everyone **read this**" in passage.text  # verbatim; escaping is the renderer's
    assert reply.logged is not None, "the question is still logged for reps"


def test_answered_and_unrelated_questions_get_no_passage(kb: KnowledgeBase) -> None:
    kb.add_source(CIRCULAR, TEXT, actor="console")
    answered = kb.ask("who owns sscl", place="dm")
    assert answered.answered and answered.passages == ()
    unrelated = kb.ask("what time does the canteen open", place="dm")
    assert unrelated.match.outcome is Outcome.UNANSWERED and unrelated.passages == ()


def test_a_changed_text_changes_the_passages_at_once(kb: KnowledgeBase) -> None:
    source = kb.add_source(CIRCULAR, TEXT, actor="console")
    question = "when will branch officers meet the employer about relocation"
    assert kb.ask(question, place="dm").passages
    kb.set_source_text(source.key, "Branch circular 7\n\nNothing more to say.", actor="console")
    assert kb.ask(question, place="dm").passages == ()
