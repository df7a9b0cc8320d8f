"""The bot's settings: the knowledge base's (``knowledge.settings``) and the bot's own
(token, application id, rep roles, ask channels, cooldown, reps' channel), read once
from a mapping (the environment after ``load_dotenv``).

>>> settings = Settings.from_env({"DISCORD_TOKEN": "…"}, default_database=Path("data/k.db"))
>>> settings.rep_role_names
frozenset({'rep'})

Nothing here imports discord.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.settings import DEFAULT_DATABASE, InvalidSetting, KnowledgeSettings

DEFAULT_REP_ROLE_NAME = "Rep"
DEFAULT_COOLDOWN_SECONDS = 10.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings(KnowledgeSettings):
    """Everything the Discord bot is configured with: the knowledge base's settings and its own.

    ``rep_role_names`` are case-folded. The token is left out of ``repr`` so
    that it never reaches a log.
    """

    token: str = field(repr=False)
    guild_id: int | None = None
    client_id: int | None = None
    """The bot's application id, for its invite URL; None: read from the token."""
    rep_role_ids: frozenset[int] = frozenset()
    rep_role_names: frozenset[str] = frozenset({DEFAULT_REP_ROLE_NAME.casefold()})
    ask_channel_ids: frozenset[int] = frozenset()
    question_cooldown_seconds: float = DEFAULT_COOLDOWN_SECONDS
    rep_channel_id: int | None = None
    """Where reps hear about the knowledge base (a weekly digest, each change to a
    fact); None: nowhere."""

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str],
        *,
        default_database: Path = DEFAULT_DATABASE,
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
        client_ids = _ids(values, "DISCORD_CLIENT_ID")
        if len(client_ids) > 1:
            raise InvalidSetting("DISCORD_CLIENT_ID", "must be one application id")
        rep_channel_ids = _ids(values, "REP_CHANNEL_ID")
        if len(rep_channel_ids) > 1:
            raise InvalidSetting("REP_CHANNEL_ID", "must be one channel id")
        knowledge = KnowledgeSettings.from_env(values, default_database=default_database)
        return cls(
            **{f.name: getattr(knowledge, f.name) for f in dataclasses.fields(KnowledgeSettings)},
            token=token,
            guild_id=next(iter(guild_ids), None),
            client_id=next(iter(client_ids), None),
            rep_role_ids=role_ids,
            rep_role_names=role_names,
            ask_channel_ids=_ids(values, "ASK_CHANNEL_IDS"),
            question_cooldown_seconds=_number(
                values, "QUESTION_COOLDOWN_SECONDS", DEFAULT_COOLDOWN_SECONDS
            ),
            rep_channel_id=next(iter(rep_channel_ids), None),
        )

    @property
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]


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
