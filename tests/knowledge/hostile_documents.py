"""Hostile documents made on the fly: zip bombs, malformed Word XML, cut and cyclic PDFs.

Each builder returns the file's bytes; none comes from the internet. The PDFs
are written object by object (``raw_pdf``) so each can break one rule.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib

from tests.cli.documents import raw_pdf, text_pdf, word_docx

LINES = ["Branch circular 7: payroll moves.", "The 120 posts will move to Newport."]
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARAGRAPH = b"<w:p><w:r><w:t>" + b"A" * 1000 + b"</w:t></w:r></w:p>"


def _stream(data: bytes, *, compress: bool = False) -> bytes:
    if compress:
        data = zlib.compress(data, 9)
        return (
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + (b"\nendstream")
        )
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _page(contents: bytes, parent: int = 2) -> bytes:
    return (
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792]"
        b" /Resources << /Font << /F1 3 0 R >> >> /Contents %s >>" % (parent, contents)
    )


def blank_pages_pdf(pages: int) -> bytes:
    """A PDF of ``pages`` blank pages: each a small object, the file well under 5 MB."""
    kids = b" ".join(b"%d 0 R" % (4 + n) for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        _FONT,
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] >>"] * pages
    return raw_pdf(objects)


def inflating_pdf(characters: int) -> bytes:
    """A one-page PDF whose compressed content stream shows ``characters`` letters."""
    line = b"(" + b"A" * 10_000 + b") Tj T* "
    shown = b"BT /F1 11 Tf 14 TL 72 720 Td " + line * (characters // 10_000 + 1) + b"ET"
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            _FONT,
            _page(b"5 0 R"),
            _stream(shown, compress=True),
        ]
    )


def nested_pdf(depth: int) -> bytes:
    """A PDF whose page carries an array nested ``depth`` deep."""
    nested = b"[" * depth + b"]" * depth
    content = _stream(b"BT /F1 11 Tf 72 720 Td (Nested) Tj ET")
    page = _page(b"5 0 R")[:-2] + b" /Annots " + nested + b" >>"
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            _FONT,
            page,
            content,
        ]
    )


def deep_page_tree_pdf(depth: int) -> bytes:
    """A PDF whose page sits under ``depth`` levels of page-tree nodes."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        number = 2 + level
        child = number + 1 if level < depth - 1 else depth + 3
        parent = b" /Parent %d 0 R" % (number - 1) if level else b""
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1%s >>" % (child, parent))
    objects.append(_FONT)  # object depth + 2
    objects.append(_page(b"%d 0 R" % (depth + 4), parent=depth + 1))
    objects.append(_stream(b"BT /F1 11 Tf 72 720 Td (Deep) Tj ET"))
    return raw_pdf(objects).replace(b"/F1 3 0 R", b"/F1 %d 0 R" % (depth + 2))


def circular_pdf() -> bytes:
    """A PDF whose page tree holds itself and whose page's contents refer to themselves."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 4 0 R] /Count 2 >>",
            _FONT,
            _page(b"[5 0 R]"),
            b"[5 0 R 4 0 R]",
        ]
    )


def cut_pdf() -> bytes:
    """A one-page PDF with text, cut off half-way."""
    whole = text_pdf(LINES)
    return whole[: len(whole) // 2]


def zip_named_pdf() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.pdf", text_pdf(LINES))
    return buffer.getvalue()


def _rewritten_docx(change: dict[str, bytes], extra: dict[str, bytes] | None = None) -> bytes:
    """The python-docx default document with parts replaced by ``change``."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(word_docx(LINES))) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for part in source.infolist():
            target.writestr(part.filename, change.get(part.filename, source.read(part)))
        for filename, data in (extra or {}).items():
            target.writestr(filename, data)
    return buffer.getvalue()


def _document_xml() -> bytes:
    with zipfile.ZipFile(io.BytesIO(word_docx(LINES))) as source:
        return source.read("word/document.xml")


