"""Match a member's question to one fact, a few suggestions, or nothing.

The package, one job a module:

* ``readings`` – the readings of a question scored (whole, first part, the sentence that asks);
* ``index`` – every fact's terms, postings and semantic vector, by slot;
* ``lexical`` – vetoes, candidates with score bounds, and the 0-100 lexical score;
* ``meaning`` – semantic closeness of a question to every fact;
* ``decision`` – the one rule: answer, suggest or leave, and what pruning may skip;
* ``matching`` – ``Matcher``, which puts them together.
"""

from knowledge.matcher.decision import MAX_SUGGESTIONS
from knowledge.matcher.lexical import NAME_WEIGHT
from knowledge.matcher.matching import Matcher

__all__ = ["MAX_SUGGESTIONS", "NAME_WEIGHT", "Matcher"]
