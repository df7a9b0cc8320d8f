"""The unanswered log: grouping, ordering, closing, teaching, and what it keeps."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from knowledge.base import KnowledgeBase
from knowledge.database import MIGRATIONS, _statements
from knowledge.errors import FactNotFound, InvalidQuestion, UnansweredNotFound
from knowledge.models import Outcome, QuestionOrigin, UnansweredStatus


def test_unanswered_questions_are_logged_with_where_and_how_close(kb: KnowledgeBase) -> None:
    reply = kb.ask("what time does the canteen open", place="channel:42")
    assert reply.match.outcome is Outcome.UNANSWERED
    assert reply.logged is not None
    entry = kb._unanswered.get(reply.logged.id)
    assert (entry.text, entry.place, entry.count) == (
        "what time does the canteen open",
        "channel:42",
        1,
    )
    assert entry.status is UnansweredStatus.OPEN


def test_a_question_that_only_got_suggestions_is_logged_once(kb: KnowledgeBase) -> None:
    question = "is my pension safe with sscl"
    reply = kb.ask(question, place="channel:42")
    assert reply.match.outcome is Outcome.SUGGESTIONS
    assert reply.logged is not None, "reps must see what members ask, suggested or not"
    again = kb.none_of_these(question, place="channel:42")
    assert again is not None and again.id == reply.logged.id
    assert kb._unanswered.get(reply.logged.id).count == 1  # one ask, one press: asked once


def test_none_of_these_logs_a_question_whose_entry_was_closed(kb: KnowledgeBase) -> None:
    question = "is my pension safe with sscl"
    first = kb.ask(question, place="console").logged
    assert first is not None
    kb.dismiss(first.id, actor="rep:Ann")
    entry = kb.none_of_these(question, place="console")
    assert entry is not None and entry.id != first.id
    assert entry.status is UnansweredStatus.OPEN


def test_repeats_are_grouped_and_the_most_asked_come_first(kb: KnowledgeBase) -> None:
    kb.ask("what time does the canteen open", place="console")
    for wording in ("what time does the canteen open?", "What time does the canteen open!!"):
        kb.ask(wording, place="dm")
    kb.ask("recommend a good pizza place nearby", place="console")
    entries = kb.unanswered_questions()
    assert [entry.count for entry in entries] == [3, 1]
    assert len(kb._unanswered.texts(entries[0].id)) == 3


def test_no_member_id_is_kept_by_asking(kb: KnowledgeBase) -> None:
    kb.ask("what time does the canteen open", place="dm")
    assert kb._db.execute("SELECT count(*) FROM notify_requests").fetchone()[0] == 0


def test_empty_questions_are_refused_not_logged(kb: KnowledgeBase) -> None:
    for text in ("", "   ", "\n\t"):
        with pytest.raises(InvalidQuestion):
            kb.ask(text, place="console")
    assert kb.unanswered_questions() == []


@pytest.mark.parametrize(
    "text",
    ["🤔🤔🤔", "'; DROP TABLE unanswered; --", "\u202eشو السؤال", "a\u200bb\x00c", "y" * 100_000],
)
def test_odd_text_is_stored_literally(kb: KnowledgeBase, text: str) -> None:
    reply = kb.ask(text, place="console")
    if reply.logged is not None:
        assert kb._unanswered.get(reply.logged.id).text == text.strip()[:2_000]


def test_resolving_teaches_the_fact_every_grouped_wording(kb: KnowledgeBase) -> None:
    question = "who convenes the defence sector group conference"
    first = kb.ask(question, place="console")
    if first.match.outcome is Outcome.ANSWER:
        pytest.fail(f"the test question is already answered: {first.fact}")
    kb.ask(question + "?", place="console")
    kb.ask("so who convenes the defence sector group conference then", place="console")
    entry = kb.unanswered_questions()[0]
    assert entry.count == 3
    target = next(f for f in kb.facts() if "Khakhria" in f.answer)
    kb.resolve(entry.id, target.id, actor="rep:Ann")
    assert kb._unanswered.get(entry.id).status is UnansweredStatus.RESOLVED
    taught = [q for q in kb.fact(target.id).questions if q.origin is QuestionOrigin.LEARNED]
    assert [q.text for q in taught] == [
        question,
        "so who convenes the defence sector group conference then",
    ]
    assert kb.ask(question, place="console").fact.id == target.id
    assert kb.fact_history(target.id)[-1].actor == "rep:Ann"


def test_taught_wording_is_cleaned_capped_and_not_repeated(kb: KnowledgeBase) -> None:
    fact = kb.facts()[0]
    existing = fact.question_texts[0]
    taught = kb._facts.add_questions(
        fact.id,
        [
            "@everyone **who** is <@123> in `charge` here",
            existing.upper() + "!",
            "x" * 1_000,
            "",
        ],
        QuestionOrigin.LEARNED,
        "rep:Ann",
    )
    added = taught.question_texts[len(fact.questions) :]
    assert added == ("who is in charge here",)


def test_resolving_without_teaching_leaves_the_fact_alone(kb: KnowledgeBase) -> None:
    entry = kb.ask("what time does the canteen open", place="console").logged
    fact = kb.facts()[0]
    kb.resolve(entry.id, fact.id, actor="rep:Ann", teach=False)
    assert kb.fact(fact.id) == fact


def test_dismiss_and_bad_ids(kb: KnowledgeBase) -> None:
    entry = kb.ask("what time does the canteen open", place="console").logged
    kb.dismiss(entry.id, actor="rep:Ann")
    assert kb.unanswered_questions() == []
    assert kb.unanswered_questions(UnansweredStatus.DISMISSED)[0].id == entry.id
    with pytest.raises(UnansweredNotFound):
        kb.dismiss(99_999, actor="rep:Ann")
    with pytest.raises(UnansweredNotFound, match="already closed"):
        kb.resolve(entry.id, kb.facts()[0].id, actor="rep:Ann")
    with pytest.raises(FactNotFound):
        kb.resolve(entry.id, 99_999, actor="rep:Ann")


def test_dismissing_deletes_its_notify_requests_and_no_others(kb: KnowledgeBase) -> None:
    entry = kb.ask("what time does the canteen open", place="dm").logged
    other = kb.ask("when is the car park resurfaced", place="dm").logged
    assert entry is not None and other is not None and entry.id != other.id
    kb.subscribe(entry.id, user_id="42", channel_id="1")
    kb.subscribe(other.id, user_id="42", channel_id="1")

    dismissed = kb.dismiss(entry.id, actor="rep:Ann")

    assert dismissed.status is UnansweredStatus.DISMISSED
    assert kb._unanswered.notify_requests(entry.id) == []
    assert [r.unanswered_id for r in kb._unanswered.held_about("42")] == [other.id]


def test_a_refused_dismiss_keeps_the_notify_requests(kb: KnowledgeBase) -> None:
    """A resolved question's members are still to be told: dismissing it changes nothing."""
    entry = kb.ask("what time does the canteen open", place="dm").logged
    assert entry is not None
    kb.subscribe(entry.id, user_id="42", channel_id="1")
    kb.resolve(entry.id, kb.facts()[0].id, actor="rep:Ann", teach=False)

    with pytest.raises(UnansweredNotFound, match="already closed"):
        kb.dismiss(entry.id, actor="rep:Bob")

    assert kb._unanswered.get(entry.id).status is UnansweredStatus.RESOLVED
    assert [r.user_id for r in kb._unanswered.notify_requests(entry.id)] == ["42"]
    with pytest.raises(UnansweredNotFound):
        kb.dismiss(99_999, actor="rep:Ann")


