"""What a test makes members do: post messages and DMs, run slash commands,
click buttons and submit modals, each arriving at the bot as a gateway event."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from discord_double.messages import MessagesMixin
from discord_double.protocol import JSON, ComponentType, InteractionType, OptionType
from discord_double.records import InjectedInteraction
from discord_double.state import ChannelLike, MessageLike, UserLike
from discord_double.world import FakeChannel, FakeUser

_SUBCOMMANDS = (OptionType.SUB_COMMAND, OptionType.SUB_COMMAND_GROUP)


class InjectionMixin(MessagesMixin):
    async def send_message(self, author: UserLike, channel: ChannelLike, content: str) -> JSON:
        """Inject MESSAGE_CREATE from ``author`` in ``channel`` (guild or DM).

        Mentions are the ``<@id>`` / ``<@&id>`` tokens in ``content``.
        Returns the message payload (ids are strings, as on Discord).
        """
        user = self._as_user(author)
        target = self.get_channel(channel)
        if not target.is_dm and self.guild.get_member(user.id) is None:
            raise ValueError(f"{user.username} is not a member of the guild")
        message = self._new_message(target, user, content, embeds=[])
        self._set_mentions(message, target, None)
        if not target.is_dm:
            member = self.guild.members[user.id]
            message["member"] = member.to_payload(include_user=False)
        self._store_message(message)
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    async def send_dm(self, author: UserLike, content: str) -> JSON:
        """Inject a DM from ``author`` to the bot."""
        return await self.send_message(author, self.dm_channel(author), content)

    async def slash_command(
        self,
        user: UserLike,
        name: str,
        options: Mapping[str, Any] | None = None,
        channel: ChannelLike | None = None,
        *,
        guild: bool = True,
        locale: str = "en-US",
    ) -> InjectedInteraction:
        """Inject a chat-input command (INTERACTION_CREATE type 2).

        ``name`` may include subcommand group/subcommand ("fact add",
        "admin fact add"); ``options`` maps option names of the leaf command to
        string, integer or boolean values, or an attachment object for an attachment
        option.  The command must have been registered by
        the bot (bulk overwrite).  Without ``channel`` the command runs in
        ``general`` (``guild=True``) or in the user's DM channel (``guild=False``).
        """
        if channel is not None:
            target = self.get_channel(channel)
        else:
            target = self.general if guild else self.dm_channel(user)
        path = name.split()
        command = self._find_command(path[0], in_guild=not target.is_dm)
        data: JSON = {"id": command["id"], "name": command["name"], "type": command.get("type", 1)}
        resolved: JSON = {}
        options_payload = _command_options(command, path[1:], dict(options or {}), resolved)
        if options_payload:
            data["options"] = options_payload
        if resolved:
            data["resolved"] = resolved
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return await self._inject_interaction(
            InteractionType.APPLICATION_COMMAND, user, target, data, locale=locale
        )

    async def click_button(
        self, user: UserLike, message: MessageLike, custom_id: str
    ) -> InjectedInteraction:
        """Inject a button click (INTERACTION_CREATE type 3) on a stored message."""
        stored = self.message(message)
        components = list(_walk_components(stored.get("components", [])))
        component = next((c for c in components if c.get("custom_id") == custom_id), None)
        if component is None:
            ids = [c["custom_id"] for c in components if "custom_id" in c]
            raise LookupError(
                f"message {stored['id']} has no component {custom_id!r}; it has {ids}"
            )
        if component["type"] != ComponentType.BUTTON:
            raise ValueError(f"component {custom_id!r} has type {component['type']}, not a button")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        data: JSON = {"custom_id": custom_id, "component_type": component["type"]}
        target = self.get_channel(stored["channel_id"])
        return await self._inject_interaction(
            InteractionType.MESSAGE_COMPONENT, user, target, data, message=stored
        )

    async def submit_modal(
        self,
        user: UserLike,
        custom_id: str,
        values: Mapping[str, str],
        channel: ChannelLike | None = None,
    ) -> InjectedInteraction:
        """Inject a modal submit (INTERACTION_CREATE type 5).

        The bot must have opened the modal (callback type 9); ``values`` maps
        text-input custom_ids to the typed text and the submission mirrors the
        modal's action rows.  Without ``channel`` it happens where the modal
        was opened.
        """
        modal = self.opened_modals.get(custom_id)
        if modal is None:
            raise LookupError(
                f"the bot never opened a modal {custom_id!r}; opened: {sorted(self.opened_modals)}"
            )
        rows = modal.get("components", [])
        known = {c["custom_id"] for c in _walk_components(rows) if "custom_id" in c}
        unknown = set(values) - known
        if unknown:
            raise ValueError(
                f"modal {custom_id!r} has no inputs {sorted(unknown)}; inputs: {sorted(known)}"
            )
        source = self._modal_sources[custom_id]
        target = self.get_channel(channel) if channel is not None else source.channel
        data = {"custom_id": custom_id, "components": _modal_submission(rows, values)}
        message = self._messages.get(source.message_id) if source.message_id else None
        return await self._inject_interaction(
            InteractionType.MODAL_SUBMIT, user, target, data, message=message
        )

    # ------------------------------------------------------------ internals

    async def _inject_interaction(
        self,
        itype: InteractionType,
        user: UserLike,
        channel: FakeChannel,
        data: JSON,
        *,
        message: JSON | None = None,
        locale: str = "en-US",
    ) -> InjectedInteraction:
        target_user = self._as_user(user)
        interaction_id = self._ids.next()
        token = f"ix.{interaction_id}.{secrets.token_urlsafe(16)}"
        payload = self._interaction_payload(
            itype, interaction_id, token, target_user, channel, data, locale
        )
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        interaction = InjectedInteraction(
            id=interaction_id,
            token=token,
            type=int(itype),
            payload=payload,
            user=target_user,
            channel=channel,
            guild_id=channel.guild_id,
            message_id=None if message is None else int(message["id"]),
        )
        self._interactions[interaction_id] = interaction
        self._interactions_by_token[token] = interaction
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    def _interaction_payload(
        self,
        itype: InteractionType,
        interaction_id: int,
        token: str,
        user: FakeUser,
        channel: FakeChannel,
        data: JSON,
        locale: str,
    ) -> JSON:
        payload: JSON = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": int(itype),
            "data": data,
            "token": token,
            "version": 1,
            "channel_id": str(channel.id),
            "locale": locale,
            "app_permissions": str(self.guild.permissions_for(self.bot_member)),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if channel.is_dm:
            payload.update(
                channel=channel.to_payload(),
                user=user.to_payload(),
                context=1,
                authorizing_integration_owners={"0": "0"},
            )
            return payload
        member = self.guild.get_member(user.id)
        if member is None:
            raise ValueError(f"{user.username} is not a member of the guild")
        permissions = self.guild.permissions_for(member)
        payload.update(
            guild_id=str(self.guild.id),
            guild={"id": str(self.guild.id), "locale": "en-US", "features": []},
            guild_locale="en-US",
            channel=channel.to_payload() | {"permissions": str(permissions)},
            member=member.to_payload(permissions=permissions),
            context=0,
            authorizing_integration_owners={"0": str(self.guild.id)},
        )
        return payload

    def _find_command(self, name: str, *, in_guild: bool) -> JSON:
        scopes: list[int | None] = [self.guild.id, None] if in_guild else [None]
        for scope in scopes:
            command = self._commands.get(scope, {}).get((name, 1))
            if command is not None:
                return command
        registered = sorted(n for scope in scopes for (n, _) in self._commands.get(scope, {}))
        raise LookupError(f"slash command /{name} is not registered (registered: {registered})")


def _command_options(
    command: JSON, subpath: list[str], values: dict[str, Any], resolved: JSON
) -> list[JSON]:
    """The ``options`` of a command interaction: nested subcommands, then the leaf's values,
    checked against the command's registered schema; attachments go into ``resolved``."""
    schema: list[JSON] = command.get("options") or []
    root: list[JSON] = []
    container = root
    label = f"/{command['name']}"
    for sub in subpath:
        option = next((o for o in schema if o["name"] == sub and o["type"] in _SUBCOMMANDS), None)
        if option is None:
            subs = [o["name"] for o in schema if o["type"] in _SUBCOMMANDS]
            raise ValueError(f"{label} has no subcommand {sub!r}; available: {subs}")
        node: JSON = {"type": option["type"], "name": sub, "options": []}
        container.append(node)
        container, schema, label = node["options"], option.get("options") or [], f"{label} {sub}"
    if any(o["type"] in _SUBCOMMANDS for o in schema):
        raise ValueError(f"{label} needs a subcommand: {[o['name'] for o in schema]}")
    known = {o["name"]: o for o in schema}
    unknown = sorted(set(values) - set(known))
    missing = [o["name"] for o in schema if o.get("required") and o["name"] not in values]
    if unknown or missing:
        raise ValueError(f"{label}: unknown options {unknown}, missing required {missing}")
    container.extend(_option_value(known[name], value, resolved) for name, value in values.items())
    return root


