"""Read a document's text: plain text, Markdown, PDF (pypdf) or Word .docx (python-docx).

The type is taken from the content (PDF magic bytes; a .docx is a zip holding
``word/document.xml``) and must agree with the file's name, so a mislabelled
file is refused rather than read as something it is not.

>>> extract_text(Path("circular.pdf"))
"""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

from knowledge.errors import InvalidDocument

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
PDF_SUFFIXES = frozenset({".pdf"})
DOCX_SUFFIXES = frozenset({".docx"})
_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = b"PK\x03\x04"
_CONTROL_SHARE = 0.01
"""Share of control characters above which "text" is taken to be binary."""


def extract_text(path: Path) -> str:
    """The text of the document at ``path``.

    Raises ``InvalidDocument`` for a file that is missing, over 5 MB, of an
    unsupported or mislabelled type, empty, binary, or a scanned PDF.
    """
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise InvalidDocument(f"{path.name} is over 5 MB ({size / 1024 / 1024:.1f} MB)")
        data = path.read_bytes()
    except OSError as error:
        raise InvalidDocument(f"cannot read {path.name}: {error.strerror or error}") from error
    return text_of(data, path.name)


def text_of(data: bytes, name: str) -> str:
    """The text of a document's bytes, its type told by ``name``'s suffix and checked
    against the content. Raises ``InvalidDocument`` as ``extract_text`` does."""
    suffix = Path(name).suffix.lower()
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidDocument(f"{name} is over 5 MB")
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
    if not text.strip():
        raise InvalidDocument(f"{name} has no text")
    return text


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


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as error:
        raise InvalidDocument(f"{name} is not a readable PDF: {error}") from error
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text.strip():
        raise InvalidDocument(
            f"{name} has no text layer: scanned documents are not supported"
            " (paste its text instead, or use a PDF with selectable text)"
        )
    return text


def _docx_text(data: bytes, name: str) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise InvalidDocument(f"{name} is not a readable Word document: {error}") from error
    return "\n\n".join(
        paragraph.text for paragraph in document.paragraphs if paragraph.text.strip()
    )
