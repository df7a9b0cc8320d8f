"""Bulk curation: a rep's spreadsheet (CSV) or TOML file merged into a live knowledge base."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence

import pytest

from knowledge import KnowledgeBase, read_fact_rows
from knowledge.curated import facts_toml
from knowledge.errors import InvalidFact, InvalidFactFile, SourceNotFound
from knowledge.fact_rules import MAX_ANSWER_CHARS, MAX_QUESTION_CHARS
from knowledge.models import ImportOutcome, QuestionOrigin

HEADER = ("answer", "questions", "source", "quote", "keywords")
CIRCULAR = "pcs-dsg-circular-2014"
ACTOR = "import:facts.csv"


def sheet(*rows: Sequence[str], header: Sequence[str] = HEADER) -> bytes:
    """A CSV file as a spreadsheet saves it."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def merge(kb: KnowledgeBase, data: bytes, name: str = "facts.csv", *, dry_run: bool = False):
    return kb.merge_facts(read_fact_rows(data, name), actor=ACTOR, dry_run=dry_run)


def agm_row(answer: str = "The branch AGM is in May.") -> tuple[str, ...]:
    return (answer, "when is the branch agm;what month is the agm", CIRCULAR, "", "agm")


def outcomes(summary) -> list[ImportOutcome]:
    return [line.outcome for line in summary.lines]


def test_new_changed_and_unchanged_rows_are_applied_with_history(kb: KnowledgeBase) -> None:
    first, second = kb.fact(1), kb.fact(2)
    data = sheet(
        agm_row(),
        ("A corrected answer.", "", first.source_key, first.quote, ""),
        (second.answer, "", second.source_key, second.quote, ""),
    )
    summary = merge(kb, data)
    assert summary.applied
    assert outcomes(summary) == [ImportOutcome.NEW, ImportOutcome.CHANGED, ImportOutcome.UNCHANGED]
    new_id = summary.lines[0].fact_id
    assert new_id is not None and kb.fact(new_id).answer == "The branch AGM is in May."
    assert kb.ask("when is the branch agm", place="console").fact.id == new_id
    changed = kb.fact(1)
    assert changed.answer == "A corrected answer."
    assert changed.questions == first.questions  # a merge never drops what a fact was taught
    assert [(e.action, e.actor) for e in kb.fact_history(1)][-1] == ("edit", ACTOR)
    assert [(e.action, e.actor) for e in kb.fact_history(new_id)] == [("add", ACTOR)]
    assert len(kb.fact_history(2)) == 1  # unchanged: no history entry


def test_a_dry_run_prints_the_same_summary_and_changes_nothing(kb: KnowledgeBase) -> None:
    before = kb.facts()
    data = sheet(agm_row(), ("A corrected answer.", "", kb.fact(1).source_key, kb.fact(1).quote))
    dry = merge(kb, data, dry_run=True)
    assert not dry.applied
    assert outcomes(dry) == [ImportOutcome.NEW, ImportOutcome.CHANGED]
    assert kb.facts() == before
    assert len(kb.fact_history(1)) == 1
    applied = merge(kb, data)
    assert outcomes(applied) == outcomes(dry) and applied.applied


def test_importing_the_same_file_again_changes_nothing(kb: KnowledgeBase) -> None:
    data = sheet(agm_row(), ("Another fact.", "is there another fact", CIRCULAR, "", ""))
    merge(kb, data)
    count = kb.count_facts()
    again = merge(kb, data)
    assert outcomes(again) == [ImportOutcome.UNCHANGED] * 2
    assert kb.count_facts() == count


def test_a_row_matches_by_quote_first_then_by_answer(kb: KnowledgeBase) -> None:
    fact = kb.fact(1)
    other_quote = kb.fact(2).quote  # in the same source, cited by fact 2
    assert kb.fact(2).source_key == fact.source_key
    summary = merge(kb, sheet((fact.answer, "", fact.source_key, other_quote, "")))
    # The quote names fact 2 before the answer names fact 1.
    assert summary.lines[0].fact_id == 2 and summary.lines[0].outcome is ImportOutcome.CHANGED


def test_a_new_quote_for_a_known_answer_changes_that_fact(kb: KnowledgeBase) -> None:
    fact = kb.fact(1)
    passage = kb.quote_passage(CIRCULAR, "corporate shared services").text
    summary = merge(kb, sheet((fact.answer.upper(), "", CIRCULAR, passage, "")))
    assert summary.lines[0].outcome is ImportOutcome.CHANGED and summary.lines[0].fact_id == 1
    assert kb.fact(1).source_key == CIRCULAR and kb.fact(1).quote == passage


