"""Meta-tests on the slash commands as Discord receives them, and the README that lists them."""

from __future__ import annotations

from typing import Any

from discord import app_commands

from bot.asking import split_questions
from bot.checks import require_rep
from bot.cogs.facts import source_choices
from discord_double import DiscordDouble, Intent
from knowledge.base import KnowledgeBase
from knowledge.models import Source
from tests.bot.conftest import running_bot
from tests.conftest import PROJECT_ROOT

REP_COMMANDS = {
    "fact add",
    "fact edit",
    "fact remove",
    "source add",
    "unanswered list",
    "unanswered resolve",
    "unanswered dismiss",
    "kb stats",
    "kb review",
}
EVERYONE_COMMANDS = {
    "ask",
    "fact show",
    "fact search",
    "source list",
    "source show",
    "privacy",
    "forget-me",
}


async def synced_commands(
    double: DiscordDouble, kb: KnowledgeBase
) -> tuple[list[dict[str, Any]], set[str]]:
    """The commands the bot synced, and the names of those guarded by the rep check."""
    async with running_bot(double, kb) as bot:
        [put] = double.find_requests(method="PUT")
        guarded = {
            command.qualified_name
            for command in bot.tree.walk_commands()
            if isinstance(command, app_commands.Command) and require_rep in command.checks
        }
    return put.json, guarded


def leaves(commands: list[dict[str, Any]], prefix: str = "") -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for command in commands:
        name = f"{prefix}{command['name']}"
        subcommands = [o for o in command.get("options") or [] if o["type"] in (1, 2)]
        if subcommands:
            found |= leaves(subcommands, f"{name} ")
        else:
            found[name] = command
    return found


async def test_commands_are_synced_to_the_configured_server_with_minimal_intents(
    discord_double: DiscordDouble, kb: KnowledgeBase
) -> None:
    commands, _ = await synced_commands(discord_double, kb)
    [put] = discord_double.find_requests(method="PUT")
    assert put.route == "/applications/{application_id}/guilds/{guild_id}/commands"
    assert set(leaves(commands)) == REP_COMMANDS | EVERYONE_COMMANDS
    [identify] = discord_double.identify_payloads
    wanted = Intent.GUILDS | Intent.GUILD_MESSAGES | Intent.DIRECT_MESSAGES | Intent.MESSAGE_CONTENT
    assert identify["intents"] == wanted


async def test_every_command_and_option_has_a_description_and_a_unique_name(
    discord_double: DiscordDouble, kb: KnowledgeBase
) -> None:
    commands, _ = await synced_commands(discord_double, kb)

    def check(items: list[dict[str, Any]], where: str) -> None:
        names = [item["name"] for item in items]
        assert len(names) == len(set(names)), f"duplicate names in {where}: {names}"
        for item in items:
            assert item["description"].strip(), f"{where} {item['name']} has no description"
            assert len(item["description"]) <= 100
            check(item.get("options") or [], f"{where} {item['name']}")

    check(commands, "/")


async def test_rep_commands_and_only_they_check_for_a_rep(
    discord_double: DiscordDouble, kb: KnowledgeBase
) -> None:
    _, guarded = await synced_commands(discord_double, kb)
    assert guarded == REP_COMMANDS


async def test_the_readme_lists_every_command_with_its_description(
    discord_double: DiscordDouble, kb: KnowledgeBase
) -> None:
    commands, _ = await synced_commands(discord_double, kb)
    rows = [
        line
        for line in (PROJECT_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `/")
    ]
    for name, command in leaves(commands).items():
        row = next((r for r in rows if r.startswith((f"| `/{name}`", f"| `/{name} "))), None)
        assert row is not None, f"/{name} is not in the README's command table"
        assert f"| {command['description']} |" in row, f"/{name}: README and Discord differ"


def test_source_autocomplete_offers_matching_sources_within_discords_limits() -> None:
    sources = [
        Source(key=f"doc-{number}", title=f"Circular {number} " + "x" * 200, kind="circular")
        for number in range(40)
    ]
    choices = source_choices(sources, "")
    assert len(choices) == 25
    assert all(len(c.name) <= 100 and len(c.value) <= 100 for c in choices)
    assert [c.value for c in source_choices(sources, "CIRCULAR 12")] == ["doc-12"]


def test_example_questions_split_on_semicolons_and_lines() -> None:
    assert split_questions("who owns sscl; ;what is issc2\n\n when?") == [
        "who owns sscl",
        "what is issc2",
        "when?",
    ]
