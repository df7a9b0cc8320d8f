"""Messages as Discord stores them: built from a test's injection or the bot's
request body, with mentions, replies and interaction metadata, and echoed back
over the gateway."""

from __future__ import annotations

import copy
import re
from typing import Any

from aiohttp import web

from discord_double.gateway import GatewayMixin
from discord_double.protocol import (
    JSON,
    MAX_CONTENT_LENGTH,
    InteractionType,
    MessageFlag,
    MessageType,
    now_iso,
)
from discord_double.records import InjectedInteraction
from discord_double.responses import error, form_error
from discord_double.world import FakeChannel, FakeRole, FakeUser

USER_MENTION_RE = re.compile(r"<@!?(\d+)>")
ROLE_MENTION_RE = re.compile(r"<@&(\d+)>")


class MessagesMixin(GatewayMixin):
    def _new_message(
        self, channel: FakeChannel, author: FakeUser, content: str, *, embeds: list[JSON]
    ) -> JSON:
        message: JSON = {
            "id": str(self._ids.next()),
            "channel_id": str(channel.id),
            "author": author.to_payload(),
            "content": content,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": embeds,
            "reactions": [],
            "pinned": False,
            "type": int(MessageType.DEFAULT),
            "flags": 0,
            "components": [],
            "sticker_items": [],
        }
        if not channel.is_dm:
            message["guild_id"] = str(self.guild.id)
        return message

    def _set_mentions(self, message: JSON, channel: FakeChannel, allowed: JSON | None) -> None:
        """Mentions from the ``<@id>``/``<@&id>`` tokens in the content, as
        ``allowed`` (the bot's ``allowed_mentions``) permits."""
        content = message["content"]
        ids = [int(i) for i in USER_MENTION_RE.findall(content) if int(i) in self.users]
        mentioned = [self.users[i] for i in dict.fromkeys(ids)]
        roles: list[FakeRole] = []
        if not channel.is_dm:
            found = (self.guild.get_role(int(i)) for i in ROLE_MENTION_RE.findall(content))
            roles = [r for r in found if r is not None]
        if allowed is not None:
            mentioned, roles = _apply_allowed_mentions(allowed, mentioned, roles)
        message["mentions"] = [self._mention_payload(u, channel) for u in mentioned]
        message["mention_roles"] = [str(r.id) for r in roles]
        everyone_allowed = allowed is None or "everyone" in allowed.get("parse", [])
        message["mention_everyone"] = everyone_allowed and (
            "@everyone" in content or "@here" in content
        )

    def _mention_payload(self, user: FakeUser, channel: FakeChannel) -> JSON:
        data = user.to_payload()
        member = None if channel.is_dm else self.guild.get_member(user.id)
        if member is not None:
            data["member"] = member.to_payload(include_user=False)
        return data

    def _set_reference(self, message: JSON, channel: FakeChannel, reference: JSON) -> None:
        referenced_id = int(reference["message_id"])
        message["message_reference"] = {
            "type": 0,
            "message_id": str(referenced_id),
            "channel_id": str(reference.get("channel_id") or channel.id),
        }
        if not channel.is_dm:
            message["message_reference"]["guild_id"] = str(self.guild.id)
        referenced = self._messages.get(referenced_id)
        if referenced is not None:
            message["referenced_message"] = {
                k: v for k, v in referenced.items() if k != "referenced_message"
            }
        message["type"] = int(MessageType.REPLY)

    def _store_message(self, message: JSON) -> None:
        message_id = int(message["id"])
        self._messages[message_id] = message
        self._channel_messages.setdefault(int(message["channel_id"]), []).append(message_id)

    def _bot_message(
        self, channel: FakeChannel, body: JSON, interaction: InjectedInteraction | None = None
    ) -> JSON:
        message = self._new_message(channel, self.bot_user, body.get("content") or "", embeds=[])
        self._apply_body(message, body)
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        message["tts"] = bool(body.get("tts"))
        if body.get("message_reference"):
            self._set_reference(message, channel, body["message_reference"])
        if interaction is not None:
            self._mark_interaction_message(message, interaction)
        self._store_message(message)
        return message

    def _apply_body(self, message: JSON, body: JSON) -> None:
        """Apply the message fields of a create/edit body to ``message``."""
        if "content" in body:
            message["content"] = body["content"] or ""
        for key in ("embeds", "components"):
            if key in body:
                message[key] = copy.deepcopy(body[key] or [])
        if "flags" in body:
            message["flags"] = int(body["flags"] or 0)
        channel = self.get_channel(message["channel_id"])
        self._set_mentions(message, channel, body.get("allowed_mentions"))

    def _edit_message(self, message: JSON, body: JSON) -> None:
        self._apply_body(message, body)
        message["flags"] = int(message["flags"]) & ~int(MessageFlag.LOADING)
        message["edited_timestamp"] = now_iso()

    def _mark_interaction_message(self, message: JSON, interaction: InjectedInteraction) -> None:
        message["webhook_id"] = str(self.application_id)
        message["application_id"] = str(self.application_id)
        message["interaction_metadata"] = {
            "id": str(interaction.id),
            "type": interaction.type,
            "user": interaction.user.to_payload(),
            "authorizing_integration_owners": interaction.payload.get(
                "authorizing_integration_owners", {}
            ),
        }
        if interaction.type == InteractionType.APPLICATION_COMMAND:
            message["type"] = int(MessageType.CHAT_INPUT_COMMAND)
            message["interaction_metadata"]["name"] = interaction.data.get("name")

    async def _echo(self, event: str, message: JSON) -> None:
        """Discord tells the bot about its own messages too, except ephemeral ones."""
        if not message["flags"] & MessageFlag.EPHEMERAL:
            await self._dispatch_if_connected(event, message)

    @staticmethod
    def _invalid_message_body(body: Any, *, edit: bool = False) -> web.Response | None:
        """Discord's answer to a message body it refuses, or ``None`` if it is fine."""
        if not isinstance(body, dict):
            return error(400, 50109, "The request body contains invalid JSON.")
        content = body.get("content") or ""
        if len(content) > MAX_CONTENT_LENGTH:
            return form_error(
                "content",
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {MAX_CONTENT_LENGTH} or fewer in length.",
            )
        if len(body.get("embeds") or []) > 10:
            return form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        has_payload = content or body.get("embeds") or body.get("components")
        if not edit and not has_payload:
            return error(400, 50006, "Cannot send an empty message")
        return None


def _apply_allowed_mentions(
    allowed: JSON, users: list[FakeUser], roles: list[FakeRole]
) -> tuple[list[FakeUser], list[FakeRole]]:
    parse = allowed.get("parse", [])
    user_ids = {str(u) for u in allowed.get("users", [])}
    role_ids = {str(r) for r in allowed.get("roles", [])}
    kept_users = [u for u in users if "users" in parse or str(u.id) in user_ids]
    kept_roles = [r for r in roles if "roles" in parse or str(r.id) in role_ids]
    return kept_users, kept_roles
