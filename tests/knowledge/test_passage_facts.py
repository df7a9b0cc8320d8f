"""Passages offered with a logged question: kept for reps, and made a fact in one step."""

from __future__ import annotations

import pytest

from knowledge import KnowledgeBase
from knowledge.errors import PassageGone, QuoteNotInSource, UnansweredNotFound
from knowledge.models import QuestionOrigin, QuoteStatus, Source, UnansweredStatus
from knowledge.paragraphs import leading_sentences

CIRCULAR = Source(key="", title="Branch circular 7", kind="circular", issuer="PCS", date="2024")
MEETING = (
    "Branch officers will meet the employer on Monday to discuss relocation expenses and "
    "flexible working for staff who cannot move."
)
TEXT = (
    "Branch circular 7\n\n"
    "The employer has confirmed that 120 posts in the payroll team will move to Newport "
    f"by April.\n\n{MEETING}"
)
QUESTION = "when will branch officers meet the employer about relocation"


def offered(kb: KnowledgeBase) -> tuple[Source, int, int]:
    """A registered circular, and the entry and offer id of a question it may answer."""
    source = kb.add_source(CIRCULAR, TEXT, actor="console")
    reply = kb.ask(QUESTION, place="channel:1")
    assert reply.logged is not None
    [passage] = reply.passages
    assert passage.offer_id is not None
    return source, reply.logged.id, passage.offer_id


def test_the_passages_offered_are_kept_with_the_question_by_place(kb: KnowledgeBase) -> None:
    source, entry_id, offer_id = offered(kb)
    again = kb.ask(QUESTION + "?", place="dm")
    assert again.logged is not None and again.logged.id == entry_id
    assert [p.offer_id for p in again.passages] == [offer_id], "a repeat is offered it once"

    [offer] = kb.passages_offered()[entry_id]
    assert (offer.id, offer.source_key, offer.source_title) == (offer_id, source.key, source.title)
    assert offer.paragraph == 2 and TEXT[offer.start :].startswith(MEETING)
    row = kb._db.execute("SELECT * FROM unanswered_passages").fetchall()
    assert MEETING not in str(row), "the words are the source's, not stored twice"
    assert kb.passages_offered(UnansweredStatus.RESOLVED) == {}


def test_a_question_that_is_not_logged_offers_passages_no_rep_can_take(kb: KnowledgeBase) -> None:
    kb.add_source(CIRCULAR, TEXT, actor="console")
    for _ in range(25):  # past the daily cap of logged questions (repeats count)
        reply = kb.ask(QUESTION, place="dm", asker="raider")
    assert reply.logged is None
    assert reply.passages and reply.passages[0].offer_id is None


def test_a_rep_makes_a_passage_a_fact_and_resolves_the_question(kb: KnowledgeBase) -> None:
    source, entry_id, offer_id = offered(kb)
    kb.subscribe(entry_id, user_id="77", channel_id="1")
    draft = kb.passage_draft(offer_id)
    assert (draft.entry.id, draft.source, draft.quote) == (entry_id, source, MEETING)

    resolution = kb.add_fact_from_passage(
        offer_id,
        answer="Branch officers meet the employer on Monday about relocation.",
        quote=draft.quote,
        questions=["is there a meeting about relocation"],
        actor="discord:1:rep",
    )

    fact = resolution.fact
    assert fact.source_key == source.key and fact.quote == MEETING
    assert kb.quote_status(fact) is QuoteStatus.VERIFIED
    assert [(q.text, q.origin) for q in fact.questions] == [
        ("is there a meeting about relocation", QuestionOrigin.REP),
        (QUESTION, QuestionOrigin.LEARNED),
    ]
    assert resolution.entry.status is UnansweredStatus.RESOLVED
    assert resolution.entry.resolved_fact_id == fact.id
    assert [request.user_id for request in resolution.notify] == ["77"]
    assert kb.ask(QUESTION, place="dm").fact == fact, "it answers at once"
    with pytest.raises(UnansweredNotFound, match=f"already resolved with fact {fact.id}"):
        kb.passage_draft(offer_id)


def test_the_rep_may_give_no_question_of_their_own(kb: KnowledgeBase) -> None:
    _, _, offer_id = offered(kb)
    resolution = kb.add_fact_from_passage(
        offer_id, answer="They meet on Monday.", quote=MEETING, questions=[], actor="console"
    )
    assert resolution.fact.question_texts == (QUESTION,)


def test_a_quote_not_in_the_source_or_a_closed_question_changes_nothing(
    kb: KnowledgeBase,
) -> None:
    _, entry_id, offer_id = offered(kb)
    facts = kb.facts()
    with pytest.raises(QuoteNotInSource):
        kb.add_fact_from_passage(
            offer_id, answer="A.", quote="words nobody wrote", questions=[], actor="console"
        )
    kb.dismiss(entry_id, actor="console")
    with pytest.raises(UnansweredNotFound, match="dismissed"):
        kb.add_fact_from_passage(
            offer_id, answer="A.", quote=MEETING, questions=[], actor="console"
        )
    assert kb.facts() == facts
    with pytest.raises(PassageGone):
        kb.passage_draft(999)


def test_a_passage_is_found_where_it_moved_and_known_gone_when_its_words_changed(
    kb: KnowledgeBase,
) -> None:
    source, _, offer_id = offered(kb)
    kb.set_source_text(source.key, "A new first paragraph, added.\n\n" + TEXT, actor="console")
    assert kb.passage_draft(offer_id).quote == MEETING
    kb.set_source_text(source.key, TEXT.replace("on Monday", "on Tuesday"), actor="console")
    with pytest.raises(PassageGone, match="Branch circular 7"):
        kb.passage_draft(offer_id)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("One two. Three four. Five six.", 100, "One two. Three four. Five six."),
        ("One two. Three four. Five six.", 25, "One two. Three four."),
        ("One two. Three four. Five six.", 19, "One two."),
        ("Onetwothree fourfive sixseven", 20, "Onetwothree"),
        ("x" * 50, 10, "x" * 10),
    ],
)
def test_a_quote_too_long_is_cut_at_a_sentences_end_and_stays_verbatim(
    text: str, limit: int, expected: str
) -> None:
    quote = leading_sentences(text, limit)
    assert quote == expected and len(quote) <= limit and text.startswith(quote)
