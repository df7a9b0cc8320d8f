"""Passages of registered documents: how texts are cut, and what a search returns."""

from __future__ import annotations

import io
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.curated import load_curated, source_texts
from knowledge.index_cache import _Pickler
from knowledge.paragraphs import MAX_PASSAGE_CHARS, Passage, split_passages
from knowledge.passages import PassageIndex

ARTICLE = (
    "Steria deal agreed\n\n"
    "The UK government will retain a 25 percent stake in SSCL, while Steria will hold "
    "the remaining 75 percent stake.\n\n"
    "PCS has asked for government to reassure staff that their work will not be sent "
    "overseas.\n"
)
CIRCULAR = (
    "MoD's corporate shared services are currently run by Defence Business Services (DBS), "
    "managed under a strategic business partner contract by Serco.\n\n"
    "Our union has a petition against the offshoring of shared service jobs, which members "
    "can sign online.\n"
)


def verbatim(passage: Passage, text: str) -> bool:
    return text[passage.start : passage.end] == passage.text


@pytest.fixture(scope="module")
def index() -> PassageIndex:
    return PassageIndex.build([("article", ARTICLE), ("circular", CIRCULAR)])


# ------------------------------------------------------------------- splitting


def test_paragraphs_are_split_on_blank_lines_with_their_positions() -> None:
    passages = split_passages("article", ARTICLE)
    assert [p.paragraph for p in passages] == [1, 2]  # the headline is not a passage
    assert passages[0].text.startswith("The UK government will retain")
    assert passages[1].text.endswith("sent overseas.")
    assert all(verbatim(p, ARTICLE) and p.source_key == "article" for p in passages)


def test_a_50000_word_paragraph_becomes_bounded_passages_of_whole_sentences() -> None:
    sentence = "The shared service centre in Newcastle processes payroll for many departments. "
    text = sentence * 5_000  # 55,000 words, no blank line
    passages = split_passages("long", text)
    assert len(passages) > 100
    assert all(len(p.text) <= MAX_PASSAGE_CHARS and verbatim(p, text) for p in passages)
    assert all(p.text.endswith("departments.") for p in passages)
    assert {p.paragraph for p in passages} == {0}


def test_a_paragraph_of_one_endless_sentence_is_cut_between_words() -> None:
    text = "union " * 50_000
    passages = split_passages("endless", text)
    assert passages and all(len(p.text) <= MAX_PASSAGE_CHARS for p in passages)
    assert all(verbatim(p, text) and p.text.startswith("union") for p in passages)


def test_a_word_longer_than_a_passage_is_cut_without_crashing() -> None:
    text = "Words before it. " + "x" * 5_000 + " and words after it all in one paragraph."
    passages = split_passages("blob", text)
    assert all(len(p.text) <= MAX_PASSAGE_CHARS and verbatim(p, text) for p in passages)


def test_tables_flattened_to_lines_of_numbers_are_not_passages() -> None:
    table = "\n".join(" ".join(str(n * row) for n in range(1, 8)) for row in range(1, 10))
    text = f"{table}\n\nYear 2013 2014 2015 2016 2017 2018 2019\n\n{CIRCULAR}"
    passages = split_passages("report", text)
    assert [p.paragraph for p in passages] == [2, 3]
    assert all(any(c.isalpha() for c in p.text) for p in passages)


@pytest.mark.parametrize("text", ["", "   \n\n \t\n", "\n\n\n", "Title only"])
def test_a_source_with_no_text_has_no_passages(text: str) -> None:
    assert split_passages("empty", text) == []
    index = PassageIndex.build([("empty", text)])
    assert len(index) == 0
    assert index.search("who runs DBS?") == []


def test_odd_unicode_is_kept_verbatim() -> None:
    text = (
        "Zero\u200bwidth, e\u0301 combining, \u00a0non-breaking, emoji 🤔, RTL \u202eevil\u202c "
        "and a \ufb01 ligature in one paragraph about Steria.\r\n\r\n"
        "A second paragraph, after Windows line ends and a\u2029paragraph separator, "
        "then a third paragraph with words."
    )
    passages = split_passages("odd", text)
    assert len(passages) == 3
    assert all(verbatim(p, text) for p in passages)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=3_000))
def test_every_passage_is_a_bounded_verbatim_slice_of_any_text(text: str) -> None:
    passages = split_passages("any", text)
    assert all(verbatim(p, text) and 0 < len(p.text) <= MAX_PASSAGE_CHARS for p in passages)
    assert [p.start for p in passages] == sorted(p.start for p in passages)


# ---------------------------------------------------------------------- search


def test_search_returns_the_verbatim_passage_with_its_source(index: PassageIndex) -> None:
    hits = index.search("How big is the government's stake in SSCL?")
    assert hits
    best = hits[0]
    assert best.source_key == "article"
    assert "25 percent stake" in best.text
    assert ARTICLE[best.start : best.start + len(best.text)] == best.text
    assert best.paragraph == 1


def test_the_other_source_answers_its_own_question(index: PassageIndex) -> None:
    hits = index.search("who manages DBS for the MoD?")
    assert hits and hits[0].source_key == "circular"
    assert "Serco" in hits[0].text