def test_only_an_open_question_keeps_who_asked_to_be_notified(kb: KnowledgeBase) -> None:
    entry = kb.ask("what time does the canteen open", place="dm").logged
    other = kb.ask("when is the car park resurfaced", place="dm").logged
    assert entry is not None and other is not None
    fact = kb.facts()[0]

    assert kb.subscribe(entry.id, user_id="41", channel_id="1").subscribed
    resolution = kb.resolve(entry.id, fact.id, actor="rep:Ann", teach=False)
    late = kb.subscribe(entry.id, user_id="42", channel_id="1")
    kb.dismiss(other.id, actor="rep:Ann")
    dismissed = kb.subscribe(other.id, user_id="43", channel_id="1")

    assert [r.user_id for r in resolution.notify] == ["41"]
    assert (resolution.entry.status, resolution.fact, resolution.source) == (
        UnansweredStatus.RESOLVED,
        fact,
        kb.source(fact.source_key),
    )
    assert not late.subscribed and late.fact == fact  # told the answer at once instead
    assert not dismissed.subscribed and dismissed.fact is None
    assert [r.user_id for r in kb._unanswered.notify_requests(entry.id)] == ["41"]
    assert kb._unanswered.notify_requests(other.id) == []


def test_not_what_i_asked_logs_and_stops_that_fact_for_that_wording(kb: KnowledgeBase) -> None:
    question = "who runs defence business services"
    first = kb.ask(question, place="dm")
    assert first.fact is not None
    reply = kb.reject(question, first.fact.id, place="dm")
    assert reply.match.outcome is not Outcome.ANSWER
    assert reply.logged is not None and reply.logged.rejected_fact_id == first.fact.id
    for asker in ("dm", "channel:1"):
        again = kb.ask(question + "!", place=asker)
        assert again.fact is None or again.fact.id != first.fact.id
    kb.resolve(reply.logged.id, first.fact.id, actor="rep:Ann", teach=False)
    assert kb.ask(question, place="dm").fact == first.fact


