"""The chart of questions per week for ``/kb stats``: a PNG made to be read on a phone.

Drawn with matplotlib's Agg renderer on a ``Figure`` of its own (no pyplot and
its global state), so it can be drawn in a worker thread, off the event loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from knowledge.models import WeekCounts

WIDTH_PX, HEIGHT_PX = 800, 500
DPI = 100
FONT_SIZE = 15
"""Large enough to read when Discord shrinks the image to a phone's width."""
SERIES = (
    ("answered", "Answered", "#2e7d32"),
    ("suggested", "Suggested", "#f9a825"),
    ("unanswered", "Unanswered", "#c62828"),
)
"""Each outcome: its ``WeekCounts`` field, its label and a colour that tells them apart."""


def weekly_chart(weeks: Sequence[WeekCounts]) -> bytes:
    """A PNG (``WIDTH_PX`` x ``HEIGHT_PX``) of ``weeks``' questions, one stacked bar a week."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [f"{week.week_start:%d %b}".lstrip("0") for week in weeks]
    bottom = [0] * len(weeks)
    for field, label, colour in SERIES:
        heights = [getattr(week, field) for week in weeks]
        axes.bar(labels, heights, bottom=bottom, label=label, color=colour)
        bottom = [base + height for base, height in zip(bottom, heights, strict=True)]
    axes.set_title("Questions per week", fontsize=FONT_SIZE + 3)
    axes.tick_params(axis="x", labelsize=FONT_SIZE - 3, labelrotation=45)
    axes.tick_params(axis="y", labelsize=FONT_SIZE)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    # Below the axes, so that it never hides a bar.
    figure.legend(fontsize=FONT_SIZE, frameon=False, loc="outside lower center", ncols=len(SERIES))
    image = BytesIO()
    figure.savefig(image, format="png", dpi=DPI)
    return image.getvalue()
