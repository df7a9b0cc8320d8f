"""Reproducible large knowledge bases and question mixes for ``benchmarks.latency``.

A generated fact is a curated fact rewritten: some of its content words are
replaced, consistently across its answer, quote, keywords and example
questions, by words of the curated vocabulary or of an English word list
(wordfreq's), a clause of another fact's answer may be appended, and it keeps
two to six of the base fact's example questions. Every generated fact gets a
distinct id and its own combination of substituted words, so the index sees
realistic variety rather than thousands of copies.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence

from wordfreq import top_n_list

from knowledge.models import ExampleQuestion, Fact, QuestionOrigin

FIRST_GENERATED_ID = 1_000_000
WORD_LIST_SIZE = 30_000
ANSWERABLE_SHARE = 0.7
"""Share of benchmark questions reworded from a fact's example question; the rest are off-topic."""

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")
_SHORT_WORDS = frozenset(
    [
        *("that", "this", "with", "from", "have", "will", "what", "when", "where", "which"),
        *("their", "there", "about", "into", "been", "they", "them", "were", "would", "could"),
        *("should", "does", "more", "also", "than", "then", "only", "other", "some", "such"),
    ]
)
_FILLERS = ("", "", "", "hi, ", "quick question: ", "does anyone know ", "sorry but ")
OFF_TOPIC = (
    "What time does the canteen open on Saturdays?",
    "How do I reset my laptop password?",
    "Who won the football last night?",
    "Can you recommend a good pizza place near the office?",
    "What is the capital of Australia?",
    "How many days of annual leave do I get after five years?",
    "Is the car park closed for resurfacing next week?",
    "When is the next bank holiday?",
    "How do I claim back my train fare for a training course?",
    "What's the wifi password in the meeting rooms?",
    "Can I bring my dog to work on Fridays?",
    "Who do I talk to about a broken chair?",
)


def word_pool(facts: Sequence[Fact]) -> list[str]:
    """The curated facts' own words and a common English word list, in a fixed order."""
    curated = {word.lower() for fact in facts for word in _WORD.findall(fact.answer)}
    english = [word for word in top_n_list("en", WORD_LIST_SIZE) if word.isalpha()]
    return sorted(curated) + [word for word in english if len(word) >= 4]


def knowledge_base(curated: Sequence[Fact], size: int, seed: int = 0) -> list[Fact]:
    """``size`` facts: the curated ones first, then generated ones (same ``seed``, same facts)."""
    return list(generated_facts(curated, size, seed))


def generated_facts(curated: Sequence[Fact], size: int, seed: int = 0) -> Iterator[Fact]:
    """The facts of ``knowledge_base``, one at a time, for a caller that need not hold them all."""
    yield from curated[:size]
    if size <= len(curated):
        return
    rng = random.Random(seed)
    pool = word_pool(curated)
    for number in range(size - len(curated)):
        yield _generated(curated, pool, rng, FIRST_GENERATED_ID + number)


def _generated(curated: Sequence[Fact], pool: list[str], rng: random.Random, fact_id: int) -> Fact:
    base = rng.choice(curated)
    questions = rng.sample(base.question_texts, min(len(base.questions), rng.randint(2, 6)))
    words = _content_words(base.answer)
    chosen = set(rng.sample(words, min(len(words), rng.randint(2, 6))))
    # One word of each example question too, so that no two facts share a wording.
    chosen.update(rng.choice(_content_words(text) or [""]) for text in questions)
    replacements = {word.lower(): rng.choice(pool) for word in sorted(chosen) if word}

    def rewrite(text: str) -> str:
        return _WORD.sub(lambda m: replacements.get(m.group().lower(), m.group()), text)

    answer = rewrite(base.answer)
    if rng.random() < 0.4:
        donor = rng.choice(curated).answer.split(". ")[0].rstrip(".")
        answer = f"{answer} {rewrite(donor)}."
    elif rng.random() < 0.3:
        answer = answer.split(". ")[0].rstrip(".") + "."
    return Fact(
        id=fact_id,
        answer=answer,
        source_key=base.source_key,
        quote=rewrite(base.quote),
        questions=tuple(ExampleQuestion(rewrite(text), QuestionOrigin.REP) for text in questions),
        keywords=tuple(dict.fromkeys(replacements.values())),
    )


def _content_words(text: str) -> list[str]:
    words = {w for w in _WORD.findall(text) if w.lower() not in _SHORT_WORDS}
    return sorted(words, key=lambda word: (word.lower(), word))


def question_mix(examples: Sequence[Sequence[str]], count: int, seed: int = 1) -> list[str]:
    """``count`` questions: reworded example questions with slips, and off-topic ones.

    ``examples`` holds each fact's example questions (``Fact.question_texts``).
    """
    rng = random.Random(seed)
    questions = []
    for _ in range(count):
        if rng.random() >= ANSWERABLE_SHARE:
            questions.append(rng.choice(OFF_TOPIC))
            continue
        words = rng.choice(rng.choice(examples)).split()
        if len(words) > 4 and rng.random() < 0.5:
            del words[rng.randrange(len(words))]
        if rng.random() < 0.4:
            spot = rng.randrange(len(words))
            words[spot] = _typo(words[spot], rng)
        text = " ".join(words)
        questions.append(rng.choice(_FILLERS) + (text.lower() if rng.random() < 0.5 else text))
    return questions


def _typo(word: str, rng: random.Random) -> str:
    """Swap two neighbouring letters of a longer word, as a fast typist does."""
    if len(word) < 5 or not word.isalpha():
        return word
    spot = rng.randrange(1, len(word) - 2)
    return word[:spot] + word[spot + 1] + word[spot] + word[spot + 2 :]