def test_new_questions_and_keywords_are_added_never_replaced(kb: KnowledgeBase) -> None:
    fact = kb.fact(3)
    kb.resolve(kb.ask("zzq unusual wording for three", place="dm").logged.id, 3, actor="rep")
    taught = kb.fact(3).questions
    row = (fact.answer, f"{fact.questions[0].text};a brand new wording", fact.source_key)
    summary = merge(kb, sheet((*row, fact.quote, "newkeyword")))
    assert outcomes(summary) == [ImportOutcome.CHANGED]
    merged = kb.fact(3)
    assert merged.questions[: len(taught)] == taught
    assert merged.questions[len(taught) :] == (merged.questions[-1],)
    assert merged.questions[-1].text == "a brand new wording"
    assert merged.questions[-1].origin is QuestionOrigin.REP
    assert merged.keywords == (*fact.keywords, "newkeyword")


def test_one_refused_row_and_nothing_is_applied(kb: KnowledgeBase) -> None:
    before = kb.facts()
    summary = merge(kb, sheet(agm_row(), ("Bad.", "q", "no-such-source", "", "")))
    assert outcomes(summary) == [ImportOutcome.NEW, ImportOutcome.REFUSED]
    assert not summary.applied
    assert kb.facts() == before


def test_a_quote_not_in_its_source_is_refused_with_the_closest_passage(kb: KnowledgeBase) -> None:
    wrong = "the threat to corporate shared services is clearer"
    summary = merge(kb, sheet(("An answer.", "a question", CIRCULAR, wrong, "")))
    line = summary.lines[0]
    assert line.outcome is ImportOutcome.REFUSED
    assert line.passage == kb.quote_passage(CIRCULAR, wrong).text
    assert line.passage in line.reason


@pytest.mark.parametrize(
    ("answer", "questions", "source", "quote"),
    [
        ("x" * (MAX_ANSWER_CHARS + 1), ["q"], CIRCULAR, ""),
        ("", ["q"], CIRCULAR, ""),
        ("An answer.", [], CIRCULAR, ""),
        ("An answer.", ["q" * (MAX_QUESTION_CHARS + 1)], CIRCULAR, ""),
        ("An answer.", ["q"], "no-such-source", ""),
        ("An answer.", ["q"], CIRCULAR, "words that the circular never says at all"),
    ],
)
def test_a_row_is_refused_with_the_message_add_fact_gives(
    kb: KnowledgeBase, answer: str, questions: list[str], source: str, quote: str
) -> None:
    with pytest.raises((InvalidFact, SourceNotFound)) as refused:
        kb.add_fact(answer=answer, source_key=source, quote=quote, questions=questions, actor="r")
    summary = merge(kb, sheet((answer, ";".join(questions), source, quote, "")))
    assert summary.lines[0].outcome is ImportOutcome.REFUSED
    assert summary.lines[0].reason == str(refused.value)


def test_a_source_may_be_named_by_its_title(kb: KnowledgeBase) -> None:
    title = kb.source(CIRCULAR).title
    summary = merge(kb, sheet(("The AGM is in May.", "when is the agm", f" {title.upper()} ", "")))
    assert summary.applied
    assert kb.fact(summary.lines[0].fact_id).source_key == CIRCULAR


def test_a_row_repeated_in_the_file_is_refused_naming_the_first(kb: KnowledgeBase) -> None:
    summary = merge(kb, sheet(agm_row(), agm_row()))
    assert outcomes(summary) == [ImportOutcome.NEW, ImportOutcome.REFUSED]
    assert "row 2" in summary.lines[1].reason
    assert not summary.applied


def test_two_rows_matching_one_fact_are_refused(kb: KnowledgeBase) -> None:
    fact = kb.fact(1)
    by_quote = ("New answer.", "", fact.source_key, fact.quote, "")
    by_answer = (fact.answer, "", CIRCULAR, "", "")
    summary = merge(kb, sheet(by_quote, by_answer))
    assert outcomes(summary) == [ImportOutcome.CHANGED, ImportOutcome.REFUSED]
    assert "fact 1" in summary.lines[1].reason and "row 2" in summary.lines[1].reason


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("https://example.com","click")', "+44 20 7946 0000", "-1+1", " @SUM(A1:A2)"],
)
@pytest.mark.parametrize("column", HEADER)
def test_a_formula_looking_cell_is_refused_never_evaluated(cell: str, column: str) -> None:
    row = dict(zip(HEADER, agm_row(), strict=True))
    row[column] = cell
    problem = read_fact_rows(sheet(tuple(row.values())), "facts.csv")[0].problem
    assert column in problem and "formula" in problem


def test_a_formula_looking_row_is_listed_with_its_reason(kb: KnowledgeBase) -> None:
    count = kb.count_facts()
    summary = merge(kb, sheet(agm_row(), agm_row('=HYPERLINK("https://example.com","click")')))
    assert outcomes(summary) == [ImportOutcome.NEW, ImportOutcome.REFUSED]
    assert "formula" in summary.lines[1].reason
    assert kb.count_facts() == count