def test_the_first_of_two_questions_is_searched_alone(index: PassageIndex) -> None:
    # Whole, it asks "how much", which no passage about DBS can answer.
    hits = index.search("Who manages DBS for the MoD, and how much does the MoD pay for it?")
    assert hits and hits[0].source_key == "circular" and "Serco" in hits[0].text


def test_at_most_limit_hits_best_first(index: PassageIndex) -> None:
    hits = index.search("Steria stake SSCL government staff overseas", limit=1)
    assert len(hits) <= 1
    assert index.search("How big is the government's stake in SSCL?", limit=0) == []


@pytest.mark.parametrize(
    "question", ["Steria", "DBS", "petition", "the", "?", "", "🤔", "stake " * 50_000]
)
def test_a_question_of_one_word_or_none_is_handled(index: PassageIndex, question: str) -> None:
    hits = index.search(question)
    assert len(hits) <= 2
    assert all(hit.text in ARTICLE + CIRCULAR for hit in hits)
    if question in ("the", "?", "", "🤔"):
        assert hits == []


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_question_gets_at_most_two_verbatim_passages(
    index: PassageIndex, question: str
) -> None:
    hits = index.search(question)
    assert len(hits) <= 2
    assert all(hit.text in (ARTICLE, CIRCULAR)[hit.source_key == "circular"] for hit in hits)


@pytest.mark.parametrize(
    "question",
    [
        "will it rain this weekend",
        "How much will my salary be cut when I move to SSCL?",
        "What is the phone number of Serco's chief executive?",
    ],
)
def test_nothing_is_returned_for_what_the_documents_do_not_say(
    index: PassageIndex, question: str
) -> None:
    assert index.search(question) == []


def test_everyone_and_markdown_in_a_passage_are_returned_verbatim() -> None:
    # Escaping belongs to whoever renders the passage (the bot's renderer), as for
    # every text the bot echoes: the index must not rewrite the document.
    text = "@everyone **Urgent**: the `petition` against _offshoring_ closes on Friday, sign now."
    hits = PassageIndex.build([("notice", text)]).search("when does the offshoring petition close?")
    assert [hit.text for hit in hits] == [text]


def test_update_replaces_a_sources_passages() -> None:
    index = PassageIndex.build([("article", ARTICLE), ("circular", CIRCULAR)])
    question = "Who manages DBS under the partner contract?"
    assert index.search(question)[0].source_key == "circular"
    index.update("circular", "Our union has a petition against the offshoring of jobs here.")
    assert index.search(question) == []
    index.update("article", ARTICLE + "\n\nDBS is managed by Capita under a partner contract now.")
    hits = index.search(question)
    assert hits and hits[0].source_key == "article" and "Capita" in hits[0].text


def test_remove_forgets_a_source_and_unknown_keys_are_ignored() -> None:
    index = PassageIndex.build([("article", ARTICLE), ("circular", CIRCULAR)])
    before = len(index)
    index.remove("circular")
    index.remove("never-registered")
    assert len(index) == before - len(split_passages("circular", CIRCULAR))
    assert index.search("who manages DBS for the MoD?") == []
    assert index.search("How big is the government's stake in SSCL?")[0].source_key == "article"


def test_a_saved_index_loads_and_answers_the_same() -> None:
    index = PassageIndex.build([("article", ARTICLE), ("circular", CIRCULAR)])
    # Saved as the matcher's index is, with the pickler that stands in a call for
    # PyStemmer's unpicklable stemmer (knowledge.index_cache).
    saved = io.BytesIO()
    _Pickler(saved, protocol=pickle.HIGHEST_PROTOCOL).dump(index)
    loaded = pickle.loads(saved.getvalue())
    for question in ("who manages DBS for the MoD?", "How big is the government's stake in SSCL?"):
        assert loaded.search(question) == index.search(question) != []
    loaded.remove("circular")
    assert loaded.search("who manages DBS for the MoD?") == []
    assert index.search("who manages DBS for the MoD?") != []


def test_many_updates_reclaim_slots_and_keep_results() -> None:
    # The circular's passages come after the article's first version, so reclaiming
    # the removed slots moves them.
    index = PassageIndex.build([("article", ARTICLE), ("circular", CIRCULAR)])
    for version in range(700):  # enough removed slots to be reclaimed
        index.update("article", ARTICLE.replace("25 percent", f"{version} percent"))
    assert len(index) == len(split_passages("article", ARTICLE)) + len(
        split_passages("circular", CIRCULAR)
    )
    hits = index.search("How big is the government's stake in SSCL?")
    assert "699 percent" in hits[0].text
    assert index.search("who manages DBS for the MoD?")[0].source_key == "circular"


def test_the_curated_documents_answer_a_question_their_facts_cover() -> None:
    curated = load_curated()
    index = PassageIndex.build(source_texts(curated.sources.values()).items())
    hits = index.search("When was the ISSC1 contract awarded?")
    assert hits and hits[0].source_key == "steria-article-2013"
    assert "March" in hits[0].text
