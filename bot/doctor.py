"""``run_bot.py doctor``: is this set-up ready to go live?

A list of small checks, each giving one line per finding: ``ok``, ``problem``
(with what to do) or ``skipped``. The offline ones read the settings, open the
knowledge base as the bot does and print the invite URL; those that ask
Discord are in ``bot.doctor_online``. To add a check, write a function from
``Setup`` to findings and list it in ``OFFLINE_CHECKS``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from bot.cogs.facts import REP_NOTE_KIND
from bot.invite import NEEDED_PERMISSIONS, application_id_from_token, invite_url
from bot.settings import Settings
from knowledge import InvalidSetting, KnowledgeBase, check_backup_dir
from knowledge.errors import KnowledgeError
from knowledge.models import QuoteStatus

SHOWN_IDS = 5
"""How many fact ids or source keys a problem line names before "…"."""


class Status(StrEnum):
    OK = "ok"
    PROBLEM = "problem"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the report: what was checked, and what is fine or what to do."""

    status: Status
    check: str
    text: str

    def line(self) -> str:
        return f"{self.status:<7}  {self.check}: {self.text}"


def ok(check: str, text: str) -> Finding:
    return Finding(Status.OK, check, text)


def problem(check: str, text: str) -> Finding:
    return Finding(Status.PROBLEM, check, text)


@dataclass(frozen=True, slots=True)
class Setup:
    """What the checks look at.

    ``settings`` has each bad setting at its default (and an empty token when
    ``DISCORD_TOKEN`` is missing); ``bad_settings`` says what was wrong.
    ``kb`` is None when the database could not be opened, ``open_error`` why.
    """

    settings: Settings
    bad_settings: tuple[InvalidSetting, ...]
    database_path: Path
    database_existed: bool
    kb: KnowledgeBase | None
    open_error: str = ""


Check = Callable[[Setup], Iterable[Finding]]


def read_settings(environ: Mapping[str, str]) -> tuple[Settings, tuple[InvalidSetting, ...]]:
    """The settings with every bad one left at its default, and each one's error.

    The bot's own reading stops at the first bad setting; reading again
    without it finds the next, so a rep fixes them all in one go.
    """
    values = dict(environ)
    errors: list[InvalidSetting] = []
    while True:
        try:
            settings = Settings.from_env(values)
        except InvalidSetting as error:
            if any(seen.key == error.key for seen in errors):
                raise  # a default that is itself refused: a bug, not a rep's mistake
            errors.append(error)
            # A stand-in token lets the other settings be read; it is dropped below.
            values[error.key] = "stand-in" if error.key == "DISCORD_TOKEN" else ""
            continue
        if any(error.key == "DISCORD_TOKEN" for error in errors):
            settings = dataclasses.replace(settings, token="")
        return settings, tuple(errors)


def open_setup(environ: Mapping[str, str], database: Path | None = None) -> Setup:
    """Read the settings and open the knowledge base as ``run_bot.py run`` would.

    ``database`` (``--db``) wins over ``DATABASE_PATH``. Opening creates and
    migrates the database when needed and loads the curated facts, as the bot does.
    """
    settings, bad = read_settings(environ)
    path = database or settings.database_path
    existed = path.exists()
    try:
        kb = KnowledgeBase.open(path, sources_dir=settings.sources_dir)
    except KnowledgeError as error:
        return Setup(settings, bad, path, existed, None, open_error=str(error))
    return Setup(settings, bad, path, existed, kb)


# --- the offline checks ------------------------------------------------------------


def check_settings(setup: Setup) -> Iterator[Finding]:
    for error in setup.bad_settings:
        yield problem("setting", str(error))
    if not setup.bad_settings:
        yield ok("settings", "every setting is readable")


def check_invite(setup: Setup) -> Iterator[Finding]:
    token, given = setup.settings.token, setup.settings.client_id
    from_token = application_id_from_token(token) if token else None
    if given is not None and from_token is not None and given != from_token:
        yield problem(
            "invite",
            f"DISCORD_CLIENT_ID is {given} but DISCORD_TOKEN is application {from_token}'s: "
            "empty DISCORD_CLIENT_ID or copy both from the same application (see .env.example)",
        )
        return
    application_id = given or from_token
    if application_id is None:
        why = "DISCORD_TOKEN does not carry it" if token else "DISCORD_TOKEN is not set"
        yield problem(
            "invite",
            f"cannot tell the bot's application id ({why}): set DISCORD_CLIENT_ID to the "
            "developer portal's Application ID (see .env.example)",
        )
        return
    permissions = ", ".join(permission.label for permission in NEEDED_PERMISSIONS)
    yield ok("invite", f"{invite_url(application_id)} (asks for {permissions})")


