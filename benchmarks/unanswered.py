"""Unanswered-log benchmark: ``python -m benchmarks.unanswered [--sizes 0 1000 10000]``.

Fills a fresh knowledge base's unanswered log, as members would, with distinct
questions of common English words (so that entries share terms, as real ones
do), and at each size prints the time to log one more question and to find the
entry it belongs to (grouping alone), with, as the baseline in the same run,
the comparison grouping made before the index: the new question's cleaned text
against every open entry's, by rapidfuzz ratio.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz, process
from wordfreq import top_n_list

from knowledge.base import KnowledgeBase
from knowledge.database import write_transaction
from knowledge.text import clean
from knowledge.unanswered import UnansweredLog

OPENINGS = ("when is the", "why is the", "who runs the", "how much is the", "is my", "what about")
PROBES = 200
OLD_SAME_QUESTION_SCORE = 90.0
"""The rapidfuzz ratio the old grouping took for one question."""


def questions(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct questions: an opening and three common words."""
    words = top_n_list("en", 5_000)[300:]
    made: dict[str, None] = {}
    while len(made) < count:
        made[f"{rng.choice(OPENINGS)} {' '.join(rng.sample(words, 3))}?"] = None
    return list(made)


def old_grouping(log: UnansweredLog, question: str) -> int | None:
    """Grouping as it was: the cleaned question against every open entry."""
    db = log._db
    rows = db.execute("SELECT id, normalised FROM unanswered WHERE status = 'open'").fetchall()
    found = process.extractOne(
        clean(question),
        {entry_id: text for entry_id, text in rows},
        scorer=fuzz.ratio,
        score_cutoff=OLD_SAME_QUESTION_SCORE,
    )
    return None if found is None else int(found[2])


def mean_ms(action: Callable[[str], object], probes: list[str]) -> float:
    timings = []
    for probe in probes:
        started = time.perf_counter()
        action(probe)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.fmean(timings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 1_000, 10_000])
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    rng = random.Random(18)
    sizes = sorted(arguments.sizes)
    asked = questions(sizes[-1] + 3 * PROBES * len(sizes), rng)
    fill, probes = asked[: sizes[-1]], asked[sizes[-1] :]
    fill.reverse()  # taken from the end, in the order made
    print(f"mean of {PROBES} new questions at each size")
    print("open entries | log one question | grouping alone | baseline: old grouping")
    with tempfile.TemporaryDirectory() as folder:
        kb = KnowledgeBase.open(Path(folder) / "knowledge.db")
        log: UnansweredLog = kb._unanswered
        for size in sizes:
            # One transaction for the filling: only the probes' times are measured.
            with write_transaction(kb._db):
                for _ in range(size - len(kb.unanswered_questions())):
                    log.record(fill.pop(), place="dm", best_score=0.0, nearest_fact_id=None)
            open_count = len(kb.unanswered_questions())
            batch, probes = probes[: 3 * PROBES], probes[3 * PROBES :]
            grouping = mean_ms(log.open_entry, batch[:PROBES])
            baseline = mean_ms(lambda q: old_grouping(log, q), batch[PROBES : 2 * PROBES])
            logging_ms = mean_ms(
                lambda q: log.record(q, place="dm", best_score=0.0, nearest_fact_id=None),
                batch[2 * PROBES :],
            )
            print(
                f"{open_count:>12} | {logging_ms:>13.2f} ms | {grouping:>11.2f} ms"
                f" | {baseline:.2f} ms"
            )
        kb.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
