"""The knowledge base learns members' wording, but only under reps' control."""

from __future__ import annotations

import tomllib

import pytest

from knowledge.base import KnowledgeBase
from knowledge.curated import facts_toml, parse_facts
from knowledge.errors import ProposalNotFound
from knowledge.models import QuestionOrigin


def test_a_did_you_mean_choice_is_only_a_proposal(kb: KnowledgeBase) -> None:
    fact = kb.facts()[5]
    shown = kb.choose("the thing about the wotsit deal", fact.id)
    assert shown == fact
    assert kb.fact(fact.id) == fact, "a member's click changes nothing by itself"
    kb.choose("The thing about the wotsit deal!", fact.id)
    [proposal] = kb.pending_proposals()
    assert (proposal.fact_id, proposal.count) == (fact.id, 2)


def test_an_approved_proposal_becomes_a_learned_example_answerable_at_once(
    kb: KnowledgeBase,
) -> None:
    target = next(f for f in kb.facts() if "Khakhria" in f.answer)
    wording = "who leads the union's defence sector branch"
    before = kb.ask(wording, place="console")
    assert before.fact is None or before.fact.id != target.id
    kb.choose(wording, target.id)
    [proposal] = kb.pending_proposals()
    fact = kb.approve_proposal(proposal.id, actor="rep:Ann")
    assert fact.questions[-1].text == wording
    assert fact.questions[-1].origin is QuestionOrigin.LEARNED
    assert kb.ask(wording, place="console").fact.id == target.id
    assert kb.pending_proposals() == []
    with pytest.raises(ProposalNotFound):
        kb.approve_proposal(proposal.id, actor="rep:Ann")


def test_a_rejected_proposal_changes_nothing(kb: KnowledgeBase) -> None:
    fact = kb.facts()[0]
    kb.choose("something unrelated entirely", fact.id)
    [proposal] = kb.pending_proposals()
    kb.reject_proposal(proposal.id, actor="rep:Ann")
    assert kb.fact(fact.id) == fact
    assert kb.pending_proposals() == []


def test_proposals_keep_no_member(kb: KnowledgeBase) -> None:
    columns = {row["name"] for row in kb._db.query("PRAGMA table_info(proposals)")}
    assert not {name for name in columns if "user" in name or "member" in name}


def test_facts_written_as_toml_read_back_the_same(kb: KnowledgeBase) -> None:
    fact = kb.facts()[0]
    kb._facts.add_questions(
        fact.id, ['a "quoted" \\ wording\twith tab'], QuestionOrigin.LEARNED, "r"
    )
    facts = kb.facts()
    text = facts_toml(facts)
    assert "# learned" in text
    again = parse_facts(tomllib.loads(text))
    assert [(f.id, f.answer, f.quote, f.keywords, f.question_texts) for f in again] == [
        (f.id, f.answer, f.quote, f.keywords, f.question_texts) for f in facts
    ]
