"""Hypothesis strategies for hostile text, shared by the core's and the bot's tests.

Arbitrary Unicode (control, zero-width and right-to-left characters
included), Markdown and code blocks, mentions of everyone, roles and users,
SQL-looking and prompt-injection text, and sizes up to 100,000 characters.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from benchmarks.hostile import MAX_CHARS, PIECES

piece = st.sampled_from(PIECES)
hostile_text = st.lists(st.one_of(piece, st.text(max_size=40)), max_size=25).map("".join)
"""Short hostile text: pieces and arbitrary Unicode mixed."""
huge_text = st.builds(
    lambda unit, times: (unit * times)[:MAX_CHARS],
    st.one_of(piece, st.text(min_size=1, max_size=30)),
    st.integers(min_value=1, max_value=MAX_CHARS),
)
"""One hostile unit repeated, up to ``MAX_CHARS`` characters."""
any_text = st.one_of(hostile_text, huge_text)

HOSTILE_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
"""Modest example counts keep the suite fast; the time hostile text takes is a
benchmark figure (``python -m benchmarks.latency``, "hostile questions")."""
