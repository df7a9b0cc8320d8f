"""Entry point: `python run_bot.py run` starts the Discord bot; `python run_bot.py ask "…"`
works offline. See README.md."""

from __future__ import annotations

import sys

from dotenv import load_dotenv

from cli.main import run


def main() -> int:
    load_dotenv()
    return run(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
