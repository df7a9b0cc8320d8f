"""`run_bot.py doctor` offline: every setting, the database, the documents and quotes,
and the invite URL. Its checks against Discord are in tests/bot/test_doctor.py."""

from __future__ import annotations

import base64
import io
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import run
from knowledge.base import KnowledgeBase
from knowledge.models import Source
from tests.conftest import PROJECT_ROOT

APPLICATION_ID = 1084295847529332736
TOKEN = base64.b64encode(str(APPLICATION_ID).encode()).decode().rstrip("=") + ".GhIjKl.secret"
PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 38)
"""View Channel, Send Messages, Embed Links, Read Message History, Send Messages in Threads."""
INVITE = (
    f"https://discord.com/oauth2/authorize?client_id={APPLICATION_ID}"
    f"&scope=bot+applications.commands&permissions={PERMISSIONS}"
)


@pytest.fixture(scope="module")
def curated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("curated") / "knowledge.db"
    KnowledgeBase.open(path).close()
    return path


@pytest.fixture
def db(curated_database: Path, tmp_path: Path) -> Path:
    path = tmp_path / "knowledge.db"
    shutil.copyfile(curated_database, path)
    return path


def doctor(db: Path, *args: str, **environ: str) -> tuple[int, dict[str, str], str]:
    """Run ``doctor --offline`` with only these settings; returns the exit status, each
    check's status and text by the check's name (the last of each), and the output."""
    out, err = io.StringIO(), io.StringIO()
    environ = {"DISCORD_TOKEN": TOKEN} | environ
    argv = ["--db", str(db), "doctor", "--offline", *args]
    status = run(argv, environ=environ, stdout=out, stderr=err)
    assert err.getvalue() == ""
    lines = {}
    for line in out.getvalue().splitlines():
        if ": " in line:
            head, text = line.split(": ", 1)
            verdict, check = head.split(maxsplit=1)
            lines[check] = f"{verdict} {text}"
    return status, lines, out.getvalue()


def test_a_ready_set_up_is_all_ok_and_exits_zero(db: Path, tmp_path: Path) -> None:
    status, lines, output = doctor(db, BACKUP_DIR=str(tmp_path / "backups"))
    assert status == 0, output
    assert set(lines) == {
        "settings",
        "invite",
        "database",
        "sources",
        "quotes",
        "backups",
        "discord",
    }
    assert all(text.startswith("ok ") for check, text in lines.items() if check != "discord")
    assert lines["discord"].startswith("skipped ")
    assert "0 problems found." in output


def test_the_invite_url_asks_for_exactly_the_scopes_and_permissions(db: Path) -> None:
    _, lines, _ = doctor(db)
    url = lines["invite"].split()[1]
    assert url == INVITE


def test_the_application_id_can_be_given_instead_of_read_from_the_token(db: Path) -> None:
    status, lines, _ = doctor(db, DISCORD_TOKEN="", DISCORD_CLIENT_ID=str(APPLICATION_ID))
    assert lines["invite"].split()[1] == INVITE
    assert lines["setting"].startswith("problem DISCORD_TOKEN is not set")
    assert status == 1


def test_an_application_id_that_is_not_the_tokens_is_a_problem(db: Path) -> None:
    status, lines, _ = doctor(db, DISCORD_CLIENT_ID="42")
    assert status == 1
    assert lines["invite"].startswith("problem") and "DISCORD_CLIENT_ID is 42" in lines["invite"]


def test_without_any_application_id_it_says_to_set_discord_client_id(db: Path) -> None:
    status, lines, _ = doctor(db, DISCORD_TOKEN="not-a-bot-token")
    assert status == 1
    assert lines["invite"].startswith("problem") and "DISCORD_CLIENT_ID" in lines["invite"]
    assert "not-a-bot-token" not in lines["invite"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("DISCORD_TOKEN", ""),
        ("DISCORD_GUILD_ID", "my server"),
        ("DISCORD_CLIENT_ID", "1,2"),
        ("ASK_CHANNEL_IDS", "#questions"),
        ("REP_ROLE_IDS", "Rep"),
        ("LOG_LEVEL", "LOUD"),
        ("QUESTION_COOLDOWN_SECONDS", "soon"),
        ("NOTIFY_RETENTION_DAYS", "0"),
    ],
)
def test_a_bad_setting_is_named_with_env_example(db: Path, key: str, value: str) -> None:
    status, _, output = doctor(db, **{key: value})
    assert status == 1
    [line] = [line for line in output.splitlines() if line.startswith("problem  setting:")]
    assert line.startswith(f"problem  setting: {key} ") and ".env.example" in line
    assert "ok       database:" in output  # the other checks still ran


