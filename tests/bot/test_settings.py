"""Settings from the environment, and ``run_bot.py run`` refusing bad ones in one line."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import DEFAULT_COOLDOWN_SECONDS, InvalidSetting, Settings
from knowledge.settings import DEFAULT_NOTIFY_RETENTION_DAYS, KnowledgeSettings
from tests.conftest import PROJECT_ROOT

DEFAULT_DATABASE = Path("data/knowledge.db")
TOKEN = "MTIz.secret-token-value"


def settings(**environ: str) -> Settings:
    return Settings.from_env({"DISCORD_TOKEN": TOKEN, **environ}, default_database=DEFAULT_DATABASE)


def test_defaults() -> None:
    loaded = settings()
    assert loaded.token == TOKEN
    assert loaded.database_path == DEFAULT_DATABASE
    assert loaded.guild_id is None and loaded.ask_channel_ids == frozenset()
    assert loaded.client_id is None
    assert loaded.rep_channel_id is None
    assert loaded.rep_role_ids == frozenset() and loaded.rep_role_names == {"rep"}
    assert loaded.question_cooldown_seconds == DEFAULT_COOLDOWN_SECONDS
    assert loaded.notify_retention_days == DEFAULT_NOTIFY_RETENTION_DAYS
    assert loaded.log_level == "WARNING"


def test_every_setting_is_read() -> None:
    loaded = settings(
        DISCORD_GUILD_ID="123",
        DISCORD_CLIENT_ID="456",
        REP_ROLE_IDS="11, 12",
        REP_ROLE_NAMES="Branch Rep,Officer",
        ASK_CHANNEL_IDS="21 22",
        DATABASE_PATH="/tmp/kb.db",
        LOG_LEVEL="info",
        QUESTION_COOLDOWN_SECONDS="2.5",
        NOTIFY_RETENTION_DAYS="30",
        SOURCES_DIR="/srv/documents",
        REP_CHANNEL_ID="31",
    )
    assert loaded.guild_id == 123 and loaded.client_id == 456
    assert loaded.rep_channel_id == 31
    assert loaded.rep_role_ids == {11, 12} and loaded.rep_role_names == {"branch rep", "officer"}
    assert loaded.ask_channel_ids == {21, 22}
    assert loaded.database_path == Path("/tmp/kb.db")
    assert loaded.log_level == "INFO"
    assert loaded.question_cooldown_seconds == 2.5 and loaded.notify_retention_days == 30
    assert loaded.sources_dir == Path("/srv/documents")


def test_sources_dir_is_none_unless_set_the_shipped_documents_suffice() -> None:
    assert settings().sources_dir is None


def test_the_bot_reads_the_cores_settings_as_the_command_line_does() -> None:
    environment = {
        "DATABASE_PATH": " /srv/kb.db ",
        "SOURCES_DIR": "/srv/documents",
        "NOTIFY_RETENTION_DAYS": "30",
        "LOG_LEVEL": "info",
    }
    core = KnowledgeSettings.from_env(environment)
    bot = Settings.from_env({**environment, "DISCORD_TOKEN": TOKEN})
    assert core == KnowledgeSettings(
        database_path=Path("/srv/kb.db"),
        sources_dir=Path("/srv/documents"),
        notify_retention_days=30,
        log_level="INFO",
    )
    assert all(
        getattr(bot, field.name) == getattr(core, field.name)
        for field in dataclasses.fields(KnowledgeSettings)
    )


def test_rep_role_ids_alone_replace_the_default_role_name() -> None:
    assert settings(REP_ROLE_IDS="11").rep_role_names == frozenset()


def test_the_token_never_appears_in_repr() -> None:
    assert TOKEN not in repr(settings())


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("DISCORD_TOKEN", ""),
        ("DISCORD_TOKEN", "   "),
        ("DISCORD_GUILD_ID", "my server"),
        ("DISCORD_GUILD_ID", "1,2"),
        ("DISCORD_CLIENT_ID", "my bot"),
        ("DISCORD_CLIENT_ID", "1,2"),
        ("REP_ROLE_IDS", "Rep"),
        ("ASK_CHANNEL_IDS", "-5"),
        ("REP_CHANNEL_ID", "reps"),
        ("REP_CHANNEL_ID", "31,32"),
        ("LOG_LEVEL", "LOUD"),
        ("QUESTION_COOLDOWN_SECONDS", "soon"),
        ("QUESTION_COOLDOWN_SECONDS", "-1"),
        ("QUESTION_COOLDOWN_SECONDS", "nan"),
        ("NOTIFY_RETENTION_DAYS", "0"),
        ("NOTIFY_RETENTION_DAYS", "90.5"),
    ],
)
def test_a_bad_setting_is_named(key: str, value: str) -> None:
    with pytest.raises(InvalidSetting) as raised:
        settings(**{key: value})
    assert raised.value.key == key
    assert str(raised.value).startswith(key) and ".env.example" in str(raised.value)
    assert TOKEN not in str(raised.value)


def run_bot(*args: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """The real entry point, with no Discord setting but those given (and no .env)."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    # An empty DISCORD_TOKEN also stops load_dotenv from reading a developer's .env.
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "run_bot.py"), *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**keep, "DISCORD_TOKEN": "", **environ},
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "environ", "key"),
    [
        (("run",), {}, "DISCORD_TOKEN"),
        (
            ("run",),
            {"DISCORD_TOKEN": TOKEN, "QUESTION_COOLDOWN_SECONDS": "soon"},
            "QUESTION_COOLDOWN_SECONDS",
        ),
        ((), {"DISCORD_TOKEN": TOKEN, "REP_ROLE_IDS": "Rep"}, "REP_ROLE_IDS"),
    ],
    ids=["no token", "malformed", "bare command with a token runs the bot"],
)
def test_running_with_a_bad_setting_is_one_clear_line(
    args: tuple[str, ...], environ: dict[str, str], key: str
) -> None:
    result = run_bot(*args, **environ)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {key}") and ".env.example" in line
    assert 'run_bot.py ask "' in line  # offline still works
    assert TOKEN not in result.stderr + result.stdout


def test_with_no_token_and_no_command_it_prints_help() -> None:
    result = run_bot()
    assert result.returncode == 2
    assert "usage:" in result.stdout and "run" in result.stdout