def test_pressing_not_what_i_asked_twice_counts_the_question_once(kb: KnowledgeBase) -> None:
    question = "who runs defence business services"
    fact = kb.ask(question, place="dm").fact
    assert fact is not None
    first = kb.reject(question, fact.id, place="dm").logged
    second = kb.reject(question, fact.id, place="dm").logged
    assert first is not None and second is not None
    assert (second.id, second.count) == (first.id, 1)
    assert len(kb.unanswered_questions()) == 1


def test_a_member_id_is_kept_only_on_request_and_can_be_forgotten(kb: KnowledgeBase) -> None:
    entry = kb.ask("what time does the canteen open", place="channel:7").logged
    assert kb._unanswered.held_about("member-1") == []
    kb.subscribe(entry.id, user_id="member-1", channel_id="7")
    kb.subscribe(entry.id, user_id="member-1", channel_id="7")
    held = kb._unanswered.held_about("member-1")
    assert [(r.unanswered_id, r.channel_id) for r in held] == [(entry.id, "7")]
    assert kb.forget_member("member-1") == 1
    assert kb._unanswered.held_about("member-1") == []


def test_notify_requests_older_than_the_retention_period_are_purged(kb: KnowledgeBase) -> None:
    entry = kb.ask("what time does the canteen open", place="dm").logged
    kb.subscribe(entry.id, user_id="member-1", channel_id="")
    kb._db.execute("UPDATE notify_requests SET requested_at = '2000-01-01T00:00:00+00:00'")
    kb.subscribe(entry.id, user_id="member-2", channel_id="")
    assert kb.purge_notify_requests(retention_days=90) == 1
    assert [r.user_id for r in kb._unanswered.notify_requests(entry.id)] == ["member-2"]


def test_stats_count_outcomes_without_text_or_member(kb: KnowledgeBase) -> None:
    kb.ask("who owns sscl", place="dm")
    kb.ask("what time does the canteen open", place="dm")
    stats = kb.stats(days=7)
    assert (stats.asked, stats.answered, stats.unanswered) == (2, 1, 1)
    columns = {row["name"] for row in kb._db.query("PRAGMA table_info(question_events)")}
    assert columns == {"id", "at", "outcome", "fact_id"}


def test_a_forgotten_members_id_is_gone_from_the_files_too(
    kb: KnowledgeBase, db_path: Path
) -> None:
    member = "918273645546372819"
    entry = kb.ask("what time does the canteen open?", place="dm").logged
    assert entry is not None
    kb.subscribe(entry.id, user_id=member, channel_id="1")
    assert member.encode() in _bytes_of(db_path)

    kb.forget_member(member)

    assert member.encode() not in _bytes_of(db_path)


def _bytes_of(db_path: Path) -> bytes:
    """The database file and its write-ahead log, as they lie on disk."""
    files = [db_path, db_path.with_name(db_path.name + "-wal")]
    return b"".join(path.read_bytes() for path in files if path.exists())


def test_a_suggested_question_is_marked_and_listed_after_the_unanswered(kb: KnowledgeBase) -> None:
    suggested = kb.ask("is my pension safe with sscl", place="dm")
    assert suggested.match.outcome is Outcome.SUGGESTIONS and suggested.logged is not None
    assert suggested.logged.suggested
    kb.ask("is my pension safe with sscl?", place="dm")  # asked more often, still listed last
    unanswered = kb.ask("what time does the canteen open", place="dm").logged
    assert unanswered is not None and not unanswered.suggested
    listed = kb.unanswered_questions()
    assert [entry.id for entry in listed] == [unanswered.id, suggested.logged.id]
    assert [entry.count for entry in listed] == [1, 2]


