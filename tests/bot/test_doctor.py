"""`run_bot.py doctor` asking Discord: the real discord.py client against the loopback
double, with each misconfiguration it should catch."""

from __future__ import annotations

import asyncio
import base64
import io
import shutil
from pathlib import Path
from typing import Any

from bot.doctor import Finding, Status
from bot.doctor_online import online_findings
from bot.invite import invite_url
from cli.main import run
from discord_double import DiscordDouble, Perm
from tests.bot.conftest import bot_settings

NEEDED = Perm.VIEW_CHANNEL | Perm.SEND_MESSAGES | Perm.EMBED_LINKS | Perm.READ_MESSAGE_HISTORY


async def findings(double: DiscordDouble, **changes: Any) -> dict[str, list[Finding]]:
    """The online findings for the bot's usual settings with ``changes``, by check."""
    by_check: dict[str, list[Finding]] = {}
    for finding in await online_findings(bot_settings(double, **changes)):
        by_check.setdefault(finding.check, []).append(finding)
    return by_check


def problems(by_check: dict[str, list[Finding]]) -> dict[str, list[str]]:
    return {
        check: [f.text for f in found if f.status is Status.PROBLEM]
        for check, found in by_check.items()
        if any(f.status is Status.PROBLEM for f in found)
    }


def token_of(double: DiscordDouble) -> str:
    """A token shaped like Discord's: the application id in base64, then two parts."""
    head = base64.b64encode(str(double.application_id).encode()).decode().rstrip("=")
    return f"{head}.GhIjKl.secret"


async def test_a_ready_bot_passes_every_check_and_sends_nothing(
    discord_double: DiscordDouble,
) -> None:
    found = await findings(discord_double)
    assert problems(found) == {}
    assert set(found) == {"login", "intent", "server", "ask channels"}
    assert "#other" in found["ask channels"][0].text
    assert {request.method for request in discord_double.requests} == {"GET"}
    # Only the Guilds intent: a missing Message Content switch cannot stop the check.
    assert discord_double.identify_payloads[0]["intents"] == 1


async def test_a_missing_message_content_intent_is_reported(
    discord_double: DiscordDouble,
) -> None:
    discord_double.application_flags = 0
    found = problems(await findings(discord_double))
    assert list(found) == ["intent"]
    assert "Message Content" in found["intent"][0]


async def test_a_server_the_bot_is_not_in_is_reported_with_the_invite_url(
    discord_double: DiscordDouble,
) -> None:
    found = problems(await findings(discord_double, guild_id=1234567890))
    assert list(found) == ["server"]
    assert "1234567890" in found["server"][0]
    assert invite_url(discord_double.application_id) in found["server"][0]


async def test_a_permission_missing_in_the_server_is_named(
    discord_double: DiscordDouble,
) -> None:
    for role in (discord_double.everyone_role, discord_double.bot_role):
        role.permissions &= ~Perm.EMBED_LINKS
    found = problems(await findings(discord_double))
    assert set(found) == {"server", "ask channel"}
    assert all("Embed Links" in text for texts in found.values() for text in texts)
    assert "Send Messages" not in found["server"][0]


async def test_an_ask_channel_the_bot_cannot_post_in_is_named(
    discord_double: DiscordDouble,
) -> None:
    discord_double.other_channel.deny(discord_double.bot_role, Perm.SEND_MESSAGES)
    asks = frozenset({discord_double.general.id, discord_double.other_channel.id})
    found = await findings(discord_double, ask_channel_ids=asks)
    [text] = problems(found)["ask channel"]
    assert text.startswith(f"#other ({discord_double.other_channel.id})")
    assert "Send Messages" in text and "View Channels" not in text
    assert "#general" in found["ask channels"][0].text  # the channel that works is fine


async def test_an_ask_channel_the_bot_cannot_read_is_named(
    discord_double: DiscordDouble,
) -> None:
    discord_double.other_channel.deny(discord_double.everyone_role, int(NEEDED))
    found = problems(await findings(discord_double))
    [text] = found["ask channel"]
    assert "View Channels" in text and "Read Message History" in text


async def test_an_ask_channel_that_is_not_there_is_named(discord_double: DiscordDouble) -> None:
    found = problems(await findings(discord_double, ask_channel_ids=frozenset({987654321})))
    assert list(found) == ["ask channel"]
    assert "987654321" in found["ask channel"][0] and "ASK_CHANNEL_IDS" in found["ask channel"][0]


async def test_a_refused_token_is_one_problem(discord_double: DiscordDouble) -> None:
    found = problems(await findings(discord_double, token="wrong"))
    assert list(found) == ["login"] and "DISCORD_TOKEN" in found["login"][0]


async def test_a_client_id_of_another_application_is_reported(
    discord_double: DiscordDouble,
) -> None:
    found = problems(await findings(discord_double, client_id=42))
    assert list(found) == ["login"] and "DISCORD_CLIENT_ID" in found["login"][0]


async def test_the_command_checks_everything_and_exits_zero(
    discord_double: DiscordDouble, curated_database: Path, tmp_path: Path
) -> None:
    discord_double.token = token_of(discord_double)
    settings = bot_settings(discord_double)
    db = tmp_path / "knowledge.db"
    shutil.copyfile(curated_database, db)
    environ = {
        "DISCORD_TOKEN": discord_double.token,
        "DISCORD_GUILD_ID": str(settings.guild_id),
        "ASK_CHANNEL_IDS": ",".join(str(c) for c in settings.ask_channel_ids),
        "BACKUP_DIR": str(tmp_path / "backups"),
    }
    out = io.StringIO()
    # The command runs its own event loop, as from a terminal; the double serves on this one.
    status = await asyncio.to_thread(run, ["--db", str(db), "doctor"], environ=environ, stdout=out)
    lines = out.getvalue().splitlines()
    assert status == 0, out.getvalue()
    checks = [line.split(":")[0].split(maxsplit=1) for line in lines if ":" in line]
    assert [verdict for verdict, _ in checks] == ["ok"] * len(checks)
    assert [check for _, check in checks] == [
        "settings",
        "invite",
        "database",
        "sources",
        "quotes",
        "backups",
        "login",
        "intent",
        "server",
        "ask channels",
    ]
    assert f"invite: {invite_url(discord_double.application_id)} " in out.getvalue()
    assert discord_double.token not in out.getvalue()


async def test_the_command_exits_non_zero_on_a_discord_problem(
    discord_double: DiscordDouble, curated_database: Path, tmp_path: Path
) -> None:
    discord_double.application_flags = 0
    db = tmp_path / "knowledge.db"
    shutil.copyfile(curated_database, db)
    environ = {
        "DISCORD_TOKEN": discord_double.token,
        "DISCORD_CLIENT_ID": str(discord_double.application_id),
    }
    out = io.StringIO()
    status = await asyncio.to_thread(run, ["--db", str(db), "doctor"], environ=environ, stdout=out)
    assert status == 1
    [line] = [line for line in out.getvalue().splitlines() if line.startswith("problem")]
    assert line.startswith("problem  intent: Message Content is off")
