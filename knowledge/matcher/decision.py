"""The one decision: answer, suggest, or leave a question for a rep.

A confident, clear winner answers; a middling score or a close race suggests;
anything else is left unanswered. The same ``Decision`` object also tells the
matcher's pruning which unscored facts could still change that outcome, so
deciding and pruning cannot drift apart. How the thresholds were set, with
the figures, is in benchmarks/README.md ("How the matcher's thresholds were set").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from knowledge.matcher.index import FactIndex
from knowledge.matcher.meaning import Meaning
from knowledge.models import Candidate, Match, Outcome

ANSWER_THRESHOLD = 67.0
"""The least lexical score (0-100) that answers: each lower one tried answered a
union question wrongly."""
SUGGEST_THRESHOLD = 40.0
CLEAR_WINNER_MARGIN = 4.0
"""How far an answer's score must lead the runner-up's; a closer race is offered as suggestions."""
EXACT_MATCH_SCORE = 99.5
"""A question that reads (once analysed) as one of a fact's example questions scores
100: a wording a curator or rep gave that fact, so it answers when it leads at
all (another fact with the same wording ties)."""
EXACT_MATCH_LEAD = 0.5
MAX_SUGGESTIONS = 3

FEW_WORDINGS = 20
"""A fact with fewer example questions than this (every fact a rep adds by command;
the curated ones have 20 to 95) answers only when the meaning agrees too: with few
wordings a lexical lead over a neighbouring fact is weak evidence."""
AGREEING_CONFIDENCE = 1.5
"""The least fused confidence (lexical score / 100 + semantic closeness) of such an answer."""
AGREEING_LEAD = 0.05
"""How far such a fact's semantic closeness must lead every other fact's."""
SUGGEST_CONFIDENCE = 0.8
"""The least fused confidence of a "did you mean" suggestion."""
SUGGEST_CLOSENESS_ALONE = 0.65
"""The least semantic closeness of a suggestion that shares no word with the question:
a question sharing no word with any fact ("what time does the canteen open?") is
logged for reps, not redirected."""
SEMANTIC_POOL = 8
"""Suggestions are drawn from the lexical finalists and this many semantically closest facts."""
CONSIDERED = MAX_SUGGESTIONS
"""The most facts a decision looks at: the top one, the runner-up, the suggestions."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The rule for one question, given what is known of it before scoring:
    how close in meaning every fact is, and, for each reading that asks what
    something is ("what is DBS"), which facts say what it is."""

    index: FactIndex
    meaning: Meaning
    asking_what: tuple[np.ndarray, ...] = ()

    def may_answer(self, slot: int, score: float) -> bool:
        """May the fact in ``slot`` answer, with this lexical score?

        Not when the question asks what something is and the fact does not say.
        A fact with few wordings must also be clearly the closest in meaning,
        with enough fused confidence. One of the fact's own wordings, word for
        word, always may: a curator or rep said it answers.
        """
        if score >= EXACT_MATCH_SCORE:
            return True
        if self.asking_what and not any(flags[slot] for flags in self.asking_what):
            return False
        if self.index.fact_at(slot).example_count >= FEW_WORDINGS:
            return True
        mine = self.meaning.of(slot)
        return (
            mine >= self.meaning.best_other_than(slot) + AGREEING_LEAD
            and score / 100.0 + mine >= AGREEING_CONFIDENCE
        )

    def outcome(self, ranked: list[tuple[int, float]]) -> Match:
        """The decision on the best-scored slots (highest first): an answer, the
        lexical suggestions, or unanswered. Suggestions are re-ranked by
        ``suggestions`` before a member sees them."""
        if not ranked:
            return Match(Outcome.UNANSWERED, score=0.0)
        top_slot, top_score = ranked[0]
        top_id = self.index.fact_at(top_slot).fact_id
        if top_score < SUGGEST_THRESHOLD:
            return Match(Outcome.UNANSWERED, score=top_score, nearest_fact_id=top_id)
        if top_score >= ANSWER_THRESHOLD and _clear(ranked) and self.may_answer(*ranked[0]):
            return Match(Outcome.ANSWER, score=top_score, fact_id=top_id, nearest_fact_id=top_id)
        return Match(Outcome.SUGGESTIONS, score=top_score, nearest_fact_id=top_id)

    def could_change(self, bound: float, best: list[tuple[float, int]], alone: bool) -> bool:
        """Could a fact scoring up to ``bound`` change the outcome, given the
        ``best`` (score, slot) pairs so far, highest first?

        It could if it may beat the top; or, while the top would answer, if it
        may come within ``CLEAR_WINNER_MARGIN`` of it; or else if it may be one
        of the ``CONSIDERED``. The shortcut for a clear answer holds only when
        the question is read ``alone`` (one reading): another reading could
        still make it a close race.
        """
        if not best or bound >= best[0][0]:
            return True
        top, top_slot = best[0]
        if (
            alone
            and top >= ANSWER_THRESHOLD
            and (len(best) < 2 or best[1][0] < top - CLEAR_WINNER_MARGIN)
            and self.may_answer(top_slot, top)
        ):
            return bound >= top - CLEAR_WINNER_MARGIN
        return bound >= SUGGEST_THRESHOLD and (len(best) < CONSIDERED or bound >= best[-1][0])

    def suggestions(self, unanswered: Match, pool: dict[int, float]) -> Match:
        """Did you mean: of the ``pool`` (each slot's lexical score: the lexical
        finalists and the semantically closest), the facts most likely by both
        signals, ranked by fused confidence."""
        closeness = self.meaning.closeness
        fused = sorted(
            ((score / 100.0 + float(closeness[slot]), slot) for slot, score in pool.items()),
            reverse=True,
        )
        supported = [
            (confidence, slot)
            for confidence, slot in fused
            if confidence >= (SUGGEST_CONFIDENCE if pool[slot] > 0 else SUGGEST_CLOSENESS_ALONE)
        ]
        suggestions = tuple(
            Candidate(self.index.fact_at(slot).fact_id, 50.0 * confidence)
            for confidence, slot in supported[:MAX_SUGGESTIONS]
        )
        nearest = unanswered.nearest_fact_id
        if nearest is None and fused:
            nearest = self.index.fact_at(fused[0][1]).fact_id
        outcome = Outcome.SUGGESTIONS if suggestions else Outcome.UNANSWERED
        return Match(
            outcome, score=unanswered.score, suggestions=suggestions, nearest_fact_id=nearest
        )


def _clear(ranked: list[tuple[int, float]]) -> bool:
    """Does the top score lead the runner-up's clearly (or, for one of the fact's
    own wordings, at all)?"""
    top_score = ranked[0][1]
    lead = top_score - (ranked[1][1] if len(ranked) > 1 else 0.0)
    return lead >= CLEAR_WINNER_MARGIN or (
        top_score >= EXACT_MATCH_SCORE and lead >= EXACT_MATCH_LEAD
    )
