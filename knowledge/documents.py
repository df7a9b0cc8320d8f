"""Read a document's text: plain text, Markdown, PDF (pypdf) or Word .docx (python-docx).

The type is taken from the content (PDF magic bytes; a .docx is a zip holding
``word/document.xml``) and must agree with the file's name, so a mislabelled
file is refused rather than read as something it is not.

An uploaded document is hostile until read: a small file can expand to a huge
text, a deep object tree or a parser crash. So ``extract`` reads it in a child
process under a memory and a time limit, and the reading itself refuses a
document over any of the limits below (``InvalidDocument``, naming the limit).
The bot and the CLI both call ``extract``; the curated documents shipped with
the project are trusted and read in-process with ``extract_text``.
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import resource
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

from knowledge.errors import InvalidDocument

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
"""The file itself, checked before anything is read from it."""
MAX_TEXT_CHARS = 2_000_000
"""Extracted text: about 300 dense pages, far more than a circular, letter or
agreement, and small enough to store and search at once."""
MAX_PDF_PAGES = 1_000
"""Pages of a PDF: a long annual report has a few hundred."""
MAX_DOCX_PART_BYTES = 20 * 1024 * 1024
"""Uncompressed size of one part of a .docx: ten times the text cap, room for the
markup Word wraps around every run of text."""
MAX_DOCX_BYTES = 50 * 1024 * 1024
"""Uncompressed size of all a .docx's parts together."""
MAX_DOCX_PARTS = 1_000
"""Parts in a .docx: Word writes a dozen or two, plus one per image."""
EXTRACTION_SECONDS = 60.0
"""Wall-clock time to read one document: each hostile test document is read or
refused in under 2 s here, and a rep's deferred reply may wait far longer."""
EXTRACTION_MEMORY_BYTES = 512 * 1024 * 1024
"""Address space of the reading process: the densest .docx part allowed (20 MB of
one-letter paragraphs) peaks at about 450 MB while lxml parses it."""

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
PDF_SUFFIXES = frozenset({".pdf"})
DOCX_SUFFIXES = frozenset({".docx"})
_PDF_MAGIC = b"%PDF-"
_PDF_END = b"%%EOF"
_PDF_END_WINDOW = 1024
"""A PDF ends with %%EOF; readers look for it in the last kilobyte, as Acrobat does."""
_ZIP_MAGIC = b"PK\x03\x04"
_CONTROL_SHARE = 0.01
"""Share of control characters above which "text" is taken to be binary."""
_CHUNK_BYTES = 1024 * 1024
_DOCTYPES = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))
"""A DTD in an XML part, in each encoding an XML part may use."""
_DOCTYPE_TAIL = max(len(doctype) for doctype in _DOCTYPES)
_REASON_CHARS = 120


