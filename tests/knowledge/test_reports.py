"""What reps hear about: questions per week, and the weekly digest's period and content."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlite_utils

from knowledge.base import KnowledgeBase
from knowledge.events import QuestionEvents
from knowledge.models import WeekCounts

NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)
"""A Wednesday: its week began on Monday 16 March."""


def add_events(db: sqlite_utils.Database, *events: tuple[str, str]) -> None:
    db.execute("DELETE FROM question_events")
    for at, outcome in events:
        db.execute("INSERT INTO question_events (at, outcome) VALUES (?, ?)", [at, outcome])


def test_questions_are_counted_per_monday_to_sunday_week_by_outcome(
    db: sqlite_utils.Database,
) -> None:
    add_events(
        db,
        ("2026-02-28T23:59:59+00:00", "answer"),  # a Saturday four weeks back: too old
        ("2026-03-02T00:00:00+00:00", "answer"),  # Monday two weeks back
        ("2026-03-08T23:59:59+00:00", "suggestions"),  # its Sunday
        ("2026-03-09T08:00:00+00:00", "unanswered"),  # last week
        ("2026-03-16T09:00:00+00:00", "answer"),  # this week
        ("2026-03-17T09:00:00+00:00", "answer"),
        ("2026-03-17T10:00:00+00:00", "unanswered"),
        ("2026-03-17T11:00:00+00:00", "conversation"),  # small talk is not a question
    )

    weeks = QuestionEvents(db).weekly(3, now=NOW)

    assert weeks == [
        WeekCounts(date(2026, 3, 2), answered=1, suggested=1, unanswered=0),
        WeekCounts(date(2026, 3, 9), answered=0, suggested=0, unanswered=1),
        WeekCounts(date(2026, 3, 16), answered=2, suggested=0, unanswered=1),
    ]
    assert [week.asked for week in weeks] == [2, 1, 3]


def test_weeks_without_questions_count_zero(db: sqlite_utils.Database) -> None:
    add_events(db)
    weeks = QuestionEvents(db).weekly(12, now=NOW)
    assert len(weeks) == 12 and all(week.asked == 0 for week in weeks)
    assert weeks[-1].week_start == date(2026, 3, 16)
    assert weeks[0].week_start == date(2026, 3, 16) - timedelta(weeks=11)


def test_the_knowledge_base_counts_its_own_questions_this_week(kb: KnowledgeBase) -> None:
    kb.ask("who owns sscl", place="console")
    kb.ask("what time does the canteen open", place="console")
    kb.ask("hello", place="console")
    this_week = kb.weekly_counts(2)[-1]
    assert (this_week.answered, this_week.unanswered) == (1, 1)


def test_a_digest_lists_new_open_questions_most_asked_first_and_fact_changes(
    kb: KnowledgeBase,
) -> None:
    for _ in range(2):
        kb.ask("what time does the canteen open", place="console")
    kb.ask("is there parking at the office", place="console")
    dismissed = kb.ask("where do I park my bike", place="console").logged
    assert dismissed is not None
    kb.dismiss(dismissed.id, actor="console")
    fact = kb.add_fact(
        answer="The branch social is on Friday.",
        source_key=kb.sources()[0].key,
        quote="",
        questions=["when is the branch social"],
        actor="console",
    )
    kb.edit_fact(fact.id, actor="console", answer="The branch social is on Saturday.")
    removed = kb.remove_fact(kb.facts()[0].id, actor="console")
    kb.choose("a wording a member chose", kb.facts()[1].id)

    digest = kb.digest()

    assert [entry.text for entry in digest.new_unanswered] == [
        "what time does the canteen open",
        "is there parking at the office",
    ]
    by_reps = [c for c in digest.fact_changes if c.actions != ("load",)]  # not the curated file
    assert [(c.fact_id, c.actions, c.answer) for c in by_reps] == [
        (removed.id, ("load", "remove"), removed.answer),
        (fact.id, ("add", "edit"), "The branch social is on Saturday."),
    ]
    assert [p.text for p in digest.pending_proposals] == ["a wording a member chose"]


def test_each_digest_starts_where_the_last_recorded_one_ended(kb: KnowledgeBase) -> None:
    assert kb.last_digest_at() is None
    first = kb.digest(until=NOW)
    assert first.since == NOW - timedelta(weeks=1)
    assert kb.digest(until=NOW).since == first.since, "nothing is recorded until told"
    kb.record_digest(first)
    assert kb.last_digest_at() == NOW
    later = NOW + timedelta(days=7)
    assert kb.digest(until=later).since == NOW
