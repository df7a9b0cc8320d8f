"""The server the bot lives in: users, roles, channels, members and the guild,
each able to render itself as Discord's JSON payload."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from discord_double.protocol import ALL_PERMISSIONS, JSON, ChannelType, Perm, now_iso


@dataclass(eq=False)
class FakeUser:
    id: int
    username: str
    bot: bool = False

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def to_payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass(eq=False)
class FakeRole:
    id: int
    name: str
    permissions: int = 0
    position: int = 0
    mentionable: bool = False
    managed: bool = False
    tags: JSON | None = None

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def to_payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.tags is not None:
            data["tags"] = dict(self.tags)
        return data


@dataclass(eq=False)
class FakeChannel:
    id: int
    name: str
    type: int = ChannelType.GUILD_TEXT
    guild_id: int | None = None
    position: int = 0
    recipient: FakeUser | None = None
    permission_overwrites: list[JSON] = field(default_factory=list)

    @property
    def is_dm(self) -> bool:
        return self.type == ChannelType.DM

    def deny(self, role: FakeRole, permissions: int) -> None:
        """Deny ``role`` these permissions here (a permission overwrite), before the
        client connects: the client sees it in GUILD_CREATE; the double enforces nothing."""
        self.permission_overwrites.append(
            {"id": str(role.id), "type": 0, "allow": "0", "deny": str(permissions)}
        )

    def to_payload(self) -> JSON:
        if self.is_dm:
            assert self.recipient is not None
            return {
                "id": str(self.id),
                "type": int(ChannelType.DM),
                "last_message_id": None,
                "flags": 0,
                "recipients": [self.recipient.to_payload()],
            }
        return {
            "id": str(self.id),
            "type": int(self.type),
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [dict(o) for o in self.permission_overwrites],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }


@dataclass(eq=False)
class FakeMember:
    user: FakeUser
    roles: list[FakeRole] = field(default_factory=list)
    joined_at: str = field(default_factory=now_iso)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def mention(self) -> str:
        return self.user.mention

    def to_payload(self, *, include_user: bool = True, permissions: int | None = None) -> JSON:
        data: JSON = {
            "roles": [str(r.id) for r in self.roles],
            "nick": None,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if include_user:
            data["user"] = self.user.to_payload()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass(eq=False)
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: list[FakeRole] = field(default_factory=list)
    members: dict[int, FakeMember] = field(default_factory=dict)
    channels: list[FakeChannel] = field(default_factory=list)

    @property
    def everyone_role(self) -> FakeRole:
        role = self.get_role(self.id)
        assert role is not None, "the @everyone role shares the guild id"
        return role

    def get_role(self, role_id: int) -> FakeRole | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def get_channel(self, channel_id: int) -> FakeChannel | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    def get_member(self, user_id: int) -> FakeMember | None:
        return self.members.get(user_id)

    def permissions_for(self, member: FakeMember) -> int:
        """Guild-level permissions (owner/administrator get everything)."""
        if member.id == self.owner_id:
            return ALL_PERMISSIONS
        perms = self.everyone_role.permissions
        for role in member.roles:
            perms |= role.permissions
        return ALL_PERMISSIONS if perms & Perm.ADMINISTRATOR else perms

    def create_payload(self, members: Sequence[FakeMember], joined_at: str) -> JSON:
        """The GUILD_CREATE payload, carrying ``members`` (may be a subset)."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.to_payload() for r in self.roles],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "joined_at": joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "members": [m.to_payload() for m in members],
            "channels": [c.to_payload() for c in self.channels],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