def check_database(setup: Setup) -> Iterator[Finding]:
    path, kb = setup.database_path, setup.kb
    to_do = "set DATABASE_PATH to a file in a folder the bot's user can write (see .env.example)"
    if kb is None:
        yield problem("database", f"{setup.open_error}: {to_do}, or restore a backup there")
        return
    health = kb.storage_health()
    if health.schema_version > health.code_version:
        yield problem(
            "database",
            f"{path} was made by a newer version of the bot (schema {health.schema_version}, "
            f"this code's is {health.code_version}): run that version, or restore a backup",
        )
    elif not health.migrated:
        yield problem(
            "database",
            f"{path} is at schema {health.schema_version}, not {health.code_version}: "
            "open it with `run_bot.py sources list` and read the error it logs",
        )
    elif not health.writable:
        yield problem("database", f"{path} cannot be written ({health.write_error}): {to_do}")
    else:
        created = "created, " if not setup.database_existed else ""
        yield ok("database", f"{path} ({created}schema {health.schema_version}, writable)")


def check_sources(setup: Setup) -> Iterator[Finding]:
    folder = setup.settings.sources_dir
    if folder is not None and not folder.is_dir():
        yield problem(
            "sources",
            f"SOURCES_DIR {folder} is not a folder: fix it or leave it empty (see .env.example)",
        )
    if setup.kb is None:
        return
    documents = [s for s in setup.kb.sources() if s.kind != REP_NOTE_KIND]
    missing = [source for source in documents if not source.has_text]
    if not missing:
        yield ok("sources", f"all {len(documents)} documents have their text")
        return
    files = [source.file for source in missing if source.file]
    # A source with a file is a curated one (a registered document always has its
    # text), whose document SOURCES_DIR can supply.
    to_do = (
        f"put {_some(files)} in SOURCES_DIR (see .env.example)"
        if files
        else "register the document with `run_bot.py sources add` and move the facts to it"
    )
    yield problem(
        "sources",
        f"{len(missing)} of {len(documents)} documents have no text "
        f"({_some(s.key for s in missing)}), so their quotes cannot be checked: {to_do}",
    )


def check_quotes(setup: Setup) -> Iterator[Finding]:
    kb = setup.kb
    if kb is None:
        return
    notes = {source.key for source in kb.sources() if source.kind == REP_NOTE_KIND}
    checked = [fact for fact in kb.facts() if fact.source_key not in notes]
    status = {fact.id: kb.quote_status(fact) for fact in checked}
    not_found = [i for i, s in status.items() if s is QuoteStatus.NOT_FOUND]
    unchecked = [i for i, s in status.items() if s is QuoteStatus.NOT_VERIFIED]
    if not not_found and not unchecked:
        yield ok("quotes", f"all {len(checked)} facts' quotes are in their documents")
        return
    parts = []
    if not_found:
        parts.append(f"not in its source: fact {_some(not_found)}")
    if unchecked:
        parts.append(f"source without text or no quote: fact {_some(unchecked)}")
    yield problem(
        "quotes",
        f"{len(not_found) + len(unchecked)} of {len(checked)} not verified "
        f"({'; '.join(parts)}): fix each with `run_bot.py facts edit ID --quote …`",
    )


def check_backups(setup: Setup) -> Iterator[Finding]:
    folder = setup.settings.backup_dir
    if folder is None:
        yield Finding(
            Status.SKIPPED, "backups", "BACKUP_DIR is not set, so no daily backup is taken"
        )
        return
    trouble = check_backup_dir(folder, database=setup.database_path)
    if trouble is None:
        yield ok("backups", f"daily into {folder}, keeping {setup.settings.backup_keep}")
    else:
        yield problem(
            "backups",
            f"{trouble}: make BACKUP_DIR a folder the bot's user can write, "
            "with free space (see .env.example)",
        )


def _some(items: Iterable[object]) -> str:
    shown = [str(item) for item in items]
    more = ", …" if len(shown) > SHOWN_IDS else ""
    return ", ".join(shown[:SHOWN_IDS]) + more


OFFLINE_CHECKS: tuple[Check, ...] = (
    check_settings,
    check_invite,
    check_database,
    check_sources,
    check_quotes,
    check_backups,
)


def offline_findings(setup: Setup) -> list[Finding]:
    return [finding for check in OFFLINE_CHECKS for finding in check(setup)]
