"""The knowledge base's settings, read once from a mapping (the environment after
``load_dotenv``), shared by the command line and the bot, which adds its own on top.

>>> settings = KnowledgeSettings.from_env({"NOTIFY_RETENTION_DAYS": "30"})
>>> settings.notify_retention_days
30
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = PROJECT_ROOT / "data" / "knowledge.db"
DEFAULT_NOTIFY_RETENTION_DAYS = 90
DEFAULT_BACKUP_KEEP = 14
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_LOG_LEVEL = "WARNING"


class InvalidSetting(ValueError):
    """Raised when a setting is missing or malformed; ``key`` names it.

    The message is one line meant for the person running the bot.
    """

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key} {problem} (see .env.example)")
        self.key = key


@dataclass(frozen=True, slots=True, kw_only=True)
class KnowledgeSettings:
    """Where the knowledge base lives, how long it keeps members' notify requests,
    and where its backups go."""

    database_path: Path = DEFAULT_DATABASE
    sources_dir: Path | None = None
    """A folder of documents that add to or override those shipped with the project
    (``SOURCES_DIR``); None: the shipped ones alone."""
    notify_retention_days: int = DEFAULT_NOTIFY_RETENTION_DAYS
    backup_dir: Path | None = None
    """Where the running bot keeps its daily backups (``BACKUP_DIR``); None: it takes none.
    Here, not in the bot's settings, so that the command line can check the folder."""
    backup_keep: int = DEFAULT_BACKUP_KEEP
    """How many of the newest daily backups are kept (``BACKUP_KEEP``)."""
    log_level: str = DEFAULT_LOG_LEVEL
    """Shared with the command line, which must not import the bot to read it."""

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str],
        *,
        default_database: Path = DEFAULT_DATABASE,
    ) -> KnowledgeSettings:
        """Build settings from ``environ``; raises ``InvalidSetting`` naming the bad key.

        Unset and empty values mean the default.
        """
        values = {key: value.strip() for key, value in environ.items()}
        database = values.get("DATABASE_PATH")
        sources = values.get("SOURCES_DIR")
        backups = values.get("BACKUP_DIR")
        return cls(
            database_path=Path(database) if database else default_database,
            sources_dir=Path(sources) if sources else None,
            notify_retention_days=_days(
                values, "NOTIFY_RETENTION_DAYS", DEFAULT_NOTIFY_RETENTION_DAYS
            ),
            backup_dir=Path(backups) if backups else None,
            backup_keep=_count(values, "BACKUP_KEEP", DEFAULT_BACKUP_KEEP),
            log_level=log_level(values),
        )


def log_level(environ: Mapping[str, str]) -> str:
    """``LOG_LEVEL`` upper-cased, or the default; raises ``InvalidSetting`` for another word."""
    level = environ.get("LOG_LEVEL", "").strip().upper() or DEFAULT_LOG_LEVEL
    if level not in LOG_LEVELS:
        raise InvalidSetting("LOG_LEVEL", f"must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
    return level


def _days(values: Mapping[str, str], key: str, default: int) -> int:
    text = values.get(key, "")
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 3650:
        raise InvalidSetting(key, f"must be a whole number of days from 1 to 3650, not {text!r}")
    return int(text)


def _count(values: Mapping[str, str], key: str, default: int) -> int:
    text = values.get(key, "")
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise InvalidSetting(key, f"must be a whole number, at least 1, not {text!r}")
    return int(text)
