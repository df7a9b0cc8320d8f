"""The unanswered questions as CSV, for a spreadsheet at a branch meeting.

Only what reps see in ``unanswered list``: never who asked, nor where.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from knowledge.models import Unanswered

COLUMNS = (
    "question",
    "times asked",
    "first asked",
    "last asked",
    "status",
    "nearest fact",
    "nearest fact's answer",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP's "CSV injection")."""


def unanswered_csv(entries: Iterable[Unanswered], answers: Mapping[int, str]) -> str:
    """``entries`` as CSV, in their order, with the answer of each one's nearest fact
    (``answers``, by fact id; empty for a fact since removed)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for entry in entries:
        nearest = entry.nearest_fact_id
        writer.writerow(
            [
                _as_text(entry.text),
                entry.count,
                entry.first_asked_at,
                entry.last_asked_at,
                entry.status.value,
                "" if nearest is None else nearest,
                _as_text(answers.get(nearest, "")) if nearest is not None else "",
            ]
        )
    return out.getvalue()


def _as_text(cell: str) -> str:
    """A member's words, kept as text when a spreadsheet opens the file.

    A question such as ``=HYPERLINK("http://…","click")`` is anyone's to type;
    opened as a formula it could show a rep a link or fetch a URL. A leading
    apostrophe is how spreadsheets mark a cell as text, and it is not displayed.
    """
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell
