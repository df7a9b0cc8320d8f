"""Read a file of facts to import: a spreadsheet saved as CSV, or a ``facts.toml``-style file.

Pure reading, no store: the rows it returns are checked against the knowledge
base by ``KnowledgeBase.merge_facts``. A file that cannot be read as a whole
raises ``InvalidFactFile``; a row that can be read but not trusted comes back
with its ``problem`` set, so that the summary lists it with the others.

>>> data = b"answer,questions,source,quote,keywords\\nYes.,is it so;really?,pcs,It is.,\\n"
>>> read_fact_rows(data, "facts.csv")[0].questions
('is it so', 'really?')
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tomllib
from collections.abc import Iterator

from knowledge.errors import InvalidFactFile
from knowledge.models import FactRow

MAX_FILE_BYTES = 20_000_000
"""Far above 10,000 facts with their questions (about 5 MB): a bigger file is a mistake."""
COLUMNS = ("answer", "questions", "source", "quote", "keywords")
REQUIRED_COLUMNS = COLUMNS[:4]
LIST_SEPARATOR = re.compile(r"[;\n]")
"""Questions and keywords in one cell are separated by ";" (or new lines, as the bot's
``questions:`` option takes them)."""
FORMULA_STARTS = ("=", "+", "-", "@")
"""What makes a spreadsheet read a cell as a formula (OWASP's "CSV injection")."""
TOML_FIELDS = {"id", "source", "answer", "questions", "keywords", "quote"}


def read_fact_rows(data: bytes, name: str) -> list[FactRow]:
    """The facts in file ``name`` (``.csv`` or ``.toml``) holding ``data``.

    Raises ``InvalidFactFile`` when the file cannot be read as a whole.
    """
    if len(data) > MAX_FILE_BYTES:
        raise InvalidFactFile(f"{name} is too big (at most {MAX_FILE_BYTES // 1_000_000} MB)")
    text = _decode(data, name)
    if not text.strip():
        raise InvalidFactFile(f"{name} is empty")
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix == "csv":
        rows = list(_csv_rows(text, name))
    elif suffix == "toml":
        rows = _toml_rows(text, name)
    else:
        raise InvalidFactFile(f"{name}: give a .csv or a .toml file")
    if not rows:
        raise InvalidFactFile(f"{name} has a header row but no facts")
    return rows


def _decode(data: bytes, name: str) -> str:
    """UTF-8, with or without the byte-order mark Excel writes with "CSV UTF-8"."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InvalidFactFile(
            f'{name} is not UTF-8 text (line {line}); save it as "CSV UTF-8" or UTF-8'
        ) from error


def _csv_rows(text: str, name: str) -> Iterator[FactRow]:
    # Strict: an unclosed quote would otherwise swallow every later row into one cell.
    records = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [cell.strip().lower() for cell in next(records)]
        columns = _columns(header, name)
        # Row numbers as a spreadsheet shows them: the header is row 1.
        for number, record in enumerate(records, start=2):
            if any(cell.strip() for cell in record):
                yield _csv_row(f"row {number}", record, columns)
    except csv.Error as error:
        raise InvalidFactFile(f"{name} is not readable CSV: {error}") from error


def _columns(header: list[str], name: str) -> dict[str, int]:
    """Each known column's position; raises ``InvalidFactFile`` for a missing,
    unknown or repeated one (a misspelt column would otherwise be lost silently)."""
    unknown = [column for column in header if column not in COLUMNS]
    if unknown:
        raise InvalidFactFile(
            f"{name}: unknown column {unknown[0]!r}; the header row is {','.join(COLUMNS)}"
        )
    repeated = {column for column in header if header.count(column) > 1}
    if repeated:
        raise InvalidFactFile(f"{name}: column {sorted(repeated)[0]!r} appears twice")
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise InvalidFactFile(
            f"{name} has no {missing[0]!r} column; the header row is {','.join(COLUMNS)}"
            " (keywords may be left out)"
        )
    return {column: header.index(column) for column in header}


def _csv_row(where: str, record: list[str], columns: dict[str, int]) -> FactRow:
    cells = {column: record[i] if i < len(record) else "" for column, i in columns.items()}
    row = FactRow(
        where=where,
        answer=cells["answer"].strip(),
        source=cells["source"].strip(),
        quote=cells["quote"].strip(),
        questions=_items(cells["questions"]),
        keywords=_items(cells.get("keywords", "")),
    )
    if len(record) > len(columns):
        return _refused(row, f"it has {len(record)} cells where the header has {len(columns)}")
    # Refused, not stored as text: a spreadsheet shows such a cell as what the formula
    # computes, so the text in the file is not what the rep read and approved, and
    # a member would be shown "=HYPERLINK(…)" as an answer. Nothing here is evaluated.
    for column, cell in cells.items():
        if cell.strip().startswith(FORMULA_STARTS):
            return _refused(
                row,
                f"its {column} starts with {cell.strip()[0]!r}, which a spreadsheet"
                " reads as a formula; write it as plain text",
            )
    return row


def _items(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in LIST_SEPARATOR.split(cell) if part.strip())


def _toml_rows(text: str, name: str) -> list[FactRow]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidFactFile(f"{name} is not valid TOML: {error}") from error
    entries = document.get("fact")
    if not isinstance(entries, list) or not entries:
        raise InvalidFactFile(f"{name} has no [[fact]] tables (see knowledge/data/facts.toml)")
    return [_toml_row(number, entry) for number, entry in enumerate(entries, start=1)]


def _toml_row(number: int, entry: object) -> FactRow:
    if not isinstance(entry, dict):
        return FactRow(f"fact {number}", "", "", "", (), problem="it is not a [[fact]] table")
    where = f"fact {number}" + (f" (id {entry['id']})" if "id" in entry else "")
    texts = {name: entry.get(name, "") for name in ("answer", "source", "quote")}
    lists = {name: entry.get(name, []) for name in ("questions", "keywords")}
    row = FactRow(
        where=where,
        answer=texts["answer"].strip() if isinstance(texts["answer"], str) else "",
        source=texts["source"].strip() if isinstance(texts["source"], str) else "",
        quote=texts["quote"].strip() if isinstance(texts["quote"], str) else "",
        questions=_strings(lists["questions"]),
        keywords=_strings(lists["keywords"]),
    )
    unknown = sorted(set(entry) - TOML_FIELDS)
    if unknown:
        return _refused(row, f"unknown field {unknown[0]!r}")
    for field, value in texts.items():
        if not isinstance(value, str):
            return _refused(row, f"its {field} must be text")
    for field, value in lists.items():
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return _refused(row, f"its {field} must be a list of texts")
    return row


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(item.strip() for item in value if isinstance(item, str) and item.strip())


def _refused(row: FactRow, problem: str) -> FactRow:
    return FactRow(
        row.where, row.answer, row.source, row.quote, row.questions, row.keywords, problem
    )
