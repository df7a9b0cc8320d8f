"""The core's settings, read once from the environment by the command line and the bot."""

from __future__ import annotations

import pytest

from knowledge.settings import (
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


@pytest.mark.parametrize(("key", "value"), [("NOTIFY_RETENTION_DAYS", "0"), ("LOG_LEVEL", "LOUD")])
def test_a_bad_setting_is_named(key: str, value: str) -> None:
    with pytest.raises(InvalidSetting) as raised:
        KnowledgeSettings.from_env({key: value})
    assert raised.value.key == key