@functools.cache
def inflating_docx(xml_bytes: int = 300_000_000) -> bytes:
    """A .docx whose document.xml inflates to ``xml_bytes`` (the issue's: 300 MB from
    about 750 KB), written in chunks so building it takes little memory."""
    head, tail = _document_xml().split(b"<w:body>", 1)
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(word_docx(LINES))) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for part in source.infolist():
            if part.filename != "word/document.xml":
                target.writestr(part.filename, source.read(part))
                continue
            with target.open("word/document.xml", "w", force_zip64=True) as stream:
                stream.write(head + b"<w:body>")
                block = _PARAGRAPH * 1000
                for _ in range(xml_bytes // len(block)):
                    stream.write(block)
                stream.write(tail)
    return buffer.getvalue()


def lying_docx(xml_bytes: int = 30_000_000, declared: int = 1_000) -> bytes:
    """A .docx whose zip declares its document.xml is ``declared`` bytes, when it
    inflates to ``xml_bytes``: its local header and central directory both lie."""
    head, tail = _document_xml().split(b"<w:body>", 1)
    body = _PARAGRAPH * (xml_bytes // len(_PARAGRAPH))
    data = bytearray(_rewritten_docx({"word/document.xml": head + b"<w:body>" + body + tail}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        part = archive.getinfo("word/document.xml")
    struct.pack_into("<I", data, part.header_offset + 22, declared)
    name_at = data.index(b"word/document.xml", data.index(b"PK\x01\x02"))
    central = data.rindex(b"PK\x01\x02", 0, name_at)
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def many_paragraphs_docx(paragraphs: int) -> bytes:
    """A .docx of ``paragraphs`` one-letter paragraphs: small parts, a big XML tree."""
    head, tail = _document_xml().split(b"<w:body>", 1)
    body = b"<w:p><w:r><w:t>a</w:t></w:r></w:p>" * paragraphs
    return _rewritten_docx({"word/document.xml": head + b"<w:body>" + body + tail})


def malformed_docx() -> bytes:
    """A .docx whose document.xml has one unclosed tag."""
    xml = _document_xml().replace(b"</w:t>", b"", 1)
    return _rewritten_docx({"word/document.xml": xml})


def external_docx(url: str) -> bytes:
    """A .docx that points at ``url`` in the ways Word allows: a hyperlink, a linked
    image, an attached template."""
    rels_name = "word/_rels/document.xml.rels"
    with zipfile.ZipFile(io.BytesIO(word_docx(LINES))) as source:
        rels = source.read(rels_name)
    kinds = {"rIdLink": ("hyperlink", ""), "rIdImage": ("image", "/i.png")}
    kinds["rIdTemplate"] = ("attachedTemplate", "/t.dotx")
    external = "".join(
        f'<Relationship Id="{rid}" TargetMode="External" Target="{url}{suffix}"'
        f' Type="{_RELATIONSHIPS}/{kind}"/>'
        for rid, (kind, suffix) in kinds.items()
    )
    rels = rels.replace(b"</Relationships>", external.encode() + b"</Relationships>")
    hyperlink = (
        b'<w:p><w:hyperlink r:id="rIdLink"><w:r><w:t>Read it online</w:t></w:r></w:hyperlink></w:p>'
    )
    xml = _document_xml().replace(b"<w:body>", b"<w:body>" + hyperlink, 1)
    return _rewritten_docx({rels_name: rels, "word/document.xml": xml})


def entity_docx(url: str, encoding: str = "utf-8") -> bytes:
    """A .docx whose document.xml, in ``encoding``, declares an external entity at
    ``url`` and uses it in its first paragraph."""
    xml = _document_xml().decode("utf-8")
    doctype = f'<!DOCTYPE w:document [<!ENTITY fetched SYSTEM "{url}/entity">]>'
    xml = xml.replace("?>", "?>" + doctype, 1).replace("<w:t>", "<w:t>&fetched;", 1)
    if encoding != "utf-8":
        xml = xml.replace("encoding='UTF-8'", f"encoding='{encoding.upper()}'", 1)
    return _rewritten_docx({"word/document.xml": xml.encode(encoding)})
