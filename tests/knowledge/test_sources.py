"""Sources with their full text: loaded from SOURCES_DIR, registered by reps, and every
quote checked against its document."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from pathlib import Path

import pytest

from knowledge import curated
from knowledge.base import KnowledgeBase
from knowledge.curated import SHIPPED_DOCUMENTS, load_curated
from knowledge.errors import DuplicateSource, InvalidFact, InvalidSource, QuoteNotInSource
from knowledge.models import QuoteStatus, Source
from knowledge.quotes import quote_occurs

CURATED = load_curated()
DOCUMENT = (
    "Branch circular 7\n\n"
    "The employer has confirmed that 120 posts in the payroll team will move to Newport "
    "by April.\n\nBranch officers will meet the employer on Monday."
)
NEW = Source(key="", title="Branch circular 7", kind="circular", issuer="PCS branch", date="2024")
NOTE = Source(
    key="note-2024-06-01-branch-minutes",
    title="Branch minutes",
    kind="rep's note",
    issuer="Ann",
    date="1 June 2024",
    url="https://example.org/minutes",
)


def test_without_documents_every_fact_still_answers_but_is_marked_not_verified(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As when a source's document is neither shipped nor in SOURCES_DIR.
    monkeypatch.setattr(curated, "SHIPPED_DOCUMENTS", tmp_path)
    kb = KnowledgeBase.open(db_path)
    assert all(not source.has_text for source in kb.sources())
    fact = kb.facts()[0]
    assert kb.quote_status(fact) is QuoteStatus.NOT_VERIFIED
    assert kb.ask(fact.question_texts[0], place="console").fact == fact
    assert kb.facts_with_missing_quotes() == []
    kb.close()


def test_curated_texts_are_loaded_from_the_shipped_documents_and_every_quote_verifies(
    db_path: Path,
) -> None:
    kb = KnowledgeBase.open(db_path)
    for source in kb.sources():
        text = (SHIPPED_DOCUMENTS / source.file).read_text(encoding="utf-8")
        assert source.text_hash == hashlib.sha256(text.encode()).hexdigest()
        assert kb.source_text(source.key) == text
        assert [entry.action for entry in kb.source_history(source.key)] == ["add", "text"]
    assert {kb.quote_status(fact) for fact in kb.facts()} == {QuoteStatus.VERIFIED}
    kb.close()
    again = KnowledgeBase.open(db_path)  # unchanged: nothing new recorded
    assert all(len(again.source_history(s.key)) == 2 for s in again.sources())
    again.close()


def test_a_missing_document_leaves_only_its_sources_facts_not_verified(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    present = CURATED.sources["pcs-dsg-circular-2014"]
    shutil.copy(SHIPPED_DOCUMENTS / present.file, folder / present.file)
    monkeypatch.setattr(curated, "SHIPPED_DOCUMENTS", tmp_path / "nothing shipped")
    kb = KnowledgeBase.open(db_path, sources_dir=folder)
    statuses = {fact.source_key: kb.quote_status(fact) for fact in kb.facts()}
    assert statuses["pcs-dsg-circular-2014"] is QuoteStatus.VERIFIED
    assert statuses["steria-article-2013"] is QuoteStatus.NOT_VERIFIED
    kb.close()


def test_a_changed_document_lists_the_facts_whose_quote_went_and_deletes_none(
    db_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "seeds"
    shutil.copytree(SHIPPED_DOCUMENTS, folder)
    KnowledgeBase.open(db_path, sources_dir=folder).close()
    source = CURATED.sources["pcs-dsg-circular-2014"]
    fact = next(f for f in CURATED.facts if f.source_key == source.key)
    text = (folder / source.file).read_text(encoding="utf-8")
    (folder / source.file).write_text(text.replace(fact.quote, "(withdrawn)"), encoding="utf-8")

    kb = KnowledgeBase.open(db_path, sources_dir=folder)
    assert fact.id in [f.id for f in kb.facts_with_missing_quotes()]
    assert kb.quote_status(kb.fact(fact.id)) is QuoteStatus.NOT_FOUND
    assert kb.ask(fact.question_texts[0], place="console").fact is not None
    history = kb.source_history(source.key)
    assert (history[-1].action, history[-1].actor) == ("text", "curated file")
    assert history[-1].before != history[-1].after
    kb.close()


def test_a_registered_document_gets_a_key_a_hash_and_a_history(kb: KnowledgeBase) -> None:
    source = kb.add_source(NEW, DOCUMENT, actor="console")
    assert source.key == "branch-circular-7"
    assert source.text_hash == hashlib.sha256(DOCUMENT.encode()).hexdigest()
    assert kb.source(source.key) == source
    assert kb.source_text(source.key) == DOCUMENT
    assert [(e.action, e.actor) for e in kb.source_history(source.key)] == [("add", "console")]
    second = kb.add_source(Source(key="", title=NEW.title, kind="circular"), "Other", actor="c")
    assert second.key == "branch-circular-7-2"


def test_the_same_document_twice_is_refused_naming_the_source(kb: KnowledgeBase) -> None:
    first = kb.add_source(NEW, DOCUMENT, actor="console")
    before = kb.sources()
    with pytest.raises(DuplicateSource, match=first.key):
        kb.add_source(Source(key="", title="Another title", kind="letter"), DOCUMENT, actor="x")
    assert kb.sources() == before


@pytest.mark.parametrize(
    "title", ["<@123> circular", "@everyone look", "**bold** title", "", "x" * 201, "   "]
)
def test_a_title_with_mentions_or_markup_is_refused(kb: KnowledgeBase, title: str) -> None:
    before = kb.sources()
    with pytest.raises(InvalidSource):
        kb.add_source(Source(key="", title=title, kind="circular"), DOCUMENT, actor="console")
    assert kb.sources() == before


def test_a_quote_not_in_the_source_is_refused_with_the_closest_passage(kb: KnowledgeBase) -> None:
    source = kb.add_source(NEW, DOCUMENT, actor="console")
    count = kb.count_facts()
    with pytest.raises(QuoteNotInSource) as refused:
        kb.add_fact(
            answer="Payroll posts are moving.",
            source_key=source.key,
            quote="120 payroll posts will move to Newport",
            questions=["Are payroll jobs moving?"],
            actor="console",
        )
    assert refused.value.passage is not None and quote_occurs(refused.value.passage, DOCUMENT)
    assert "Newport" in refused.value.passage and refused.value.passage in str(refused.value)
    assert kb.count_facts() == count

    fact = kb.add_fact(
        answer="Payroll posts are moving.",
        source_key=source.key,
        quote=refused.value.passage,
        questions=["Are payroll jobs moving?"],
        actor="console",
    )
    assert kb.quote_status(fact) is QuoteStatus.VERIFIED
    with pytest.raises(QuoteNotInSource):
        kb.edit_fact(fact.id, quote="posts will stay in Leeds", actor="console")
    assert kb.fact(fact.id).quote == refused.value.passage
    edited = kb.edit_fact(fact.id, quote="BRANCH OFFICERS will meet the employer", actor="c")
    assert edited.quote == "BRANCH OFFICERS will meet the employer"


def test_a_new_text_lists_the_facts_it_no_longer_backs(kb: KnowledgeBase) -> None:
    source = kb.add_source(NEW, DOCUMENT, actor="console")
    fact = kb.add_fact(
        answer="Officers meet the employer on Monday.",
        source_key=source.key,
        quote="Branch officers will meet the employer on Monday.",
        questions=["When do officers meet the employer?"],
        actor="console",
    )
    broken = kb.set_source_text(source.key, DOCUMENT.replace("Monday", "Friday"), actor="rep")
    assert [f.id for f in broken] == [fact.id]
    assert [f.id for f in kb.facts_with_missing_quotes()] == [fact.id]
    assert kb.fact(fact.id).quote.endswith("Monday.")  # kept for a rep to fix
    assert kb.source_history(source.key)[-1].action == "text"


def test_an_approximate_quote_gives_the_exact_passage(kb: KnowledgeBase) -> None:
    source = kb.add_source(NEW, DOCUMENT, actor="console")
    passage = kb.quote_passage(source.key, "employer confirmed 120 posts in payroll")
    assert quote_occurs(passage.text, DOCUMENT) and "120 posts" in passage.text
    noted = kb.add_fact(
        note=NOTE, answer="The picnic is on 5 June.", quote="", questions=["when"], actor="c"
    )
    with pytest.raises(InvalidSource):  # a rep's note has no text to quote from
        kb.quote_passage(noted.source_key, "anything")


def test_a_facts_paragraph_marks_its_quote(kb: KnowledgeBase) -> None:
    source = kb.add_source(NEW, DOCUMENT, actor="console")
    fact = kb.add_fact(
        answer="Payroll posts are moving.",
        source_key=source.key,
        quote="120 posts in the payroll team",
        questions=["Are payroll jobs moving?"],
        actor="console",
    )
    paragraph = kb.paragraph(fact.id)
    assert paragraph is not None and paragraph.source == source
    assert paragraph.before == "The employer has confirmed that"
    assert paragraph.quote == fact.quote
    assert paragraph.after == "will move to Newport by April."
    noted = kb.add_fact(
        note=NOTE, answer="The picnic is on 5 June.", quote="", questions=["when"], actor="c"
    )
    assert kb.paragraph(noted.id) is None  # a source without text


def test_a_fact_and_the_new_note_it_cites_are_added_together(kb: KnowledgeBase) -> None:
    fact = kb.add_fact(
        note=NOTE,
        answer="The picnic is on 5 June.",
        quote="",
        questions=["when is the picnic"],
        actor="rep:Ann",
    )
    assert fact.source_key == NOTE.key and kb.source(NOTE.key) == NOTE
    assert [entry.actor for entry in kb.source_history(NOTE.key)] == ["rep:Ann"]
    assert kb.ask("when is the picnic", place="console").fact == fact
    again = kb.add_fact(
        note=NOTE,
        answer="It starts at noon.",
        quote="",
        questions=["when does it start"],
        actor="rep:Bo",
    )
    assert again.source_key == NOTE.key and len(kb.source_history(NOTE.key)) == 1


@pytest.mark.parametrize(
    ("answer", "questions"), [("   ", ["when is the picnic"]), ("On 5 June.", [])]
)
def test_a_refused_fact_leaves_no_note_behind(
    kb: KnowledgeBase, answer: str, questions: list[str]
) -> None:
    sources, facts = kb.sources(), kb.facts()
    history = kb._db["source_history"].count
    with pytest.raises(InvalidFact):
        kb.add_fact(note=NOTE, answer=answer, quote="", questions=questions, actor="rep:Ann")
    assert kb.sources() == sources and kb.facts() == facts
    assert kb._db["source_history"].count == history


def test_a_note_cannot_take_the_key_of_a_source(kb: KnowledgeBase) -> None:
    taken = kb.sources()[0]
    facts = kb.facts()
    with pytest.raises(InvalidSource, match="already a source"):
        kb.add_fact(
            note=dataclasses.replace(NOTE, key=taken.key),
            answer="On 5 June.",
            quote="",
            questions=["when is the picnic"],
            actor="rep:Ann",
        )
    assert kb.source(taken.key) == taken and kb.facts() == facts
