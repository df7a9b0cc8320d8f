"""Entry point: `python run_bot.py run` starts the Discord bot; `python run_bot.py ask "…"`
works offline. See README.md."""

from __future__ import annotations

import os
import sys


def main() -> int:
    # The matcher's only linear algebra is one matrix-vector product a question,
    # too small for threads: OpenBLAS's thread pool, started when numpy is first
    # imported, would only add about 50 ms to every start-up. Set before that import.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from dotenv import load_dotenv

    from cli.main import run

    load_dotenv()
    return run(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
