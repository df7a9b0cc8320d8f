"""A child process for the crash-safety test: writes until it is killed.

``python -m tests.knowledge.crash_writer DB`` adds a fact and logs an
unanswered question, over and over, printing ``fact <id>`` and
``question <id>`` (flushed) after each write is committed. The test kills it
with SIGKILL at a random moment and checks that every printed id is stored.
"""

from __future__ import annotations

import itertools
import sys

from knowledge.database import open_database
from knowledge.facts import FactStore
from knowledge.sources import SourceStore
from knowledge.unanswered import UnansweredLog


def main(path: str) -> None:
    db = open_database(path)
    facts, log = FactStore(db), UnansweredLog(db)
    source = SourceStore(db).sources()[0].key
    log.open_entry("warm up")  # reads the analyser's word lists before the kills begin
    print("ready", flush=True)
    for number in itertools.count():
        fact = facts.add_fact(
            answer=f"Crash-test fact {number}.",
            source_key=source,
            quote="",
            questions=[f"what is crash test fact {number}"],
            actor="crash-test",
        )
        print(f"fact {fact.id}", flush=True)
        # Distinct words each time, so that no two are grouped as one question.
        entry = log.record(
            f"question {number} " + " ".join(str(number * 7919 + i) for i in range(5)),
            place="console",
            best_score=0.0,
            nearest_fact_id=None,
        )
        print(f"question {entry.id}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