def test_none_of_these_makes_a_suggested_question_unanswered(kb: KnowledgeBase) -> None:
    question = "is my pension safe with sscl"
    logged = kb.ask(question, place="dm").logged
    assert logged is not None and logged.suggested
    entry = kb.none_of_these(question, place="dm")
    assert entry is not None and entry.id == logged.id and not entry.suggested
    kb.ask(question, place="dm")  # suggestions again do not hide what a member said
    assert not kb._unanswered.get(logged.id).suggested


def test_picking_a_suggestion_closes_the_question_as_answered(kb: KnowledgeBase) -> None:
    question = "is my pension safe with sscl"
    reply = kb.ask(question, place="dm")
    assert reply.logged is not None and reply.suggestions
    chosen = reply.suggestions[0]
    assert kb.choose(question, chosen.id) == chosen
    entry = kb._unanswered.get(reply.logged.id)
    assert (entry.status, entry.resolved_fact_id) == (UnansweredStatus.RESOLVED, chosen.id)
    closed_by = kb._db.execute(
        "SELECT closed_by FROM unanswered WHERE id = ?", [entry.id]
    ).fetchone()[0]
    assert closed_by == "member's choice"
    assert kb.unanswered_questions() == []
    assert [p.fact_id for p in kb.pending_proposals()] == [chosen.id], "still only proposed"
    again = kb.ask(question, place="dm").logged
    assert again is not None and again.id != entry.id, "asked again, it is a new entry"


def test_picking_a_suggestion_leaves_a_question_someone_said_none_fits(kb: KnowledgeBase) -> None:
    question = "is my pension safe with sscl"
    reply = kb.ask(question, place="dm")
    assert reply.logged is not None
    kb.none_of_these(question, place="dm")
    kb.choose(question, reply.suggestions[0].id)
    assert kb._unanswered.get(reply.logged.id).status is UnansweredStatus.OPEN


def test_not_what_i_asked_makes_a_question_unanswered(kb: KnowledgeBase) -> None:
    question = "is my pension safe with sscl"
    reply = kb.ask(question, place="dm")
    assert reply.logged is not None and reply.suggestions
    kb.reject(question, reply.suggestions[0].id, place="dm")
    assert not kb._unanswered.get(reply.logged.id).suggested


@pytest.mark.parametrize(
    ("first", "second", "grouped"),
    [
        ("when is the strike?", "when is the strike going ahead", True),
        ("when is the strike?", "why is there a strike?", False),
        ("what was the pay rise in 2023", "what was the pay rise in 2024", False),
        ("what time does the canteen open", "what time does the canteeen open", True),
    ],
)
def test_rewordings_of_one_question_are_one_entry(
    kb: KnowledgeBase, first: str, second: str, grouped: bool
) -> None:
    one = kb.ask(first, place="dm").logged
    two = kb.ask(second, place="dm").logged
    assert one is not None and two is not None
    assert (one.id == two.id) is grouped
    assert len(kb.unanswered_questions()) == (1 if grouped else 2)


def test_a_closed_entry_groups_nothing(kb: KnowledgeBase) -> None:
    first = kb.ask("when is the strike?", place="dm").logged
    assert first is not None
    kb.dismiss(first.id, actor="rep:Ann")
    again = kb.ask("when is the strike going ahead", place="dm").logged
    assert again is not None and again.id != first.id
    assert kb._db.execute(
        "SELECT count(*) FROM unanswered_terms WHERE unanswered_id = ?", [first.id]
    ).fetchone() == (0,)


def test_an_entry_logged_before_grouping_by_terms_still_groups_its_wording(
    db_path: Path,
) -> None:
    db = sqlite_utils.Database(db_path)
    for script in MIGRATIONS[:5]:
        for statement in _statements(script):
            db.execute(statement)
    db.execute("PRAGMA user_version = 5")
    db.execute(
        "INSERT INTO unanswered (text, normalised, place, first_asked_at, last_asked_at)"
        " VALUES ('When is the strike?', 'when is the strike', 'dm', '2026-01-01', '2026-01-01')"
    )
    db.close()
    kb = KnowledgeBase.open(db_path)
    try:
        entry = kb.ask("when is the strike", place="dm").logged
        assert entry is not None and (entry.id, entry.count, entry.suggested) == (1, 2, False)
    finally:
        kb.close()
