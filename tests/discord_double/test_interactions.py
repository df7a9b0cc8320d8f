"""Interactions: slash commands, buttons and modals injected, answered once in time."""

from __future__ import annotations

import discord
import pytest

from discord_double import CallbackType, DiscordDouble
from tests.discord_double.tiny_bot import TinyBot, next_seen


async def test_slash_command_gets_interaction_callback(
    discord_double: DiscordDouble, bot: TinyBot
) -> None:
    interaction = await discord_double.slash_command(discord_double.member, "ping", {"text": "hi"})

    assert await next_seen(bot) == ("ping", discord_double.member.id, "hi")
    callback = await discord_double.wait_for_interaction_response(interaction)
    assert callback.status == 200 and callback.query["with_response"] == "1"
    assert callback.json["type"] == CallbackType.CHANNEL_MESSAGE
    assert callback.json["data"]["content"] == "pong: hi"
    assert interaction.original_message_id is not None
    original = discord_double.message(interaction.original_message_id)
    assert original["components"][0]["components"][0]["custom_id"] == "ping:again"


async def test_slash_command_in_dm(discord_double: DiscordDouble, bot: TinyBot) -> None:
    interaction = await discord_double.slash_command(
        discord_double.member, "ping", {"text": "dm"}, guild=False
    )

    assert "member" not in interaction.payload and interaction.payload["user"]["id"] == str(
        discord_double.member.id
    )
    callback = await discord_double.wait_for_interaction_response(interaction)
    assert callback.json["data"]["content"] == "pong: dm"
    dm = discord_double.dm_channel(discord_double.member)
    assert discord_double.bot_messages(dm)[-1]["content"] == "pong: dm"
    with pytest.raises(LookupError, match="not registered"):
        await discord_double.slash_command(
            discord_double.member, "fact add", {"text": "x"}, guild=False
        )


async def test_deferred_subcommand_gets_followup(
    discord_double: DiscordDouble, bot: TinyBot
) -> None:
    interaction = await discord_double.slash_command(
        discord_double.rep_member, "fact add", {"text": "cats purr"}
    )

    callback = await discord_double.wait_for_interaction_response(interaction)
    assert callback.json["type"] == CallbackType.DEFERRED_CHANNEL_MESSAGE
    followup = await discord_double.wait_for_followup(interaction)
    assert followup.json["content"] == "fact added: cats purr"
    assert followup.query["wait"] == "1" and followup.status == 200
    assert await next_seen(bot) == ("fact add", discord_double.rep_member.id, "cats purr")


async def test_subcommand_group_carries_options_and_member_roles(
    discord_double: DiscordDouble, bot: TinyBot
) -> None:
    interaction = await discord_double.slash_command(
        discord_double.rep_member, "fact admin purge", {"count": 3, "dry_run": True}
    )

    assert await next_seen(bot) == ("purge", discord_double.rep_member.id, 3, True, True)
    callback = await discord_double.wait_for_interaction_response(interaction)
    assert callback.json["data"]["content"] == "purged 3 for rep_holder"
    assert callback.json["data"]["flags"] == 64
    await discord_double.slash_command(discord_double.member, "fact admin purge", {"count": 1})
    assert await next_seen(bot) == ("purge", discord_double.member.id, 1, False, False)
    with pytest.raises(ValueError, match="missing required"):
        await discord_double.slash_command(discord_double.owner, "fact admin purge", {})
    with pytest.raises(ValueError, match="needs a subcommand"):
        await discord_double.slash_command(discord_double.owner, "fact admin", {})


async def test_button_click_reaches_view_callback(
    discord_double: DiscordDouble, bot: TinyBot
) -> None:
    command = await discord_double.slash_command(discord_double.member, "ping", {"text": "x"})
    await discord_double.wait_for_interaction_response(command)
    await next_seen(bot)

    assert command.original_message_id is not None
    message = discord_double.message(command.original_message_id)
    click = await discord_double.click_button(discord_double.rep_member, message, "ping:again")

    assert await next_seen(bot) == ("button", discord_double.rep_member.id)
    callback = await discord_double.wait_for_interaction_response(click)
    assert callback.json["type"] == CallbackType.UPDATE_MESSAGE
    updated = discord_double.message(command.original_message_id)
    assert updated["content"] == "clicked by rep_holder" and updated["components"] == []
    with pytest.raises(LookupError, match="no component"):
        await discord_double.click_button(discord_double.member, updated, "ping:again")


async def test_modal_submit_reaches_modal(discord_double: DiscordDouble, bot: TinyBot) -> None:
    command = await discord_double.slash_command(discord_double.member, "fact suggest")
    callback = await discord_double.wait_for_interaction_response(command)
    assert callback.json["type"] == CallbackType.MODAL
    assert "fact:suggest" in discord_double.opened_modals

    submit = await discord_double.submit_modal(
        discord_double.member, "fact:suggest", {"fact:text": "sky is blue"}
    )

    assert await next_seen(bot) == ("modal", discord_double.member.id, "sky is blue")
    answer = await discord_double.wait_for_interaction_response(submit)
    assert answer.json["data"]["content"] == "thanks: sky is blue"
    assert answer.json["data"]["flags"] == 64


async def test_deferred_update_then_edit_original(
    discord_double: DiscordDouble, bot: TinyBot
) -> None:
    command = await discord_double.slash_command(discord_double.member, "ping", {"text": "x"})
    await discord_double.wait_for_interaction_response(command)
    await next_seen(bot)
    assert command.original_message_id is not None

    click = await discord_double.click_button(
        discord_double.member, command.original_message_id, "ping:edit"
    )

    callback = await discord_double.wait_for_interaction_response(click)
    assert callback.json["type"] == CallbackType.DEFERRED_UPDATE_MESSAGE
    edit = await discord_double.wait_for_original_edit(click)
    assert edit.json["content"] == "edited after defer" and edit.status == 200
    assert await next_seen(bot) == ("edited", discord_double.member.id)
    assert discord_double.message(command.original_message_id)["content"] == "edited after defer"


async def test_interaction_is_answered_once(discord_double: DiscordDouble, bot: TinyBot) -> None:
    interaction = await discord_double.slash_command(discord_double.member, "ping", {"text": "x"})
    await discord_double.wait_for_interaction_response(interaction)
    route = discord.http.Route(
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
        interaction_id=interaction.id,
        interaction_token=interaction.token,
    )

    with pytest.raises(discord.HTTPException) as raised:
        await bot.http.request(route, json={"type": 4, "data": {"content": "again"}})

    assert raised.value.status == 400 and raised.value.code == 40060


async def test_interaction_answered_after_the_deadline_is_unknown(
    discord_double: DiscordDouble, bot: TinyBot
) -> None:
    discord_double.ack_deadline = 0.0

    interaction = await discord_double.slash_command(discord_double.member, "ping", {"text": "x"})

    callback = await discord_double.wait_for_interaction_response(interaction)
    assert callback.status == 404 and interaction.original_message_id is None
    assert await next_seen(bot) == ("ping", discord_double.member.id, "x")
