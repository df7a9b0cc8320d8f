"""Everything the double knows, in one place: the default world, the messages,
interactions and commands the bot created, and what the client sent.

The double's other modules each add one job to this state as a mixin
(gateway, messages, REST routes, interactions, injection); ``DiscordDouble``
combines them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from discord_double.protocol import (
    API_VERSION,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    DEFAULT_TOKEN,
    JSON,
    AppFlag,
    ChannelType,
    SnowflakeFactory,
    now_iso,
)
from discord_double.records import (
    Delivery,
    EventLog,
    GatewayFrame,
    InjectedInteraction,
    RecordedRequest,
)
from discord_double.world import FakeChannel, FakeGuild, FakeMember, FakeRole, FakeUser

if TYPE_CHECKING:
    from discord_double.gateway import GatewayConnection, GatewaySession
    from discord_double.responses import Failure

UserLike = FakeUser | FakeMember
ChannelLike = FakeChannel | int
MessageLike = Mapping[str, Any] | int | str

HEARTBEAT_INTERVAL_MS = 41_250


class DoubleState:
    """The double's state and the lookups every part of it shares."""

    def __init__(self, *, token: str = DEFAULT_TOKEN) -> None:
        self.token = token
        # The portal's Message Content switch is on, as the bot needs.
        self.application_flags = int(AppFlag.GATEWAY_MESSAGE_CONTENT_LIMITED)
        # Discord forgets an interaction not acknowledged within 3 seconds.
        self.ack_deadline = 3.0

        self.requests: EventLog[RecordedRequest] = EventLog("REST request")
        self.gateway_frames: EventLog[GatewayFrame] = EventLog("gateway payload")
        self.connections: list[GatewayConnection] = []
        self.identify_payloads: list[JSON] = []
        self.deliveries: list[Delivery] = []
        self.internal_errors: list[BaseException] = []
        self.opened_modals: dict[str, JSON] = {}
        self.users: dict[int, FakeUser] = {}

        self._ids = SnowflakeFactory()
        self._port: int | None = None
        self._session: GatewaySession | None = None
        self._messages: dict[int, JSON] = {}
        self._channel_messages: dict[int, list[int]] = {}
        self._dm_channels: dict[int, FakeChannel] = {}
        self._interactions: dict[int, InjectedInteraction] = {}
        self._interactions_by_token: dict[str, InjectedInteraction] = {}
        self._modal_sources: dict[str, InjectedInteraction] = {}
        self._commands: dict[int | None, dict[tuple[str, int], JSON]] = {}
        self._command_ids: dict[tuple[int | None, str, int], int] = {}
        self._failures: list[Failure] = []
        self._joined_at = now_iso()
        self._build_default_world()

    # ------------------------------------------------------------------ world

    def _build_default_world(self) -> None:
        self.bot_user = self._add_user("TestBot", bot=True)
        self.application_id = self.bot_user.id
        self.owner = self._add_user("guild_owner")
        guild_id = self._ids.next()
        self.guild = FakeGuild(id=guild_id, name="Test Guild", owner_id=self.owner.id)
        self.everyone_role = self._add_role(
            "@everyone", permissions=DEFAULT_EVERYONE_PERMISSIONS, position=0, role_id=guild_id
        )
        self.rep_role = self._add_role("Rep", position=1, mentionable=True)
        self.bot_role = self._add_role(
            "TestBot",
            permissions=DEFAULT_BOT_PERMISSIONS,
            position=2,
            managed=True,
            tags={"bot_id": str(self.bot_user.id)},
        )
        self.general = self._add_text_channel("general")
        self.other_channel = self._add_text_channel("other")
        self.bot_member = self._add_guild_member(self.bot_user, [self.bot_role])
        self.owner_member = self._add_guild_member(self.owner, [])
        self.rep_member = self.add_member("rep_holder", roles=[self.rep_role])
        self.member = self.add_member("plain_member")

    def add_member(self, username: str, *, roles: Sequence[FakeRole] = ()) -> FakeMember:
        """Create a user and make them a guild member (before the client connects)."""
        return self._add_guild_member(self._add_user(username), list(roles))

    def add_channel(self, name: str) -> FakeChannel:
        """Create a text channel in the guild (before the client connects)."""
        return self._add_text_channel(name)

    def dm_channel(self, user: UserLike) -> FakeChannel:
        """The (lazily created) DM channel between the bot and ``user``."""
        target = self._as_user(user)
        channel = self._dm_channels.get(target.id)
        if channel is None:
            channel = FakeChannel(
                id=self._ids.next(), name="", type=ChannelType.DM, recipient=target
            )
            self._dm_channels[target.id] = channel
        return channel

    def _add_user(self, username: str, *, bot: bool = False) -> FakeUser:
        user = FakeUser(id=self._ids.next(), username=username, bot=bot)
        self.users[user.id] = user
        return user

    def _add_role(
        self,
        name: str,
        *,
        position: int,
        permissions: int = 0,
        mentionable: bool = False,
        managed: bool = False,
        tags: JSON | None = None,
        role_id: int | None = None,
    ) -> FakeRole:
        role = FakeRole(
            id=role_id or self._ids.next(),
            name=name,
            permissions=permissions,
            position=position,
            mentionable=mentionable,
            managed=managed,
            tags=tags,
        )
        self.guild.roles.append(role)
        return role

    def _add_guild_member(self, user: FakeUser, roles: list[FakeRole]) -> FakeMember:
        member = FakeMember(user=user, roles=roles)
        self.guild.members[user.id] = member
        return member

    def _add_text_channel(self, name: str) -> FakeChannel:
        channel = FakeChannel(
            id=self._ids.next(),
            name=name,
            guild_id=self.guild.id,
            position=len(self.guild.channels),
        )
        self.guild.channels.append(channel)
        return channel

    # ------------------------------------------------------------ addresses

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("DiscordDouble is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be set to."""
        return f"{self.base_url}/api/v{API_VERSION}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway-resume"

    # -------------------------------------------------------------- lookups

    def _as_user(self, value: UserLike | int | str) -> FakeUser:
        if isinstance(value, FakeMember):
            return value.user
        if isinstance(value, FakeUser):
            return value
        try:
            return self.users[int(value)]
        except (KeyError, ValueError):
            raise LookupError(f"unknown user {value!r}") from None

    def get_channel(self, channel: ChannelLike | str) -> FakeChannel:
        if isinstance(channel, FakeChannel):
            return channel
        channel_id = int(channel)
        found = self.guild.get_channel(channel_id)
        if found is None:
            found = next((c for c in self._dm_channels.values() if c.id == channel_id), None)
        if found is None:
            raise LookupError(f"unknown channel {channel!r}")
        return found

    def message(self, message: MessageLike) -> JSON:
        """The stored payload of any message (injected or sent by the bot)."""
        message_id = int(message["id"]) if isinstance(message, Mapping) else int(message)
        try:
            return self._messages[message_id]
        except KeyError:
            raise LookupError(f"unknown message {message_id}") from None

    def messages_in(self, channel: ChannelLike) -> list[JSON]:
        """All messages in a channel, oldest first."""
        ids = self._channel_messages.get(self.get_channel(channel).id, [])
        return [self._messages[i] for i in ids]

    def bot_messages(self, channel: ChannelLike | None = None) -> list[JSON]:
        """Messages authored by the bot (channel sends, interaction replies, follow-ups)."""
        candidates = self._messages.values() if channel is None else self.messages_in(channel)
        return [m for m in candidates if m["author"]["id"] == str(self.bot_user.id)]

    def registered_commands(self, *, guild: bool = False) -> dict[str, JSON]:
        """Chat-input and context-menu commands by name, global or for ``guild``."""
        scope = self.guild.id if guild else None
        return {name: cmd for (name, _), cmd in self._commands.get(scope, {}).items()}