def test_every_bad_setting_is_named_at_once(db: Path) -> None:
    status, _, output = doctor(db, QUESTION_COOLDOWN_SECONDS="soon", ASK_CHANNEL_IDS="general")
    named = [line.split()[2] for line in output.splitlines() if line.startswith("problem")]
    assert status == 1 and sorted(named) == ["ASK_CHANNEL_IDS", "QUESTION_COOLDOWN_SECONDS"]
    assert TOKEN not in output


def test_a_database_that_cannot_be_created_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    status, lines, _ = doctor(blocker / "data" / "knowledge.db")
    assert status == 1
    assert lines["database"].startswith("problem") and "DATABASE_PATH" in lines["database"]
    assert "sources" not in lines and "quotes" not in lines  # nothing to read them from
    assert lines["invite"].startswith("ok")


def test_a_database_from_a_newer_version_is_a_problem(db: Path) -> None:
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA user_version = 999")
    connection.close()
    status, lines, _ = doctor(db)
    assert status == 1
    assert lines["database"].startswith("problem") and "newer version" in lines["database"]


def test_a_new_database_is_created_and_reported_writable(tmp_path: Path) -> None:
    status, lines, _ = doctor(tmp_path / "new" / "knowledge.db")
    assert status == 0
    assert "created" in lines["database"] and "writable" in lines["database"]


def test_a_source_without_text_and_an_unverified_quote_are_problems(db: Path) -> None:
    kb = KnowledgeBase.open(db)
    minutes = Source(key="branch-minutes", title="Branch minutes", kind="minutes", file="m.txt")
    unchecked = kb.add_fact(
        answer="The branch meets monthly.",
        quote="we meet every month",
        questions=["how often does the branch meet"],
        note=minutes,
        actor="test",
    )
    circular = kb.add_source(
        Source(key="circular-7", title="Circular 7", kind="circular", issuer="PCS", date="2024"),
        "Payroll moves to Newport in May.",
        actor="test",
    )
    moved = kb.add_fact(
        answer="Payroll moves to Newport.",
        source_key=circular.key,
        quote="Payroll moves to Newport",
        questions=["where is payroll moving"],
        actor="test",
    )
    kb.set_source_text(circular.key, "Payroll stays in Leeds.", actor="test")
    kb.close()

    status, lines, _ = doctor(db)

    assert status == 1
    assert lines["sources"].startswith("problem") and "branch-minutes" in lines["sources"]
    assert "m.txt" in lines["sources"] and "SOURCES_DIR" in lines["sources"]
    assert lines["quotes"].startswith("problem")
    assert f"not in its source: fact {moved.id}" in lines["quotes"]
    assert f"source without text or no quote: fact {unchecked.id}" in lines["quotes"]


def test_a_reps_note_is_no_problem(db: Path) -> None:
    kb = KnowledgeBase.open(db)
    note = Source(key="note-1", title="Told at the branch AGM", kind="rep's note", issuer="Sam")
    kb.add_fact(
        answer="The AGM is in March.",
        quote="",
        questions=["when is the agm"],
        note=note,
        actor="test",
    )
    kb.close()
    status, lines, output = doctor(db)
    assert status == 0, output
    assert lines["sources"].startswith("ok") and lines["quotes"].startswith("ok")


def test_a_sources_dir_that_is_not_a_folder_is_a_problem(db: Path, tmp_path: Path) -> None:
    status, _, output = doctor(db, SOURCES_DIR=str(tmp_path / "missing"))
    assert status == 1
    assert f"problem  sources: SOURCES_DIR {tmp_path / 'missing'} is not a folder" in output


def test_the_real_entry_point_runs_doctor(db: Path) -> None:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "run_bot.py"), "--db", str(db), "doctor", "--offline"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**keep, "DISCORD_TOKEN": TOKEN},
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert INVITE in result.stdout and TOKEN not in result.stdout + result.stderr
    assert result.stderr == ""


def test_backups_into_a_writable_folder_are_ok(db: Path, tmp_path: Path) -> None:
    status, lines, _ = doctor(db, BACKUP_DIR=str(tmp_path / "backups"), BACKUP_KEEP="3")
    assert status == 0
    assert lines["backups"] == f"ok daily into {tmp_path / 'backups'}, keeping 3"


def test_a_backup_dir_that_cannot_be_made_is_a_problem(db: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    status, lines, _ = doctor(db, BACKUP_DIR=str(blocker / "backups"))
    assert status == 1
    assert lines["backups"].startswith("problem cannot back up into")
    assert "BACKUP_DIR" in lines["backups"]


def test_a_failed_scheduled_backup_is_reported(db: Path, tmp_path: Path) -> None:
    from knowledge.backups import failure_note

    failure_note(db).write_text("2026-12-06T03:00:00Z: No space left on device", encoding="utf-8")
    status, lines, _ = doctor(db, BACKUP_DIR=str(tmp_path / "backups"))
    assert status == 1
    assert "the last scheduled backup failed" in lines["backups"]
    assert "No space left on device" in lines["backups"]
