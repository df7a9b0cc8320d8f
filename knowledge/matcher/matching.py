"""The matcher: a member's question in, one fact, a few suggestions, or nothing out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from knowledge.analysis import Analyser, Analysis
from knowledge.lexicon import Lexicon, default_lexicon
from knowledge.matcher import lexical
from knowledge.matcher.decision import CONSIDERED, SEMANTIC_POOL, Decision
from knowledge.matcher.index import FactIndex
from knowledge.matcher.lexical import Reading
from knowledge.matcher.meaning import meaning_of
from knowledge.matcher.readings import readings
from knowledge.models import Fact, Match, Outcome
from knowledge.semantic import default_encoder

_FIRST_BATCH = 8
_LAST_BATCH = 2048
"""Candidates are scored together, in batches growing from the first size to the last."""


class Matcher:
    """Scores questions against a set of facts.

    >>> from knowledge.curated import load_curated
    >>> matcher = Matcher(load_curated().facts)
    >>> matcher.match("who owns sscl").outcome
    <Outcome.ANSWER: 'answer'>

    A question's candidates are the live facts that escape every lexical veto
    (``knowledge.matcher.lexical``); they are scored in full, in batches, best
    bound first, only until no bound left could change the ``Decision``. The
    decisions are those of scoring every fact (tests/knowledge/test_matcher_index.py).
    ``upsert`` and ``remove`` change one fact's entries; nothing is rebuilt.

    An iterator of facts is copied (the index reads them twice); a collection
    or any other re-iterable is not, so one that makes its facts as it goes
    never has them all in memory.
    """

    def __init__(self, facts: Iterable[Fact], lexicon: Lexicon | None = None) -> None:
        if isinstance(facts, Iterator):  # it could be read only once
            facts = list(facts)
        analyser = Analyser(lexicon or default_lexicon())
        self._index = FactIndex(facts, analyser, default_encoder())

    def __len__(self) -> int:
        return len(self._index)

    def __getstate__(self) -> dict[str, object]:
        return {"_index": self._index}

    def __setstate__(self, state: dict[str, object]) -> None:
        index = state["_index"]
        assert isinstance(index, FactIndex)
        index.encoder = default_encoder()  # the model is read from its package, never saved
        self._index = index

    def upsert(self, fact: Fact) -> None:
        """Add or replace one fact; it is answerable at once."""
        self._index.upsert(fact)

    def upsert_all(self, facts: Sequence[Fact]) -> None:
        """Add or replace many facts (an import's); they are answerable at once."""
        self._index.upsert_all(facts)

    def remove(self, fact_id: int) -> None:
        self._index.remove(fact_id)

    def carries_content(self, question: str) -> bool:
        """Does ``question`` hold any word the analyser keeps (not only filler,
        symbols or emoji)? One that does not can never be answered."""
        return bool(self.analyse(question).terms)

    def analyse(self, text: str) -> Analysis:
        """``text`` as the matcher reads it: its terms, typos repaired to the facts' words."""
        return self._index.analyser.analyse(text)

    def match(self, question: str, excluded_fact_ids: Iterable[int] = ()) -> Match:
        """Decide what to reply to ``question``; never raises on any string."""
        index = self._index
        excluded = [index.facts[i].slot for i in excluded_fact_ids if i in index.facts]
        found = []
        for text in readings(question):
            analysis = index.analyser.analyse(text)
            if not lexical.says_enough(analysis):
                continue
            reading = lexical.candidates(index, analysis, excluded)
            if reading is not None:
                found.append(reading)
        decision = Decision(
            index,
            meaning_of(index, question, excluded),
            tuple(r.says_what_it_is for r in found if r.says_what_it_is is not None),
        )
        alone = len(found) == 1
        finalists = {slot for reading in found for slot in self._best_of(reading, decision, alone)}
        scored = [(slot, _best_score(index, found, slot)) for slot in finalists]
        ranked = sorted(
            [(slot, score) for slot, score in scored if score is not None],
            key=lambda item: item[1],
            reverse=True,
        )
        match = decision.outcome(ranked)
        if match.outcome is Outcome.ANSWER:
            return match
        pool = dict(ranked[:CONSIDERED])
        for slot in decision.meaning.closest_slots(SEMANTIC_POOL):
            if slot not in pool:
                pool[slot] = _best_score(index, found, slot) or 0.0
        return decision.suggestions(match, pool)

    def _best_of(self, reading: Reading, decision: Decision, alone: bool) -> list[int]:
        """The slots of the facts the decision could look at, scoring as few as possible.

        Candidates are scored in batches, in order of their bound, until the next
        bound could not change the decision; every later bound is lower, so the
        facts left unscored cannot matter.
        """
        best: list[tuple[float, int]] = []
        slots, bounds = reading.slots, reading.bounds
        start, size = 0, _FIRST_BATCH
        while start < len(slots) and decision.could_change(float(bounds[start]), best, alone):
            batch = slots[start : start + size].tolist()
            for slot, score in zip(batch, lexical.scores(self._index, reading, batch), strict=True):
                reading.scores[slot] = score
                best.append((score, slot))
            best.sort(key=lambda item: item[0], reverse=True)
            del best[CONSIDERED:]
            start, size = start + size, min(size * 4, _LAST_BATCH)
        return [slot for _, slot in best]


def _best_score(index: FactIndex, found: list[Reading], slot: int) -> float | None:
    """The fact's best score over the question's readings; None when every one vetoes it."""
    scores = [lexical.score_in(index, reading, slot) for reading in found]
    return max((score for score in scores if score is not None), default=None)
