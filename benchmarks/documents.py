"""Peak memory of reading uploads: ``python -m benchmarks.documents [--no-baseline]``.

Builds the inflating .docx of issue 16 (document.xml of 300 MB in a file of about
750 KB) and a one-page .docx, then measures each way of reading them in a fresh
process: the uploading process's own peak resident memory and that of the
reading child ``extract`` starts. The baseline is the reading before the limits:
python-docx on the same file in-process (about 26 s and 1.1 GB; skip it with
``--no-baseline`` on a small machine).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.cli.documents import word_docx
from tests.knowledge.hostile_documents import LINES, inflating_docx

ROOT = Path(__file__).resolve().parent.parent


def measure(way: str, path: Path) -> dict[str, object]:
    """Read ``path`` one ``way`` in a fresh process; its figures."""
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.documents", "--measure", way, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    figures: dict[str, object] = json.loads(run.stdout)
    return figures


def _measure(way: str, path: Path) -> None:
    """In the fresh process: read the file, print peak memory (MB), time and outcome."""
    from knowledge.documents import extract, read_document
    from knowledge.errors import InvalidDocument

    started = time.perf_counter()
    try:
        if way == "extract":
            text = extract(read_document(path), path.name)
        else:
            import docx

            document = docx.Document(str(path))
            text = "\n\n".join(p.text for p in document.paragraphs if p.text.strip())
        outcome = f"read, {len(text):,} characters"
    except InvalidDocument as error:
        outcome = f"refused: {error}"
    print(
        json.dumps(
            {
                "seconds": round(time.perf_counter() - started, 2),
                "self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                "child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
                "outcome": outcome,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-baseline", action="store_true", help="skip the 1.1 GB reading")
    parser.add_argument("--measure", nargs=2, metavar=("WAY", "PATH"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        _measure(arguments.measure[0], Path(arguments.measure[1]))
        return
    with tempfile.TemporaryDirectory() as folder:
        small = Path(folder, "circular.docx")
        small.write_bytes(word_docx(LINES))
        bomb = Path(folder, "bomb.docx")
        bomb.write_bytes(inflating_docx())
        cases = [
            ("one-page .docx, extract()", "extract", small),
            (f"inflating .docx ({bomb.stat().st_size // 1024:,} KB), extract()", "extract", bomb),
        ]
        if not arguments.no_baseline:
            cases.append(("inflating .docx, in-process python-docx (before)", "docx", bomb))
        print(f"{'case':<55} {'uploader MB':>11} {'reader MB':>9} {'s':>6}  outcome")
        for label, way, path in cases:
            figures = measure(way, path)
            print(
                f"{label:<55} {figures['self_mb']:>11} {figures['child_mb']:>9}"
                f" {figures['seconds']:>6}  {str(figures['outcome'])[:70]}"
            )


if __name__ == "__main__":
    main()
