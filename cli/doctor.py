"""``run_bot.py doctor``: run the set-up checks (``bot.doctor``) and print one line each.

Discord is asked too whenever ``DISCORD_TOKEN`` is set, as a rep checking a
set-up before going live expects; ``--offline`` leaves it out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from bot.doctor import Finding, Status, offline_findings, open_setup
from bot.doctor_online import online_findings
from bot.settings import Settings


def doctor(environ: Mapping[str, str], out: TextIO, *, database: Path | None, offline: bool) -> int:
    """Print every finding; returns 1 when any is a problem, else 0."""
    # The findings are the output: the warnings the knowledge base and discord.py
    # log on the way (a quote not found, no voice support) would only repeat or distract.
    logging.basicConfig(level=logging.ERROR)
    setup = open_setup(environ, database)
    try:
        findings = offline_findings(setup)
        for finding in findings:
            print(finding.line(), file=out, flush=True)
        online = _online(setup.settings, offline=offline)
        for finding in online:
            print(finding.line(), file=out, flush=True)
    finally:
        if setup.kb is not None:
            setup.kb.close()
    problems = sum(finding.status is Status.PROBLEM for finding in [*findings, *online])
    print(f"\n{problems} problem{'s' * (problems != 1)} found.", file=out)
    return 1 if problems else 0


def _online(settings: Settings, *, offline: bool) -> list[Finding]:
    if offline:
        return [Finding(Status.SKIPPED, "discord", "not asked (--offline)")]
    if not settings.token:
        return [Finding(Status.SKIPPED, "discord", "not asked: DISCORD_TOKEN is not set")]
    return asyncio.run(online_findings(settings))