def extract(
    data: bytes,
    name: str,
    *,
    seconds: float = EXTRACTION_SECONDS,
    memory_bytes: int = EXTRACTION_MEMORY_BYTES,
) -> str:
    """The text of an uploaded document's bytes, read in a child process.

    The child runs ``text_of`` with its address space capped at ``memory_bytes``
    and is killed after ``seconds``, so a parser that hangs, crashes or balloons
    costs that process only, and the caller's threads keep serving. Blocks the
    calling thread until the child ends: run it off any thread that answers members.

    Raises ``InvalidDocument`` as ``text_of`` does, and when the reading runs
    out of time or memory or the reader dies.
    """
    _check_file_size(len(data), name)
    command = [sys.executable, "-m", __name__, name, str(memory_bytes), str(seconds)]
    try:
        finished = subprocess.run(
            command,
            input=data,
            capture_output=True,
            timeout=seconds,
            env=_child_environment(),
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise InvalidDocument(
            f"{name} took longer than the {seconds:g} s limit to read;"
            " try a smaller document or paste its text"
        ) from error
    try:
        outcome = json.loads(finished.stdout)
    except ValueError:
        log.warning(
            "reading %s ended with status %s: %s",
            name,
            finished.returncode,
            finished.stderr.decode("utf-8", "replace")[-2000:],
        )
        raise InvalidDocument(
            f"{name} could not be read: the reader failed (exit status {finished.returncode});"
            " the file may be damaged"
        ) from None
    if "refused" in outcome:
        raise InvalidDocument(str(outcome["refused"]))
    return str(outcome["text"])


def _child_environment() -> dict[str, str]:
    """The parent's environment with this package first on the path, so the child
    reads with the same code as the parent whatever its working directory."""
    root = str(Path(__file__).resolve().parent.parent)
    paths = [root, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def _read_in_child(name: str, memory_bytes: int, seconds: float) -> dict[str, str]:
    """``text_of`` on the bytes on stdin, under the memory and CPU caps, as the
    child's answer."""
    # The parsers and the bytes are loaded first: the cap is for reading the
    # document, and an import that fails for memory leaves no exception to report.
    import docx  # noqa: F401
    import pypdf  # noqa: F401

    data = sys.stdin.buffer.read()
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # The parent kills the child at ``seconds`` of wall-clock time; should the
    # parent die first, the CPU cap still ends a reader that spins.
    cpu_seconds = math.ceil(seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    try:
        return {"text": text_of(data, name)}
    except InvalidDocument as error:
        return {"refused": str(error)}
    except MemoryError:
        return {
            "refused": f"{name} needs more than the {memory_bytes // 1024 // 1024} MB"
            " memory limit to read"
        }


def extract_text(path: Path) -> str:
    """The text of the trusted document at ``path``, read in this process.

    Raises ``InvalidDocument`` as ``read_document`` and ``text_of`` do.
    """
    return text_of(read_document(path), path.name)


def read_document(path: Path) -> bytes:
    """The bytes of the file at ``path``. Raises ``InvalidDocument`` for a file
    that is missing, unreadable or over the 5 MB limit (checked before reading)."""
    try:
        _check_file_size(path.stat().st_size, path.name)
        return path.read_bytes()
    except OSError as error:
        raise InvalidDocument(f"cannot read {path.name}: {error.strerror or error}") from error


def _check_file_size(size: int, name: str) -> None:
    if size > MAX_DOCUMENT_BYTES:
        raise InvalidDocument(
            f"{name} is over the 5 MB limit for a document ({size / 1024 / 1024:.1f} MB)"
        )


def text_of(data: bytes, name: str) -> str:
    """The text of a document's bytes, its type told by ``name``'s suffix and checked
    against the content.

    Raises ``InvalidDocument`` for a document over 5 MB, of an unsupported or
    mislabelled type, empty, binary, unreadable, a scanned PDF, or over a limit
    on what it expands to (text, PDF pages, .docx parts).
    """
    suffix = Path(name).suffix.lower()
    _check_file_size(len(data), name)
    if not data.strip():
        raise InvalidDocument(f"{name} is empty")
    kind = _content_kind(data)
    if suffix in PDF_SUFFIXES:
        if kind != "pdf":
            raise InvalidDocument(f"{name} is named .pdf but is not a PDF")
        text = _pdf_text(data, name)
    elif suffix in DOCX_SUFFIXES:
        if kind != "docx":
            raise InvalidDocument(f"{name} is named .docx but is not a Word document")
        text = _docx_text(data, name)
    elif suffix in TEXT_SUFFIXES:
        if kind != "text":
            raise InvalidDocument(f"{name} is named {suffix} but is a {kind} file, not text")
        text = _plain_text(data, name)
    else:
        raise InvalidDocument(
            f"{name}: unsupported file type {suffix or '(none)'}; use .txt, .md, .pdf or .docx"
        )
    _check_text_length(len(text), name)
    if not text.strip():
        raise InvalidDocument(f"{name} has no text")
    return text


def _check_text_length(length: int, name: str) -> None:
    if length > MAX_TEXT_CHARS:
        raise InvalidDocument(
            f"{name} has more text than the limit of {MAX_TEXT_CHARS:,} characters"
            " (about 300 pages); split it into smaller documents"
        )


def _content_kind(data: bytes) -> str:
    if data.startswith(_PDF_MAGIC):
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            return "binary"
        return "zip"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "binary"
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\n\r\t\f")
    return "binary" if "\x00" in text or controls > len(text) * _CONTROL_SHARE else "text"


def _plain_text(data: bytes, name: str) -> str:
    return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")


def _reason(error: BaseException) -> str:
    """A parser's complaint as one short line (some span lines or quote whole objects)."""
    first = (str(error).strip().splitlines() or [""])[0]
    reason = first[:_REASON_CHARS] if first else type(error).__name__
    return f"{reason}…" if len(first) > _REASON_CHARS else reason


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader

    # A cut file (an upload or a download broken off) is named as such, rather
    # than by whichever parse error pypdf meets first in what is left.
    if _PDF_END not in data[-_PDF_END_WINDOW:]:
        raise InvalidDocument(f"{name} is cut short: it does not end as a PDF does (%%EOF)")
    pages: list[str] = []
    length = 0
    # pypdf raises many kinds of error on malformed input (its own, ValueError,
    # KeyError, RecursionError on deep nesting, AttributeError on a wrong object
    # type...), so any error while parsing this document is a refusal of it.
    try:
        reader = PdfReader(io.BytesIO(data))
        count = len(reader.pages)
        if count <= MAX_PDF_PAGES:
            for page in reader.pages:
                text = (page.extract_text() or "").strip()
                length += len(text)
                if length > MAX_TEXT_CHARS:
                    break
                pages.append(text)
    except MemoryError:
        raise  # the memory limit, reported as such by the reading process
    except Exception as error:
        raise InvalidDocument(f"{name} is not a readable PDF: {_reason(error)}") from error
    if count > MAX_PDF_PAGES:
        raise InvalidDocument(f"{name} has {count:,} pages; the limit is {MAX_PDF_PAGES:,}")
    _check_text_length(length, name)
    text = "\n\n".join(page for page in pages if page)
    if not text.strip():
        raise InvalidDocument(
            f"{name} has no text layer: scanned documents are not supported"
            " (paste its text instead, or use a PDF with selectable text)"
        )
    return text


def _docx_text(data: bytes, name: str) -> str:
    import docx

    _check_docx_parts(data, name)
    # As for PDFs: python-docx and lxml raise many kinds of error on malformed
    # parts (XMLSyntaxError, KeyError, ValueError...), each a refusal of this file.
    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = [paragraph.text for paragraph in document.paragraphs]
    except MemoryError:
        raise  # the memory limit, reported as such by the reading process
    except Exception as error:
        raise InvalidDocument(
            f"{name} is not a readable Word document: {_reason(error)}"
        ) from error
    return "\n\n".join(text for text in paragraphs if text.strip())


def _check_docx_parts(data: bytes, name: str) -> None:
    """Refuse a .docx whose parts expand past the limits or declare a DTD, before
    any XML is parsed.

    The sizes the zip's central directory declares are checked first, so a zip
    bomb is refused without inflating it; then each part is inflated in chunks
    and counted, because the declared sizes can lie.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_DOCX_PARTS:
                raise InvalidDocument(
                    f"{name} has {len(parts):,} parts; the limit is {MAX_DOCX_PARTS:,}"
                )
            for part in parts:
                _check_part_size(part.file_size, part.filename, name)
            if sum(part.file_size for part in parts) > MAX_DOCX_BYTES:
                raise InvalidDocument(
                    f"{name} expands to more than the {MAX_DOCX_BYTES // 1024 // 1024} MB"
                    " limit for a Word document"
                )
            for part in parts:
                _check_part(archive, part, name)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, zlib.error) as error:
        raise InvalidDocument(
            f"{name} is not a readable Word document: {_reason(error)}"
        ) from error


def _check_part(archive: zipfile.ZipFile, part: zipfile.ZipInfo, name: str) -> None:
    """Inflate one part in chunks, counting its size and looking for a DTD in its XML."""
    xml = part.filename.endswith((".xml", ".rels"))
    size, tail = 0, b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK_BYTES):
            size += len(chunk)
            _check_part_size(size, part.filename, name)
            window, tail = tail + chunk, chunk[-_DOCTYPE_TAIL:]
            if xml and any(doctype in window for doctype in _DOCTYPES):
                raise InvalidDocument(
                    f"{name}: its part {part.filename[:80]} has a <!DOCTYPE, which Word never"
                    " writes (its entities could hide text or point elsewhere)"
                )


def _check_part_size(size: int, part: str, name: str) -> None:
    if size > MAX_DOCX_PART_BYTES:
        raise InvalidDocument(
            f"{name}: its part {part[:80]} expands past the"
            f" {MAX_DOCX_PART_BYTES // 1024 // 1024} MB limit for one part of a Word document"
        )


if __name__ == "__main__":
    # The child ``extract`` starts: its answer is one JSON object on stdout.
    json.dump(_read_in_child(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])), sys.stdout)
