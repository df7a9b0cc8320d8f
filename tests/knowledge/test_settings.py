"""The core's settings, read once from the environment by the command line and the bot."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.settings import (
    DEFAULT_BACKUP_KEEP,
    DEFAULT_DATABASE,
    DEFAULT_NOTIFY_RETENTION_DAYS,
    InvalidSetting,
    KnowledgeSettings,
)


def test_defaults() -> None:
    loaded = KnowledgeSettings.from_env({})
    assert loaded.database_path == DEFAULT_DATABASE and loaded.sources_dir is None
    assert loaded.notify_retention_days == DEFAULT_NOTIFY_RETENTION_DAYS
    assert loaded.log_level == "WARNING"
    assert loaded.backup_dir is None and loaded.backup_keep == DEFAULT_BACKUP_KEEP


def test_backups_are_kept_where_and_as_many_as_told() -> None:
    loaded = KnowledgeSettings.from_env({"BACKUP_DIR": " /srv/backups ", "BACKUP_KEEP": "3"})
    assert loaded.backup_dir == Path("/srv/backups") and loaded.backup_keep == 3


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("NOTIFY_RETENTION_DAYS", "0"),
        ("LOG_LEVEL", "LOUD"),
        ("BACKUP_KEEP", "0"),
        ("BACKUP_KEEP", "-3"),
        ("BACKUP_KEEP", "ten"),
        ("BACKUP_KEEP", "1.5"),
        ("BACKUP_KEEP", "٣"),  # a digit, but not one anyone types in .env
    ],
)
def test_a_bad_setting_is_named(key: str, value: str) -> None:
    with pytest.raises(InvalidSetting) as raised:
        KnowledgeSettings.from_env({key: value})
    assert raised.value.key == key
    assert str(raised.value).startswith(key) and ".env.example" in str(raised.value)
