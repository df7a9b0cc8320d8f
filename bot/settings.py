"""The bot's settings, read once from a mapping (the environment after ``load_dotenv``).

>>> settings = Settings.from_env({"DISCORD_TOKEN": "…"}, default_database=Path("data/k.db"))
>>> settings.rep_role_names
frozenset({'rep'})

Nothing here imports discord, so the offline command line can use it too.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_REP_ROLE_NAME = "Rep"
DEFAULT_COOLDOWN_SECONDS = 10.0
DEFAULT_NOTIFY_RETENTION_DAYS = 90
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_LOG_LEVEL = "WARNING"


class InvalidSetting(ValueError):
    """Raised when a setting is missing or malformed; ``key`` names it.

    The message is one line meant for the person running the bot.
    """

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key} {problem} (see .env.example)")
        self.key = key


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the Discord bot is configured with.

    ``rep_role_names`` are case-folded. The token is left out of ``repr`` so
    that it never reaches a log.
    """

    token: str = field(repr=False)
    database_path: Path
    guild_id: int | None = None
    rep_role_ids: frozenset[int] = frozenset()
    rep_role_names: frozenset[str] = frozenset({DEFAULT_REP_ROLE_NAME.casefold()})
    ask_channel_ids: frozenset[int] = frozenset()
    log_level: str = DEFAULT_LOG_LEVEL
    question_cooldown_seconds: float = DEFAULT_COOLDOWN_SECONDS
    notify_retention_days: int = DEFAULT_NOTIFY_RETENTION_DAYS
    sources_dir: Path | None = None
    """The folder of the curated sources' documents (``SOURCES_DIR``); None: no texts."""

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str],
        *,
        default_database: Path,
        default_sources_dir: Path | None = None,
    ) -> Settings:
        """Build settings from ``environ``; raises ``InvalidSetting`` naming the bad key.

        Unset and empty values mean the default. Rep roles default to the
        role named "Rep" only when neither ``REP_ROLE_IDS`` nor
        ``REP_ROLE_NAMES`` is given.
        """
        values = {key: value.strip() for key, value in environ.items()}
        token = values.get("DISCORD_TOKEN", "")
        if not token:
            raise InvalidSetting("DISCORD_TOKEN", "is not set: put the bot's token in .env")
        role_ids = _ids(values, "REP_ROLE_IDS")
        role_names = frozenset(
            name.strip().casefold()
            for name in values.get("REP_ROLE_NAMES", "").split(",")
            if name.strip()
        )
        if not role_ids and not role_names:
            role_names = frozenset({DEFAULT_REP_ROLE_NAME.casefold()})
        guild_ids = _ids(values, "DISCORD_GUILD_ID")
        if len(guild_ids) > 1:
            raise InvalidSetting("DISCORD_GUILD_ID", "must be one server id")
        database = values.get("DATABASE_PATH")
        return cls(
            token=token,
            database_path=Path(database) if database else default_database,
            guild_id=next(iter(guild_ids), None),
            rep_role_ids=role_ids,
            rep_role_names=role_names,
            ask_channel_ids=_ids(values, "ASK_CHANNEL_IDS"),
            log_level=log_level(values),
            question_cooldown_seconds=_number(
                values, "QUESTION_COOLDOWN_SECONDS", DEFAULT_COOLDOWN_SECONDS
            ),
            notify_retention_days=_days(
                values, "NOTIFY_RETENTION_DAYS", DEFAULT_NOTIFY_RETENTION_DAYS
            ),
            sources_dir=Path(values["SOURCES_DIR"])
            if values.get("SOURCES_DIR")
            else default_sources_dir,
        )

    @property
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]


def log_level(environ: Mapping[str, str]) -> str:
    """``LOG_LEVEL`` upper-cased, or the default; raises ``InvalidSetting`` for another word."""
    level = environ.get("LOG_LEVEL", "").strip().upper() or DEFAULT_LOG_LEVEL
    if level not in LOG_LEVELS:
        raise InvalidSetting("LOG_LEVEL", f"must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
    return level


def _ids(values: Mapping[str, str], key: str) -> frozenset[int]:
    parts = [part for part in values.get(key, "").replace(",", " ").split() if part]
    if not all(part.isascii() and part.isdigit() and int(part) > 0 for part in parts):
        raise InvalidSetting(key, "must be Discord ids (numbers) separated by commas")
    return frozenset(int(part) for part in parts)


def _number(values: Mapping[str, str], key: str, default: float) -> float:
    text = values.get(key, "")
    if not text:
        return default
    try:
        number = float(text)
    except ValueError:
        raise InvalidSetting(key, f"must be a number of seconds, not {text!r}") from None
    if not 0 <= number <= 86_400:
        raise InvalidSetting(key, "must be between 0 and 86400 seconds")
    return number


def _days(values: Mapping[str, str], key: str, default: int) -> int:
    text = values.get(key, "")
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 3650:
        raise InvalidSetting(key, f"must be a whole number of days from 1 to 3650, not {text!r}")
    return int(text)
