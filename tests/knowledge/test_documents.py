"""Hostile uploads: each refused in the reading process with one line naming the limit
or the fault, and nothing fetched, while members' questions are answered meanwhile."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.documents import (
    EXTRACTION_MEMORY_BYTES,
    EXTRACTION_SECONDS,
    MAX_DOCUMENT_BYTES,
    MAX_PDF_PAGES,
    MAX_TEXT_CHARS,
    extract,
    text_of,
)
from knowledge.errors import InvalidDocument
from tests.cli.documents import text_pdf, word_docx
from tests.knowledge import hostile_documents as hostile

KNOWN_QUESTION = "who owns sscl?"

HOSTILE: list[tuple[str, Callable[[], bytes], str]] = [
    ("bomb.docx", hostile.inflating_docx, "20 MB limit for one part"),
    ("lying.docx", hostile.lying_docx, "Bad CRC"),
    ("malformed.docx", hostile.malformed_docx, "not a readable Word document"),
    ("cut.pdf", hostile.cut_pdf, "cut short"),
    ("archive.pdf", hostile.zip_named_pdf, "not a PDF"),
    ("nested.pdf", lambda: hostile.nested_pdf(100_000), "not a readable PDF"),
    ("deep.pdf", lambda: hostile.deep_page_tree_pdf(5_000), "not a readable PDF"),
    ("circular.pdf", hostile.circular_pdf, "not a readable PDF"),
    ("blank.pdf", lambda: hostile.blank_pages_pdf(10_000), f"limit is {MAX_PDF_PAGES:,}"),
    ("inflating.pdf", lambda: hostile.inflating_pdf(MAX_TEXT_CHARS + 1), f"{MAX_TEXT_CHARS:,}"),
]
"""Name, builder, and what the refusal must name."""


def refusal(
    data: bytes,
    name: str,
    *,
    seconds: float = EXTRACTION_SECONDS,
    memory_bytes: int = EXTRACTION_MEMORY_BYTES,
) -> str:
    """The one line ``extract`` refuses the document with."""
    with pytest.raises(InvalidDocument) as refused:
        extract(data, name, seconds=seconds, memory_bytes=memory_bytes)
    message = str(refused.value)
    assert message.strip() and "\n" not in message and "Traceback" not in message
    assert name in message
    return message


@pytest.mark.parametrize(("name", "build", "says"), HOSTILE, ids=[case[0] for case in HOSTILE])
def test_a_hostile_document_is_refused_with_one_line_naming_why(
    name: str, build: Callable[[], bytes], says: str
) -> None:
    data = build()
    assert len(data) <= MAX_DOCUMENT_BYTES, "the file itself passes the file-size check"
    assert says in refusal(data, name)


def test_text_up_to_the_cap_is_read_and_one_character_more_is_refused() -> None:
    assert len(text_of(b"a" * MAX_TEXT_CHARS, "long.txt")) == MAX_TEXT_CHARS
    with pytest.raises(InvalidDocument, match=f"{MAX_TEXT_CHARS:,} characters"):
        text_of(b"a" * (MAX_TEXT_CHARS + 1), "long.txt")


def test_a_pdf_at_the_page_cap_is_read_not_refused_for_its_pages() -> None:
    with pytest.raises(InvalidDocument) as refused:
        text_of(hostile.blank_pages_pdf(MAX_PDF_PAGES), "blank.pdf")
    assert "no text layer" in str(refused.value)


def test_good_documents_are_read_in_the_child_as_in_process() -> None:
    pdf, word = text_pdf(hostile.LINES), word_docx(hostile.LINES)
    assert extract(pdf, "c7.pdf") == text_of(pdf, "c7.pdf")
    assert extract(word, "c7.docx") == text_of(word, "c7.docx") == "\n\n".join(hostile.LINES)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A local server that any fetch of the document's links would reach."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    yield server
    server.close()


def test_a_docx_pointing_at_a_url_is_read_without_fetching_it(listener: socket.socket) -> None:
    host, port = listener.getsockname()
    text = extract(hostile.external_docx(f"http://{host}:{port}"), "linked.docx")
    assert "Read it online" in text and hostile.LINES[1] in text
    with pytest.raises(TimeoutError):
        listener.accept()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_docx_declaring_an_external_entity_is_refused_without_fetching_it(
    listener: socket.socket, encoding: str
) -> None:
    # python-docx leaves the entity unresolved, silently dropping the text after it.
    host, port = listener.getsockname()
    data = hostile.entity_docx(f"http://{host}:{port}", encoding)
    assert "<!DOCTYPE" in refusal(data, "entity.docx")
    with pytest.raises(TimeoutError):
        listener.accept()


def test_reading_past_the_time_limit_is_refused_and_the_reader_killed() -> None:
    started = time.perf_counter()
    message = refusal(hostile.blank_pages_pdf(10_000), "slow.pdf", seconds=0.05)
    assert "0.05 s limit" in message
    assert time.perf_counter() - started < 2
    assert not _children(), "the reading process was left running"


def test_reading_past_the_memory_limit_is_refused() -> None:
    # 590,000 empty paragraphs: a 20 MB document.xml, just under the part cap, that
    # lxml needs about 450 MB to parse. The interpreter with its parsers maps about
    # 40 MB, so 64 MB leaves too little.
    message = refusal(hostile.many_paragraphs_docx(590_000), "dense.docx", memory_bytes=64 << 20)
    assert "64 MB memory limit" in message


def _children() -> list[int]:
    """The ids of this process's running child processes (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_members_are_answered_while_an_upload_is_being_read(kb: KnowledgeBase) -> None:
    outcome: list[BaseException] = []

    def upload() -> None:
        try:
            extract(hostile.blank_pages_pdf(10_000), "slow.pdf")
        except InvalidDocument as error:
            outcome.append(error)

    reading = threading.Thread(target=upload)
    reading.start()
    deadline = time.monotonic() + 30
    while not _children() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _children(), "the reading process never started"
    answered_while_reading = 0
    while _children():
        assert kb.ask(KNOWN_QUESTION, place="console").answered
        answered_while_reading += 1 if _children() else 0
    reading.join()
    assert answered_while_reading >= 1
    assert len(outcome) == 1 and "pages" in str(outcome[0])