def test_a_row_with_more_cells_than_the_header_is_refused(kb: KnowledgeBase) -> None:
    summary = merge(kb, sheet((*agm_row(), "stray")))
    assert summary.lines[0].outcome is ImportOutcome.REFUSED
    assert "6 cells" in summary.lines[0].reason


def test_rows_are_numbered_as_a_spreadsheet_shows_them(kb: KnowledgeBase) -> None:
    data = sheet(agm_row(), ("", "", "", "", ""), ("Multi\nline.", "q", CIRCULAR, "", ""))
    assert [line.where for line in merge(kb, data, dry_run=True).lines] == ["row 2", "row 4"]


def test_utf8_with_excels_byte_order_mark_is_read(kb: KnowledgeBase) -> None:
    data = codecs.BOM_UTF8 + sheet(("The AGM\u2019s in May.", "when\u2019s the agm", CIRCULAR, ""))
    summary = merge(kb, data)
    assert summary.applied and kb.fact(summary.lines[0].fact_id).answer == "The AGM\u2019s in May."


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"answer,questions,source,keywords\nA.,q,x,k\n", "f.csv", "'quote' column"),
        (b"answer,questions,source,qoute\nA.,q,x,k\n", "f.csv", "unknown column 'qoute'"),
        (b"answer,answer,questions,source,quote\n", "f.csv", "twice"),
        (
            "answer,questions,source,quote\nAGM\u2019s in May.,q,x,\n".encode("cp1252"),
            "f.csv",
            "UTF-8",
        ),
        (b"", "f.csv", "empty"),
        (b"\n  \n", "f.csv", "empty"),
        (b"answer,questions,source,quote,keywords\n", "f.csv", "no facts"),
        (b'[[fact]]\nanswer = "unclosed\n', "f.toml", "not valid TOML"),
        (b"title = 'no facts here'\n", "f.toml", "no [[fact]]"),
        (b"answer,questions,source,quote\nA.,q,x,y\n", "f.xlsx", ".csv or a .toml"),
        (
            b'answer,questions,source,quote\n"unclosed,q,x,y\nA.,q,x,y\n',
            "f.csv",
            "not readable CSV",
        ),
    ],
)
def test_a_file_that_cannot_be_read_says_why_in_one_line(data: bytes, name: str, says: str) -> None:
    with pytest.raises(InvalidFactFile) as error:
        read_fact_rows(data, name)
    assert says in str(error.value) and "\n" not in str(error.value)


def test_a_wrong_encoding_names_the_line() -> None:
    data = "answer,questions,source,quote\nA.,q,x,\nThe AGM\u2019s in May.,q,x,\n"
    with pytest.raises(InvalidFactFile, match="line 3"):
        read_fact_rows(data.encode("cp1252"), "f.csv")


def test_a_toml_file_in_the_facts_toml_format_merges(kb: KnowledgeBase) -> None:
    exported = facts_toml([kb.fact(1), kb.fact(2)])
    edited = exported.replace(kb.fact(2).answer, "Fact two, reworded.")
    summary = merge(kb, edited.encode(), "facts.toml")
    assert outcomes(summary) == [ImportOutcome.UNCHANGED, ImportOutcome.CHANGED]
    assert [line.where for line in summary.lines] == ["fact 1 (id 1)", "fact 2 (id 2)"]
    assert kb.fact(2).answer == "Fact two, reworded."


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ('answer = "A."\nsource = "x"\nquestions = ["q"]\nreplaces = [3]', "unknown field"),
        ('answer = "A."\nsource = "x"\nquestions = "q"', "list of texts"),
        ('answer = 3\nsource = "x"\nquestions = ["q"]', "must be text"),
    ],
)
def test_a_malformed_toml_fact_is_refused_with_its_reason(
    kb: KnowledgeBase, entry: str, says: str
) -> None:
    summary = merge(kb, f"[[fact]]\n{entry}\n".encode(), "facts.toml")
    assert summary.lines[0].outcome is ImportOutcome.REFUSED and says in summary.lines[0].reason


def test_ten_thousand_rows_are_planned_and_one_bad_row_stops_them_all(kb: KnowledgeBase) -> None:
    """The planning of a big file is linear (the apply's figures: benchmarks/bulk_import.py)."""
    rows = [
        (f"Fact {n} of the branch.", f"what is branch fact {n}", CIRCULAR, "", "")
        for n in range(10_000)
    ]
    count = kb.count_facts()
    summary = merge(kb, sheet(*rows, ("Bad.", "q", "no-such-source", "", "")))
    assert summary.count(ImportOutcome.NEW) == 10_000
    assert summary.count(ImportOutcome.REFUSED) == 1
    assert not summary.applied and kb.count_facts() == count
