"""The invite URL: exactly the scopes and permissions the bot uses, and its application id."""

from __future__ import annotations

import base64

import discord
import pytest

from bot.invite import (
    NEEDED_PERMISSIONS,
    application_id_from_token,
    invite_url,
    missing_permissions,
    needed_permissions,
)


def test_the_permissions_are_the_five_the_bot_uses() -> None:
    expected = discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        embed_links=True,
        read_message_history=True,
    )
    assert needed_permissions() == expected
    assert needed_permissions().value == 274877991936
    assert all(permission.reason for permission in NEEDED_PERMISSIONS)


def test_the_invite_url_is_exact() -> None:
    assert invite_url(1084295847529332736) == (
        "https://discord.com/oauth2/authorize?client_id=1084295847529332736"
        "&scope=bot+applications.commands&permissions=274877991936"
    )


@pytest.mark.parametrize("application_id", [1, 80351110224678912, 1084295847529332736])
def test_the_application_id_is_read_from_a_bot_token(application_id: int) -> None:
    head = base64.urlsafe_b64encode(str(application_id).encode()).decode().rstrip("=")
    assert application_id_from_token(f"{head}.GhIjKl.secret-part") == application_id


@pytest.mark.parametrize(
    "token", ["", "discord-double-token", "bm90IGFuIGlk.x.y", "MA.x.y", "%%%.x.y"]
)
def test_a_token_without_an_application_id_gives_none(token: str) -> None:
    assert application_id_from_token(token) is None


def test_missing_permissions_are_named_as_the_portal_names_them() -> None:
    granted = discord.Permissions(view_channel=True, send_messages=True)
    assert missing_permissions(granted) == [
        "Send Messages in Threads",
        "Embed Links",
        "Read Message History",
    ]
    assert missing_permissions(needed_permissions()) == []