def _option_value(option: JSON, value: Any, resolved: JSON) -> JSON:
    otype = OptionType(option["type"])
    if otype == OptionType.ATTACHMENT:
        attachment = dict(value)  # Discord's attachment object: id, filename, url, size…
        resolved.setdefault("attachments", {})[str(attachment["id"])] = attachment
        raw: Any = str(attachment["id"])
    elif otype == OptionType.STRING:
        raw = str(value)
    elif otype == OptionType.INTEGER:
        raw = int(value)
    elif otype == OptionType.BOOLEAN:
        raw = bool(value)
    else:
        raise ValueError(f"option {option['name']!r}: unsupported type {otype!r}")
    choices = option.get("choices")
    if choices and raw not in [c["value"] for c in choices]:
        raise ValueError(
            f"option {option['name']!r}: {raw!r} is not one of {[c['value'] for c in choices]}"
        )
    return {"type": int(otype), "name": option["name"], "value": raw}


def _walk_components(components: Sequence[JSON]) -> Iterator[JSON]:
    for component in components:
        yield component
        yield from _walk_components(component.get("components", []))


def _modal_submission(components: Sequence[JSON], values: Mapping[str, str]) -> list[JSON]:
    """Mirror a modal's action rows of text inputs as Discord's submission payload."""
    submitted: list[JSON] = []
    for component in components:
        if component.get("type") == ComponentType.ACTION_ROW:
            inner = _modal_submission(component.get("components", []), values)
            submitted.append({"type": int(ComponentType.ACTION_ROW), "components": inner})
        elif component.get("type") == ComponentType.TEXT_INPUT:
            entry: JSON = {
                "type": int(ComponentType.TEXT_INPUT),
                "custom_id": component["custom_id"],
                # An input left alone submits what the bot filled it with, as Discord does.
                "value": values.get(component["custom_id"], component.get("value", "")),
            }
            if "id" in component:
                entry["id"] = component["id"]
            submitted.append(entry)
    return submitted
