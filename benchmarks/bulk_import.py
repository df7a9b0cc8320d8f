"""Time a rep's big spreadsheet: ``python -m benchmarks.bulk_import [--rows 10000]``.

Writes a CSV of ``--rows`` new facts (two example questions and a keyword
each, citing the curated circular) and merges it into a fresh knowledge base
with the curated facts, as ``run_bot.py facts import --merge`` does: reading
the file, a dry run, the import itself (stored and indexed by the matcher),
and the same file again (every row unchanged). Prints seconds for each, of
the clock and of this process's CPU (the second does not depend on what
else the machine runs).
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
from pathlib import Path

from knowledge import KnowledgeBase, read_fact_rows
from knowledge.models import ImportOutcome

SOURCE = "pcs-dsg-circular-2014"


def spreadsheet(rows: int) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(("answer", "questions", "source", "quote", "keywords"))
    for n in range(rows):
        writer.writerow(
            (
                f"Branch notice {n}: the office in building {n} moves next spring.",
                f"when does building {n} move;where is the building {n} office going",
                SOURCE,
                "",
                f"building{n}",
            )
        )
    return out.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    rows = parser.parse_args().rows
    data = spreadsheet(rows)
    with tempfile.TemporaryDirectory() as folder:
        kb = KnowledgeBase.open(Path(folder) / "knowledge.db")
        timings: list[tuple[str, float, float]] = []
        clock, cpu = time.perf_counter(), time.process_time()
        facts = read_fact_rows(data, "branch.csv")
        timings.append(("read the file", time.perf_counter() - clock, time.process_time() - cpu))
        for step, dry_run in (("dry run", True), ("import", False), ("same file again", False)):
            clock, cpu = time.perf_counter(), time.process_time()
            summary = kb.merge_facts(facts, actor="import:branch.csv", dry_run=dry_run)
            timings.append((step, time.perf_counter() - clock, time.process_time() - cpu))
            assert summary.count(ImportOutcome.REFUSED) == 0
        assert summary.count(ImportOutcome.UNCHANGED) == rows
        kb.close()
    print(f"{rows:,} rows, {len(data) / 1e6:.1f} MB of CSV")
    print(f"  {'':<16} {'clock':>7} {'CPU':>7}")
    for step, seconds, cpu_seconds in timings:
        print(f"  {step:<16} {seconds:6.1f}s {cpu_seconds:6.1f}s")


if __name__ == "__main__":
    main()
