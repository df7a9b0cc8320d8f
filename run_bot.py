"""Entry point: `python run_bot.py ask "…"` works offline; see README.md."""

from __future__ import annotations

import logging
import os
import sys

from dotenv import load_dotenv

from cli.main import run


def main() -> int:
    load_dotenv()
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "WARNING").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return run(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
