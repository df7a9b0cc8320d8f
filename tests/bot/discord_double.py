"""Loopback Discord test double for discord.py bots.

`DiscordDouble` is an aiohttp server on 127.0.0.1 (random free port) that
speaks enough of Discord's REST API v10 and Gateway v10 for an *unmodified*
discord.py 2.7 client to log in, sync app commands, receive READY and
GUILD_CREATE and then react to events the test injects (messages, slash
commands, button clicks, select menus, modal submits).  Every REST call and
every gateway payload the client sends is recorded for assertions.

Typical use (see ``conftest.py`` for the ready-made ``discord_double`` fixture)::

    async with DiscordDouble() as double:
        with patch_discord(double):
            bot = make_bot()
            async with running_client(bot, double):
                await double.send_message(double.member, double.general, "!ping")
                request = await double.wait_for_bot_message(double.general)
                assert request.json["content"] == "pong"

Behaviour that mirrors Discord on purpose (so that product bugs show up here
rather than in production):

* transport compression (``zlib-stream``, and ``zstd-stream`` if a zstd module
  is installed) is honoured exactly as discord.py asks for it;
* intents are enforced: MESSAGE_CREATE needs GUILD_MESSAGES / DIRECT_MESSAGES,
  guild message content is blanked without MESSAGE_CONTENT (unless the bot is
  mentioned), GUILD_CREATE only carries the bot's own member unless
  GUILD_PRESENCES is set (discord.py then chunks via opcode 8);
* the bot's own messages are echoed back as MESSAGE_CREATE (non-ephemeral);
* interaction callbacks must arrive within ``ack_deadline`` seconds and only
  once; empty or over-long (>2000 chars) messages are rejected with Discord's
  error bodies; role changes respect the bot's MANAGE_ROLES and role hierarchy.

Channel permission overwrites are not modelled: permissions are guild-wide.
"""

# The waiting helpers take ``timeout=`` on purpose: one call per expectation in tests.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import copy
import enum
import importlib
import json
import logging
import re
import secrets
import time
import uuid
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import unquote

import discord
import yarl
from aiohttp import BodyPartReader, WSMsgType, web
from discord import http as discord_http
from discord.gateway import DiscordWebSocket

log = logging.getLogger(__name__)

JSON = dict[str, Any]
T = TypeVar("T")

API_VERSION = 10
DISCORD_EPOCH_MS = 1_420_070_400_000
MAX_CONTENT_LENGTH = 2000
DEFAULT_TOKEN = "discord-double-token"


# --------------------------------------------------------------------------- #
# Protocol constants
# --------------------------------------------------------------------------- #


class Op(enum.IntEnum):
    """Gateway opcodes."""

    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE_UPDATE = 3
    VOICE_STATE_UPDATE = 4
    RESUME = 6
    RECONNECT = 7
    REQUEST_GUILD_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11


class Intent(enum.IntFlag):
    """The gateway intents the double enforces."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15


class Perm(enum.IntFlag):
    """Permission bits used by the default world."""

    ADMINISTRATOR = 1 << 3
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    USE_EXTERNAL_EMOJIS = 1 << 18
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31


ALL_PERMISSIONS = discord.Permissions.all().value
DEFAULT_EVERYONE_PERMISSIONS = int(
    Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.READ_MESSAGE_HISTORY
    | Perm.ADD_REACTIONS
    | Perm.USE_EXTERNAL_EMOJIS
    | Perm.USE_APPLICATION_COMMANDS
)
DEFAULT_BOT_PERMISSIONS = DEFAULT_EVERYONE_PERMISSIONS | int(
    Perm.MANAGE_MESSAGES | Perm.MANAGE_ROLES
)


class ChannelType(enum.IntEnum):
    GUILD_TEXT = 0
    DM = 1
    GUILD_VOICE = 2
    GUILD_CATEGORY = 4


class InteractionType(enum.IntEnum):
    PING = 1
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class CallbackType(enum.IntEnum):
    PONG = 1
    CHANNEL_MESSAGE = 4
    DEFERRED_CHANNEL_MESSAGE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    AUTOCOMPLETE_RESULT = 8
    MODAL = 9


class OptionType(enum.IntEnum):
    SUB_COMMAND = 1
    SUB_COMMAND_GROUP = 2
    STRING = 3
    INTEGER = 4
    BOOLEAN = 5
    USER = 6
    CHANNEL = 7
    ROLE = 8
    MENTIONABLE = 9
    NUMBER = 10
    ATTACHMENT = 11


class MessageFlag(enum.IntFlag):
    EPHEMERAL = 1 << 6
    LOADING = 1 << 7


class MessageType(enum.IntEnum):
    DEFAULT = 0
    REPLY = 19
    CHAT_INPUT_COMMAND = 20


SELECT_COMPONENT_TYPES = frozenset({3, 5, 6, 7, 8})
TEXT_INPUT_COMPONENT = 4
USER_MENTION_RE = re.compile(r"<@!?(\d+)>")
ROLE_MENTION_RE = re.compile(r"<@&(\d+)>")


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


class SnowflakeFactory:
    """Monotonic, realistic snowflakes (their timestamps are 'now')."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last


# --------------------------------------------------------------------------- #
# World model
# --------------------------------------------------------------------------- #


@dataclass(eq=False)
class FakeUser:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def to_payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
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
    color: int = 0
    hoist: bool = False
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
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
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
    topic: str | None = None
    parent_id: int | None = None
    recipient: FakeUser | None = None

    @property
    def is_dm(self) -> bool:
        return self.type == ChannelType.DM

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

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
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None if self.parent_id is None else str(self.parent_id),
            "topic": self.topic,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }


@dataclass(eq=False)
class FakeMember:
    user: FakeUser
    roles: list[FakeRole] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=_now_iso)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def mention(self) -> str:
        return self.user.mention

    def has_role(self, role: FakeRole) -> bool:
        return any(r.id == role.id for r in self.roles)

    def to_payload(self, *, include_user: bool = True, permissions: int | None = None) -> JSON:
        data: JSON = {
            "roles": [str(r.id) for r in self.roles],
            "nick": self.nick,
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

    def top_role_position(self, member: FakeMember) -> int:
        return max((r.position for r in member.roles), default=0)

    def base_payload(self) -> JSON:
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
        }

    def create_payload(self, members: Sequence[FakeMember], joined_at: str) -> JSON:
        """The GUILD_CREATE payload, carrying ``members`` (may be a subset)."""
        data = self.base_payload()
        data.update(
            {
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
        )
        return data


# --------------------------------------------------------------------------- #
# Records
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class RecordedFile:
    field_name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class RecordedRequest:
    """One REST call made by the client.

    ``path`` is relative to ``/api/v10`` (e.g. ``/channels/1/messages``),
    ``route`` the matched template (e.g. ``/channels/{channel_id}/messages``)
    or ``None`` for unknown routes, ``json`` the JSON body (for multipart
    requests: the ``payload_json`` part).
    """

    index: int
    method: str
    path: str
    route: str | None
    params: Mapping[str, str]
    query: Mapping[str, str]
    json: Any
    files: tuple[RecordedFile, ...]
    headers: Mapping[str, str]
    status: int

    @property
    def matched(self) -> bool:
        return self.route is not None

    def matches(
        self, *, method: str | None = None, route: str | None = None, path: str | None = None
    ) -> bool:
        return (
            (method is None or self.method == method.upper())
            and (route is None or self.route == route)
            and (path is None or self.path == path)
        )

    def __str__(self) -> str:
        return f"#{self.index} {self.method} {self.path} -> {self.status}"


@dataclass(frozen=True)
class GatewayFrame:
    """One payload the client sent over the gateway."""

    index: int
    connection: int
    op: int
    data: Any

    def __str__(self) -> str:
        return f"#{self.index} conn={self.connection} op={self.op}"


@dataclass(frozen=True)
class DispatchedEvent:
    seq: int
    name: str
    data: JSON


@dataclass(frozen=True)
class Delivery:
    """A DISPATCH frame actually written to a connection (``replayed`` on RESUME)."""

    connection: int
    seq: int
    name: str
    replayed: bool


@dataclass
class InjectedInteraction:
    """An INTERACTION_CREATE the test injected, plus what the bot did with it."""

    id: int
    token: str
    type: int
    payload: JSON
    user: FakeUser
    channel: FakeChannel
    guild_id: int | None
    message_id: int | None = None
    response_type: int | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    created_at: float = field(default_factory=time.monotonic)

    @property
    def data(self) -> JSON:
        data: JSON = self.payload.get("data") or {}
        return data


@dataclass
class _Failure:
    method: str
    route: str
    status: int
    code: int
    message: str
    remaining: int


class DoubleTimeout(AssertionError):
    """Raised when something the test waits for does not happen in time."""


class EventLog(Generic[T]):
    """An append-only list whose items can be awaited."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._items: list[T] = []
        self._waiters: list[tuple[Callable[[T], bool], asyncio.Future[T]]] = []

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items))

    def __getitem__(self, index: int) -> T:
        return self._items[index]

    def append(self, item: T) -> None:
        self._items.append(item)
        for predicate, future in list(self._waiters):
            if not future.done() and predicate(item):
                future.set_result(item)

    def find(self, predicate: Callable[[T], bool], *, since: int = 0) -> list[T]:
        return [item for item in self._items[since:] if predicate(item)]

    async def wait_for(
        self, predicate: Callable[[T], bool], *, since: int = 0, timeout: float = 5.0
    ) -> T:
        found = self.find(predicate, since=since)
        if found:
            return found[0]
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        waiter = (predicate, future)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            recent = "\n  ".join(str(item) for item in self._items[-15:]) or "(none)"
            raise DoubleTimeout(
                f"no matching {self._what} within {timeout}s; most recent:\n  {recent}"
            ) from None
        finally:
            self._waiters.remove(waiter)


# --------------------------------------------------------------------------- #
# Gateway transport
# --------------------------------------------------------------------------- #


class _Codec(Protocol):
    def pack(self, text: str) -> str | bytes: ...


class _PlainCodec:
    def pack(self, text: str) -> str:
        return text


class _ZlibStreamCodec:
    """One zlib stream per connection, every frame ends with Z_SYNC_FLUSH."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj()

    def pack(self, text: str) -> bytes:
        return self._compressor.compress(text.encode()) + self._compressor.flush(zlib.Z_SYNC_FLUSH)


class _ZstdStreamCodec:
    """One zstd stream per connection, flushed (block) after every frame."""

    def __init__(self) -> None:
        self._pack = _zstd_stream_packer()

    def pack(self, text: str) -> bytes:
        return self._pack(text.encode())


def _zstd_stream_packer() -> Callable[[bytes], bytes]:
    """Same module preference as discord.py: ``zstandard``, else ``compression.zstd`` (3.14+)."""
    try:
        zstandard: Any = importlib.import_module("zstandard")
    except ImportError:
        zstd: Any = importlib.import_module("compression.zstd")
        compressor = zstd.ZstdCompressor()
        return lambda raw: bytes(compressor.compress(raw, mode=zstd.ZstdCompressor.FLUSH_BLOCK))
    stream = zstandard.ZstdCompressor().compressobj()
    return lambda raw: bytes(stream.compress(raw) + stream.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK))


def _codec_for(compress: str | None) -> _Codec:
    if not compress:
        return _PlainCodec()
    if compress == "zlib-stream":
        return _ZlibStreamCodec()
    if compress == "zstd-stream":
        return _ZstdStreamCodec()
    raise ValueError(f"unsupported gateway compression {compress!r}")


@dataclass(eq=False)
class GatewayConnection:
    """One websocket connection from the client."""

    index: int
    path: str
    query: Mapping[str, str]
    ws: web.WebSocketResponse
    codec: _Codec
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    identified: bool = False
    resumed: bool = False
    closed: bool = False

    async def send(self, payload: JSON) -> bool:
        """Send one payload; returns False if the socket is gone."""
        text = json.dumps(payload, separators=(",", ":"))
        async with self.lock:
            if self.closed or self.ws.closed:
                return False
            packed = self.codec.pack(text)
            try:
                if isinstance(packed, bytes):
                    await self.ws.send_bytes(packed)
                else:
                    await self.ws.send_str(packed)
            except (ConnectionError, RuntimeError):
                self.closed = True
                return False
            return True


@dataclass(eq=False)
class _GatewaySession:
    session_id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    events: list[DispatchedEvent] = field(default_factory=list)
    live: GatewayConnection | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


# --------------------------------------------------------------------------- #
# REST helpers
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _RestCall:
    method: str
    path: str
    params: Mapping[str, str]
    query: Mapping[str, str]
    json: Any
    files: tuple[RecordedFile, ...]


RestHandler = Callable[["DiscordDouble", _RestCall], Awaitable[web.Response]]


def _json_response(data: Any, status: int = 200) -> web.Response:
    # discord.py only decodes JSON when the content type is exactly this
    # (aiohttp's json_response would append "; charset=utf-8").
    return web.Response(
        body=json.dumps(data).encode(), status=status, content_type="application/json"
    )


def _no_content() -> web.Response:
    return web.Response(status=204)


def _error(status: int, code: int, message: str, errors: JSON | None = None) -> web.Response:
    body: JSON = {"message": message, "code": code}
    if errors is not None:
        body["errors"] = errors
    return _json_response(body, status)


def _form_error(field_name: str, code: str, message: str) -> web.Response:
    errors = {field_name: {"_errors": [{"code": code, "message": message}]}}
    return _error(400, 50035, "Invalid Form Body", errors)


async def _read_body(request: web.Request) -> tuple[Any, tuple[RecordedFile, ...]]:
    if request.content_type.startswith("multipart/"):
        return await _read_multipart(request)
    raw = await request.read()
    if not raw:
        return None, ()
    try:
        return json.loads(raw), ()
    except ValueError:
        return raw.decode(errors="replace"), ()


async def _read_multipart(request: web.Request) -> tuple[Any, tuple[RecordedFile, ...]]:
    payload: Any = None
    files: list[RecordedFile] = []
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            continue  # nested multipart: Discord never sends it
        data = await part.read()
        if part.name == "payload_json":
            payload = json.loads(data)
        else:
            files.append(
                RecordedFile(
                    part.name or "", part.filename, part.headers.get("Content-Type"), bytes(data)
                )
            )
    return payload, tuple(files)


def _compile_route(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return re.compile(f"^{pattern}$")


def _walk_components(components: Sequence[JSON]) -> Iterator[JSON]:
    for component in components:
        yield component
        yield from _walk_components(component.get("components", []))
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                yield from _walk_components([component[key]])


def _is_truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true")


# --------------------------------------------------------------------------- #
# The double
# --------------------------------------------------------------------------- #

UserLike = FakeUser | FakeMember
ChannelLike = FakeChannel | int
MessageLike = Mapping[str, Any] | int | str


class DiscordDouble:
    """A fake Discord (REST + gateway) on 127.0.0.1 for discord.py clients.

    The default world (built in ``__init__``, extendable before the client
    logs in with ``add_user``/``add_role``/``add_member``/``add_text_channel``):

    * ``bot_user`` (also the application id), ``owner`` (guild owner);
    * ``guild`` with roles ``everyone_role``, ``rep_role`` ("Rep") and
      ``bot_role`` (managed, above Rep, has MANAGE_ROLES);
    * members ``bot_member``, ``owner_member``, ``rep_member`` (holds Rep),
      ``member`` (plain, no Rep);
    * text channels ``general`` and ``other_channel``; DM channels are made
      on demand with ``dm_channel(user)``.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        heartbeat_interval_ms: int = 41_250,
        ack_deadline: float = 3.0,
        enforce_intents: bool = True,
        echo_bot_messages: bool = True,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
    ) -> None:
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.ack_deadline = ack_deadline
        self.enforce_intents = enforce_intents
        self.echo_bot_messages = echo_bot_messages

        self.requests: EventLog[RecordedRequest] = EventLog("REST request")
        self.gateway_frames: EventLog[GatewayFrame] = EventLog("gateway payload")
        self.connections: list[GatewayConnection] = []
        self.identify_payloads: list[JSON] = []
        self.deliveries: list[Delivery] = []
        self.internal_errors: list[BaseException] = []
        self.opened_modals: dict[str, JSON] = {}

        self._ids = SnowflakeFactory()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._session: _GatewaySession | None = None
        self._messages: dict[int, JSON] = {}
        self._channel_messages: dict[int, list[int]] = {}
        self._dm_channels: dict[int, FakeChannel] = {}
        self._interactions: dict[int, InjectedInteraction] = {}
        self._interactions_by_token: dict[str, InjectedInteraction] = {}
        self._modal_sources: dict[str, InjectedInteraction] = {}
        self._commands: dict[int | None, dict[tuple[str, int], JSON]] = {}
        self._command_ids: dict[tuple[int | None, str, int], int] = {}
        self._failures: list[_Failure] = []
        self._joined_at = _now_iso()
        self.users: dict[int, FakeUser] = {}

        self._build_default_world(bot_permissions)

    # ------------------------------------------------------------------ world

    def _build_default_world(self, bot_permissions: int) -> None:
        self.bot_user = self.add_user("TestBot", bot=True)
        self.application_id = self.bot_user.id
        self.owner = self.add_user("guild_owner")
        guild_id = self._ids.next()
        self.guild = FakeGuild(id=guild_id, name="Test Guild", owner_id=self.owner.id)
        self.everyone_role = self.add_role(
            "@everyone", permissions=DEFAULT_EVERYONE_PERMISSIONS, position=0, role_id=guild_id
        )
        self.rep_role = self.add_role("Rep", position=1, mentionable=True)
        self.bot_role = self.add_role(
            "TestBot",
            permissions=bot_permissions,
            position=2,
            managed=True,
            tags={"bot_id": str(self.bot_user.id)},
        )
        self.general = self.add_text_channel("general")
        self.other_channel = self.add_text_channel("other")
        self.bot_member = self._add_guild_member(self.bot_user, [self.bot_role])
        self.owner_member = self._add_guild_member(self.owner, [])
        self.rep_member = self.add_member("rep_holder", roles=[self.rep_role])
        self.member = self.add_member("plain_member")

    def add_user(
        self, username: str, *, bot: bool = False, global_name: str | None = None
    ) -> FakeUser:
        """A user known to Discord (not necessarily a guild member)."""
        user = FakeUser(id=self._ids.next(), username=username, bot=bot, global_name=global_name)
        self.users[user.id] = user
        return user

    def add_role(
        self,
        name: str,
        *,
        permissions: int = 0,
        position: int | None = None,
        mentionable: bool = False,
        managed: bool = False,
        tags: JSON | None = None,
        role_id: int | None = None,
    ) -> FakeRole:
        """Add a guild role (before the client connects)."""
        if position is None:
            position = max((r.position for r in self.guild.roles), default=0) + 1
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

    def add_member(
        self, username: str, *, roles: Sequence[FakeRole] = (), nick: str | None = None
    ) -> FakeMember:
        """Create a user and make them a guild member (before the client connects)."""
        return self._add_guild_member(self.add_user(username), list(roles), nick=nick)

    def _add_guild_member(
        self, user: FakeUser, roles: list[FakeRole], *, nick: str | None = None
    ) -> FakeMember:
        member = FakeMember(user=user, roles=roles, nick=nick)
        self.guild.members[user.id] = member
        return member

    def add_text_channel(self, name: str, *, topic: str | None = None) -> FakeChannel:
        """Add a guild text channel (before the client connects)."""
        channel = FakeChannel(
            id=self._ids.next(),
            name=name,
            guild_id=self.guild.id,
            position=len(self.guild.channels),
            topic=topic,
        )
        self.guild.channels.append(channel)
        return channel

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

    # -------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway_handler)
        app.router.add_get("/gateway-resume", self._gateway_handler)
        app.router.add_route("*", "/api/v{version}/{tail:.*}", self._rest_entry)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        log.debug("Discord double listening on %s", self.base_url)

    async def stop(self) -> None:
        for conn in self.connections:
            if not conn.ws.closed:
                conn.closed = True
                await conn.ws.close(code=1001, message=b"double stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordDouble:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

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

    # ------------------------------------------------------------- lookups

    def _as_user(self, value: UserLike | int | str) -> FakeUser:
        if isinstance(value, FakeMember):
            return value.user
        if isinstance(value, FakeUser):
            return value
        try:
            return self.users[int(value)]
        except (KeyError, ValueError):
            raise LookupError(f"unknown user {value!r}") from None

    def _as_role(self, value: FakeRole | int | str) -> FakeRole:
        role = value if isinstance(value, FakeRole) else self.guild.get_role(int(value))
        if role is None:
            raise LookupError(f"unknown role {value!r}")
        return role

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
        return [self._messages[i] for i in ids if i in self._messages]

    def bot_messages(self, channel: ChannelLike | None = None) -> list[JSON]:
        """Messages authored by the bot (channel sends, interaction replies, follow-ups)."""
        candidates = self._messages.values() if channel is None else self.messages_in(channel)
        return [m for m in candidates if m["author"]["id"] == str(self.bot_user.id)]

    def interaction(self, interaction_id: int) -> InjectedInteraction:
        return self._interactions[interaction_id]

    def registered_commands(self, *, guild: bool = False) -> dict[str, JSON]:
        """Chat-input and context-menu commands by name, global or for ``guild``."""
        scope = self.guild.id if guild else None
        return {name: cmd for (name, _), cmd in self._commands.get(scope, {}).items()}

    # ----------------------------------------------------------- recording

    def mark(self) -> int:
        """Index to pass as ``since=`` to only consider later requests."""
        return len(self.requests)

    def find_requests(
        self,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        *,
        method: str | None = None,
        route: str | None = None,
        path: str | None = None,
        since: int = 0,
    ) -> list[RecordedRequest]:
        check = self._request_filter(predicate, method=method, route=route, path=path)
        return self.requests.find(check, since=since)

    async def wait_for_request(
        self,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        *,
        method: str | None = None,
        route: str | None = None,
        path: str | None = None,
        since: int = 0,
        timeout: float = 5.0,
    ) -> RecordedRequest:
        """First request (from index ``since``) matching all given filters."""
        check = self._request_filter(predicate, method=method, route=route, path=path)
        return await self.requests.wait_for(check, since=since, timeout=timeout)

    @staticmethod
    def _request_filter(
        predicate: Callable[[RecordedRequest], bool] | None,
        *,
        method: str | None,
        route: str | None,
        path: str | None,
    ) -> Callable[[RecordedRequest], bool]:
        def check(request: RecordedRequest) -> bool:
            if not request.matches(method=method, route=route, path=path):
                return False
            return predicate is None or predicate(request)

        return check

    async def wait_for_bot_message(
        self, channel: ChannelLike | None = None, *, since: int = 0, timeout: float = 5.0
    ) -> RecordedRequest:
        """The bot's ``POST /channels/{id}/messages`` (optionally in ``channel``)."""
        channel_id = None if channel is None else str(self.get_channel(channel).id)
        return await self.wait_for_request(
            lambda r: channel_id is None or r.params.get("channel_id") == channel_id,
            method="POST",
            route="/channels/{channel_id}/messages",
            since=since,
            timeout=timeout,
        )

    async def wait_for_interaction_response(
        self, interaction: InjectedInteraction, *, timeout: float = 5.0
    ) -> RecordedRequest:
        """The bot's callback (``POST /interactions/{id}/{token}/callback``)."""
        return await self.wait_for_request(
            lambda r: r.params.get("interaction_id") == str(interaction.id),
            method="POST",
            route="/interactions/{interaction_id}/{interaction_token}/callback",
            timeout=timeout,
        )

    async def wait_for_followup(
        self, interaction: InjectedInteraction, *, since: int = 0, timeout: float = 5.0
    ) -> RecordedRequest:
        """A follow-up (``POST /webhooks/{app}/{token}``) for ``interaction``."""
        return await self.wait_for_request(
            lambda r: r.params.get("interaction_token") == interaction.token,
            method="POST",
            route="/webhooks/{application_id}/{interaction_token}",
            since=since,
            timeout=timeout,
        )

    async def wait_for_original_edit(
        self, interaction: InjectedInteraction, *, since: int = 0, timeout: float = 5.0
    ) -> RecordedRequest:
        """``PATCH /webhooks/{app}/{token}/messages/@original`` for ``interaction``."""
        return await self.wait_for_request(
            lambda r: r.params.get("interaction_token") == interaction.token,
            method="PATCH",
            route="/webhooks/{application_id}/{interaction_token}/messages/@original",
            since=since,
            timeout=timeout,
        )

    async def wait_for_gateway_op(
        self, op: int, *, since: int = 0, timeout: float = 5.0
    ) -> GatewayFrame:
        """A gateway payload with opcode ``op`` sent by the client."""
        return await self.gateway_frames.wait_for(
            lambda f: f.op == op, since=since, timeout=timeout
        )

    def fail_next(
        self,
        method: str,
        route: str,
        *,
        status: int = 403,
        code: int = 50013,
        message: str = "Missing Permissions",
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls to ``method route`` fail with a Discord error.

        ``route`` is a template such as ``/channels/{channel_id}/messages``
        (e.g. ``status=403, code=50007, message="Cannot send messages to this
        user"`` simulates closed DMs).  Statuses >= 500 make discord.py retry
        with sleeps, so prefer 4xx.
        """
        method = method.upper()
        if not any(m == method and t == route for m, t, _ in _ROUTE_TABLE):
            raise ValueError(f"unknown route {method} {route}")
        self._failures.append(_Failure(method, route, status, code, message, times))

    # -------------------------------------------------------------- gateway

    async def _gateway_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(timeout=2.0, max_msg_size=0)
        await ws.prepare(request)
        query = dict(request.query)
        try:
            codec = _codec_for(query.get("compress"))
        except (ValueError, ImportError) as exc:
            log.error("Discord double: %s", exc)
            self.internal_errors.append(exc)
            # 4012 is not resumable: discord.py stops instead of reconnecting forever
            await ws.close(code=4012, message=str(exc).encode()[:120])
            return ws
        conn = GatewayConnection(
            index=len(self.connections), path=request.path, query=query, ws=ws, codec=codec
        )
        self.connections.append(conn)
        await conn.send(
            {
                "op": Op.HELLO,
                "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                "s": None,
                "t": None,
            }
        )
        try:
            await self._gateway_loop(conn)
        finally:
            conn.closed = True
        return ws

    async def _gateway_loop(self, conn: GatewayConnection) -> None:
        async for msg in conn.ws:
            if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                continue
            try:
                payload = json.loads(msg.data)
            except ValueError:
                await conn.ws.close(code=4002, message=b"Error while decoding payload.")
                return
            self.gateway_frames.append(
                GatewayFrame(
                    len(self.gateway_frames),
                    conn.index,
                    int(payload.get("op", -1)),
                    payload.get("d"),
                )
            )
            try:
                await self._on_gateway_payload(conn, payload)
            except Exception as exc:  # keep serving; surface via internal_errors
                log.exception("Discord double: gateway handler failed")
                self.internal_errors.append(exc)

    async def _on_gateway_payload(self, conn: GatewayConnection, payload: JSON) -> None:
        op = payload.get("op")
        data: Any = payload.get("d")
        if op == Op.HEARTBEAT:
            await conn.send({"op": Op.HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == Op.IDENTIFY:
            await self._on_identify(conn, data)
        elif op == Op.RESUME:
            await self._on_resume(conn, data)
        elif op == Op.REQUEST_GUILD_MEMBERS:
            await self._on_request_members(data)
        elif op in (Op.PRESENCE_UPDATE, Op.VOICE_STATE_UPDATE):
            pass  # recorded only
        else:
            log.warning("Discord double: unhandled gateway opcode %s", op)

    async def _on_identify(self, conn: GatewayConnection, data: JSON) -> None:
        self.identify_payloads.append(data)
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        session = _GatewaySession(
            session_id=uuid.uuid4().hex,
            intents=int(data.get("intents", 0)),
            shard=data.get("shard"),
        )
        self._session = session
        conn.identified = True
        async with session.lock:
            session.live = conn
            await self._dispatch_locked(session, "READY", self._ready_payload(session))
            await self._dispatch_locked(
                session, "GUILD_CREATE", self._guild_create_payload(session)
            )

    async def _on_resume(self, conn: GatewayConnection, data: JSON) -> None:
        session = self._session
        if (
            session is None
            or data.get("session_id") != session.session_id
            or data.get("token") != self.token
        ):
            await conn.send({"op": Op.INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        last_seq = int(data.get("seq") or 0)
        async with session.lock:
            for event in session.events:
                if event.seq > last_seq:
                    await self._send_dispatch(conn, event, replayed=True)
            conn.resumed = True
            session.live = conn
            await self._dispatch_locked(session, "RESUMED", {})

    async def _on_request_members(self, data: JSON) -> None:
        if int(data.get("guild_id", 0)) != self.guild.id:
            return
        members = list(self.guild.members.values())
        user_ids = {int(u) for u in (data.get("user_ids") or [])}
        query = (data.get("query") or "").lower()
        if user_ids:
            members = [m for m in members if m.id in user_ids]
        elif query:
            members = [m for m in members if m.user.username.lower().startswith(query)]
        limit = int(data.get("limit") or 0)
        if limit:
            members = members[:limit]
        chunk: JSON = {
            "guild_id": str(self.guild.id),
            "members": [m.to_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("presences"):
            chunk["presences"] = []
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    def _ready_payload(self, session: _GatewaySession) -> JSON:
        user = self.bot_user.to_payload() | {
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
        }
        data: JSON = {
            "v": API_VERSION,
            "user": user,
            "guilds": [{"id": str(self.guild.id), "unavailable": True}],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "application": {"id": str(self.application_id), "flags": 0},
            "_trace": ["discord-double"],
        }
        if session.shard is not None:
            data["shard"] = list(session.shard)
        return data

    def _guild_create_payload(self, session: _GatewaySession) -> JSON:
        full = not self.enforce_intents or bool(session.intents & Intent.GUILD_PRESENCES)
        members = list(self.guild.members.values()) if full else [self.bot_member]
        return self.guild.create_payload(members, self._joined_at)

    # ---------------------------------------------------------- dispatching

    def _require_session(self) -> _GatewaySession:
        if self._session is None:
            raise RuntimeError(
                "no gateway session yet: has the client logged in (see running_client)?"
            )
        return self._session

    async def dispatch(self, event: str, data: JSON) -> DispatchedEvent | None:
        """Send a DISPATCH event (or buffer it while the client is disconnected).

        Returns ``None`` when the bot's intents filter the event out.
        """
        session = self._require_session()
        async with session.lock:
            return await self._dispatch_locked(session, event, data)

    async def _dispatch_if_connected(self, event: str, data: JSON) -> None:
        if self._session is not None:
            await self.dispatch(event, data)

    async def _dispatch_locked(
        self, session: _GatewaySession, name: str, data: JSON
    ) -> DispatchedEvent | None:
        if not self._intents_allow(session, name, data):
            log.info("Discord double: %s filtered out by the client's intents", name)
            return None
        session.seq += 1
        # snapshot: later edits of stored messages must not change what is replayed
        event = DispatchedEvent(session.seq, name, copy.deepcopy(self._redact(session, name, data)))
        session.events.append(event)
        if session.live is not None:
            await self._send_dispatch(session.live, event)
        return event

    async def _send_dispatch(
        self, conn: GatewayConnection, event: DispatchedEvent, *, replayed: bool = False
    ) -> None:
        if await conn.send({"op": Op.DISPATCH, "t": event.name, "s": event.seq, "d": event.data}):
            self.deliveries.append(Delivery(conn.index, event.seq, event.name, replayed))

    def _intents_allow(self, session: _GatewaySession, name: str, data: JSON) -> bool:
        required = _required_intent(name, data)
        return not self.enforce_intents or required is None or bool(session.intents & required)

    def _redact(self, session: _GatewaySession, name: str, data: JSON) -> JSON:
        """Blank guild message content if MESSAGE_CONTENT is missing (like Discord)."""
        if name not in ("MESSAGE_CREATE", "MESSAGE_UPDATE") or not self.enforce_intents:
            return data
        if session.intents & Intent.MESSAGE_CONTENT or "guild_id" not in data:
            return data
        bot_id = str(self.bot_user.id)
        if data.get("author", {}).get("id") == bot_id or any(
            m["id"] == bot_id for m in data.get("mentions", [])
        ):
            return data
        return data | {"content": "", "embeds": [], "attachments": [], "components": []}

    @property
    def dispatched(self) -> list[DispatchedEvent]:
        """Events of the current gateway session, in sequence order."""
        return [] if self._session is None else list(self._session.events)

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the live gateway socket with a resumable close code.

        Events dispatched afterwards are buffered and replayed when the
        client RESUMEs (opcode 6) with the last sequence it saw.
        """
        conn = await self._detach_live_connection()
        conn.closed = True
        await conn.ws.close(code=code, message=b"dropped by test double")

    async def request_reconnect(self) -> None:
        """Send opcode 7 RECONNECT; discord.py closes and resumes."""
        conn = await self._detach_live_connection()
        await conn.send({"op": Op.RECONNECT, "d": None, "s": None, "t": None})

    async def _detach_live_connection(self) -> GatewayConnection:
        """Stop delivering to the live socket; later events wait for a RESUME."""
        session = self._require_session()
        async with session.lock:
            conn, session.live = session.live, None
        if conn is None:
            raise RuntimeError("no live gateway connection to drop")
        return conn

    # ------------------------------------------------------------ injection

    async def send_message(
        self,
        author: UserLike,
        channel: ChannelLike,
        content: str,
        *,
        mentions: Sequence[UserLike] | None = None,
        mention_roles: Sequence[FakeRole] | None = None,
        reference: MessageLike | None = None,
        embeds: Sequence[JSON] = (),
    ) -> JSON:
        """Inject MESSAGE_CREATE from ``author`` in ``channel`` (guild or DM).

        Mentions default to the ``<@id>`` / ``<@&id>`` tokens in ``content``.
        Returns the message payload (ids are strings, as on Discord).
        """
        user = self._as_user(author)
        target = self.get_channel(channel)
        if not target.is_dm and self.guild.get_member(user.id) is None:
            raise ValueError(f"{user.username} is not a member of the guild")
        message = self._new_message(target, user, content, embeds=list(embeds))
        self._set_mentions(message, target, mentions, mention_roles)
        if reference is not None:
            self._set_reference(message, target, {"message_id": str(self.message(reference)["id"])})
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
        values (FakeUser/FakeMember/FakeRole/FakeChannel or ids for entity
        options).  The command must have been registered by the bot (bulk
        overwrite).  Without ``channel`` the command runs in ``general``
        (``guild=True``) or in the user's DM channel (``guild=False``).
        """
        target = self._default_channel(user, channel, guild)
        path = name.split()
        command = self._find_command(path[0], in_guild=not target.is_dm)
        options_payload, resolved = self._build_options(
            command, path[1:], dict(options or {}), target
        )
        data: JSON = {"id": command["id"], "name": command["name"], "type": command.get("type", 1)}
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
        return await self._component_interaction(user, message, custom_id, values=None)

    async def choose_select(
        self, user: UserLike, message: MessageLike, custom_id: str, values: Sequence[str]
    ) -> InjectedInteraction:
        """Inject a select-menu choice (INTERACTION_CREATE type 3)."""
        return await self._component_interaction(user, message, custom_id, values=list(values))

    async def submit_modal(
        self,
        user: UserLike,
        custom_id: str,
        values: Mapping[str, str | Sequence[str]],
        channel: ChannelLike | None = None,
    ) -> InjectedInteraction:
        """Inject a modal submit (INTERACTION_CREATE type 5).

        The bot must have opened the modal (callback type 9); ``values`` maps
        text-input custom_ids to the typed text (select custom_ids to a list
        of chosen values) and the submission mirrors the modal's layout
        (action rows or labels).  Without ``channel`` it happens where the
        modal was opened.
        """
        modal = self.opened_modals.get(custom_id)
        if modal is None:
            raise LookupError(
                f"the bot never opened a modal {custom_id!r}; opened: {sorted(self.opened_modals)}"
            )
        known = {
            c["custom_id"]
            for c in _walk_components(modal.get("components", []))
            if "custom_id" in c
        }
        unknown = set(values) - known
        if unknown:
            raise ValueError(
                f"modal {custom_id!r} has no inputs {sorted(unknown)}; inputs: {sorted(known)}"
            )
        source = self._modal_sources[custom_id]
        target = self.get_channel(channel) if channel is not None else source.channel
        data = {
            "custom_id": custom_id,
            "components": _modal_submission(modal.get("components", []), values),
        }
        message = self._messages.get(source.message_id) if source.message_id else None
        return await self._inject_interaction(
            InteractionType.MODAL_SUBMIT, user, target, data, message=message
        )

    async def join_member(self, username: str, *, roles: Sequence[FakeRole] = ()) -> FakeMember:
        """Add a member after login and dispatch GUILD_MEMBER_ADD."""
        member = self.add_member(username, roles=roles)
        await self.dispatch(
            "GUILD_MEMBER_ADD", member.to_payload() | {"guild_id": str(self.guild.id)}
        )
        return member

    async def set_member_roles(self, member: FakeMember, roles: Sequence[FakeRole]) -> None:
        """Change a member's roles and dispatch GUILD_MEMBER_UPDATE."""
        member.roles = list(roles)
        await self._dispatch_if_connected(
            "GUILD_MEMBER_UPDATE", member.to_payload() | {"guild_id": str(self.guild.id)}
        )

    # ------------------------------------------------ injection internals

    def _default_channel(
        self, user: UserLike, channel: ChannelLike | None, guild: bool
    ) -> FakeChannel:
        if channel is not None:
            return self.get_channel(channel)
        return self.general if guild else self.dm_channel(user)

    async def _component_interaction(
        self, user: UserLike, message: MessageLike, custom_id: str, *, values: list[str] | None
    ) -> InjectedInteraction:
        stored = self.message(message)
        components = list(_walk_components(stored.get("components", [])))
        component = next((c for c in components if c.get("custom_id") == custom_id), None)
        if component is None:
            ids = [c["custom_id"] for c in components if "custom_id" in c]
            raise LookupError(
                f"message {stored['id']} has no component {custom_id!r}; it has {ids}"
            )
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        is_select = component["type"] in SELECT_COMPONENT_TYPES
        if is_select != (values is not None):
            raise ValueError(
                f"component {custom_id!r} has type {component['type']}; use the matching helper"
            )
        data: JSON = {"custom_id": custom_id, "component_type": component["type"]}
        if values is not None:
            data["values"] = values
        target = self.get_channel(stored["channel_id"])
        return await self._inject_interaction(
            InteractionType.MESSAGE_COMPONENT, user, target, data, message=stored
        )

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

    def _build_options(
        self, command: JSON, subpath: list[str], values: dict[str, Any], channel: FakeChannel
    ) -> tuple[list[JSON], JSON]:
        schema: list[JSON] = command.get("options") or []
        root: list[JSON] = []
        container = root
        label = f"/{command['name']}"
        for sub in subpath:
            option = next((o for o in schema if o["name"] == sub and o["type"] in (1, 2)), None)
            if option is None:
                subs = [o["name"] for o in schema if o["type"] in (1, 2)]
                raise ValueError(f"{label} has no subcommand {sub!r}; available: {subs}")
            node: JSON = {"type": option["type"], "name": sub, "options": []}
            container.append(node)
            container, schema, label = (
                node["options"],
                option.get("options") or [],
                f"{label} {sub}",
            )
        if any(o["type"] in (1, 2) for o in schema):
            raise ValueError(f"{label} needs a subcommand: {[o['name'] for o in schema]}")
        known = {o["name"]: o for o in schema}
        unknown = sorted(set(values) - set(known))
        missing = [o["name"] for o in schema if o.get("required") and o["name"] not in values]
        if unknown or missing:
            raise ValueError(f"{label}: unknown options {unknown}, missing required {missing}")
        resolved: JSON = {}
        for option_name, value in values.items():
            container.append(self._option_value(known[option_name], value, resolved, channel))
        return root, resolved

    def _option_value(self, option: JSON, value: Any, resolved: JSON, channel: FakeChannel) -> JSON:
        otype = OptionType(option["type"])
        if otype in (OptionType.USER, OptionType.MENTIONABLE) and not isinstance(value, FakeRole):
            raw: Any = str(self._resolve_user_option(value, resolved, channel))
        elif otype in (OptionType.ROLE, OptionType.MENTIONABLE):
            role = self._as_role(value)
            resolved.setdefault("roles", {})[str(role.id)] = role.to_payload()
            raw = str(role.id)
        elif otype == OptionType.CHANNEL:
            raw = str(self._resolve_channel_option(value, resolved))
        elif otype == OptionType.ATTACHMENT:
            attachment = dict(value)
            resolved.setdefault("attachments", {})[str(attachment["id"])] = attachment
            raw = str(attachment["id"])
        else:
            raw = _coerce_scalar(otype, value)
        choices = option.get("choices")
        if choices and raw not in [c["value"] for c in choices]:
            raise ValueError(
                f"option {option['name']!r}: {raw!r} is not one of {[c['value'] for c in choices]}"
            )
        return {"type": int(otype), "name": option["name"], "value": raw}

    def _resolve_user_option(self, value: Any, resolved: JSON, channel: FakeChannel) -> int:
        user = self._as_user(value)
        resolved.setdefault("users", {})[str(user.id)] = user.to_payload()
        member = None if channel.is_dm else self.guild.get_member(user.id)
        if member is not None:
            permissions = self.guild.permissions_for(member)
            resolved.setdefault("members", {})[str(user.id)] = member.to_payload(
                include_user=False, permissions=permissions
            )
        return user.id

    def _resolve_channel_option(self, value: Any, resolved: JSON) -> int:
        target = self.get_channel(value)
        resolved.setdefault("channels", {})[str(target.id)] = {
            "id": str(target.id),
            "name": target.name,
            "type": int(target.type),
            "permissions": str(self.guild.permissions_for(self.bot_member)),
            "parent_id": None,
            "last_message_id": None,
            "nsfw": False,
            "position": target.position,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        return target.id

    # ------------------------------------------------------------- messages

    def _new_message(
        self, channel: FakeChannel, author: FakeUser, content: str, *, embeds: list[JSON]
    ) -> JSON:
        message: JSON = {
            "id": str(self._ids.next()),
            "channel_id": str(channel.id),
            "author": author.to_payload(),
            "content": content,
            "timestamp": _now_iso(),
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

    def _set_mentions(
        self,
        message: JSON,
        channel: FakeChannel,
        mentions: Sequence[UserLike] | None,
        mention_roles: Sequence[FakeRole] | None,
        allowed: JSON | None = None,
    ) -> None:
        content = message["content"]
        if mentions is None:
            ids = [int(i) for i in USER_MENTION_RE.findall(content) if int(i) in self.users]
            mentioned = [self.users[i] for i in dict.fromkeys(ids)]
        else:
            mentioned = [self._as_user(m) for m in mentions]
        if mention_roles is None:
            role_ids = [int(i) for i in ROLE_MENTION_RE.findall(content)]
            roles = (
                [r for r in (self.guild.get_role(i) for i in role_ids) if r is not None]
                if not channel.is_dm
                else []
            )
        else:
            roles = list(mention_roles)
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
        self,
        channel: FakeChannel,
        body: JSON,
        files: tuple[RecordedFile, ...],
        interaction: InjectedInteraction | None = None,
    ) -> JSON:
        message = self._new_message(channel, self.bot_user, body.get("content") or "", embeds=[])
        self._apply_body(message, body, files)
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        message["tts"] = bool(body.get("tts"))
        if body.get("message_reference"):
            self._set_reference(message, channel, body["message_reference"])
        if interaction is not None:
            self._mark_interaction_message(message, interaction)
        self._store_message(message)
        return message

    def _apply_body(self, message: JSON, body: JSON, files: tuple[RecordedFile, ...]) -> None:
        """Apply the message fields of a create/edit body to ``message``."""
        if "content" in body:
            message["content"] = body["content"] or ""
        for key in ("embeds", "components"):
            if key in body:
                message[key] = copy.deepcopy(body[key] or [])
        if "flags" in body:
            message["flags"] = int(body["flags"] or 0)
        if "attachments" in body or files:
            message["attachments"] = self._attachments(
                message, body.get("attachments") or [], files
            )
        channel = self.get_channel(message["channel_id"])
        self._set_mentions(message, channel, None, None, allowed=body.get("allowed_mentions"))

    def _attachments(
        self, message: JSON, specs: list[JSON], files: tuple[RecordedFile, ...]
    ) -> list[JSON]:
        existing = {a["id"]: a for a in message.get("attachments", [])}
        kept = [existing[str(s["id"])] for s in specs if str(s.get("id")) in existing]
        new: list[JSON] = []
        for index, upload in enumerate(files):
            attachment_id = str(self._ids.next())
            filename = upload.filename or f"file{index}"
            url = f"{self.base_url}/attachments/{message['channel_id']}/{attachment_id}/{filename}"
            new.append(
                {
                    "id": attachment_id,
                    "filename": filename,
                    "size": len(upload.data),
                    "url": url,
                    "proxy_url": url,
                    "content_type": upload.content_type,
                }
            )
        return kept + new

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

    async def _echo_create(self, message: JSON) -> None:
        if self.echo_bot_messages and not message["flags"] & MessageFlag.EPHEMERAL:
            await self._dispatch_if_connected("MESSAGE_CREATE", message)

    async def _echo_update(self, message: JSON) -> None:
        if self.echo_bot_messages and not message["flags"] & MessageFlag.EPHEMERAL:
            await self._dispatch_if_connected("MESSAGE_UPDATE", message)

    async def _delete_message(self, message: JSON) -> None:
        message_id = int(message["id"])
        self._messages.pop(message_id, None)
        event: JSON = {"id": message["id"], "channel_id": message["channel_id"]}
        if "guild_id" in message:
            event["guild_id"] = message["guild_id"]
        if self.echo_bot_messages and not message["flags"] & MessageFlag.EPHEMERAL:
            await self._dispatch_if_connected("MESSAGE_DELETE", event)

    def _validate_message_body(
        self, body: Any, files: tuple[RecordedFile, ...], *, edit: bool = False
    ) -> web.Response | None:
        if not isinstance(body, dict):
            return _error(400, 50109, "The request body contains invalid JSON.")
        content = body.get("content") or ""
        if len(content) > MAX_CONTENT_LENGTH:
            return _form_error(
                "content",
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {MAX_CONTENT_LENGTH} or fewer in length.",
            )
        if len(body.get("embeds") or []) > 10:
            return _form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        has_payload = (
            content
            or body.get("embeds")
            or body.get("components")
            or files
            or body.get("sticker_ids")
        )
        if not edit and not has_payload and not body.get("poll"):
            return _error(400, 50006, "Cannot send an empty message")
        return None

    # ---------------------------------------------------------------- REST

    async def _rest_entry(self, request: web.Request) -> web.Response:
        prefix = f"/api/v{request.match_info['version']}"
        path = request.rel_url.raw_path[len(prefix) :] or "/"
        body, files = await _read_body(request)
        method = request.method.upper()
        route, handler, params = _match_route(method, path)
        call = _RestCall(method, path, params, dict(request.query), body, files)
        response = await self._respond(request, call, route, handler)
        self.requests.append(
            RecordedRequest(
                index=len(self.requests),
                method=method,
                path=path,
                route=route,
                params=params,
                query=dict(request.query),
                json=body,
                files=files,
                headers=dict(request.headers),
                status=response.status,
            )
        )
        return response

    async def _respond(
        self, request: web.Request, call: _RestCall, route: str | None, handler: RestHandler | None
    ) -> web.Response:
        if route is None or handler is None:
            log.warning("Discord double: unknown route %s %s", call.method, call.path)
            return _error(404, 0, "404: Not Found")
        if not route.startswith(("/webhooks/", "/interactions/")) and not self._authorized(request):
            return _error(401, 0, "401: Unauthorized")
        failure = self._take_failure(call.method, route)
        if failure is not None:
            return _error(failure.status, failure.code, failure.message)
        try:
            return await handler(self, call)
        except Exception as exc:  # a bug in the double: fail fast (4xx, no discord.py retries)
            log.exception("Discord double: handler for %s %s failed", call.method, call.path)
            self.internal_errors.append(exc)
            return _error(400, 0, f"discord double internal error: {exc!r}")

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bot {self.token}"

    def _take_failure(self, method: str, route: str) -> _Failure | None:
        for failure in self._failures:
            if failure.method == method and failure.route == route and failure.remaining > 0:
                failure.remaining -= 1
                return failure
        return None

    # --- identity / gateway discovery

    async def _rest_get_me(self, call: _RestCall) -> web.Response:
        user = self.bot_user.to_payload() | {
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
        }
        return _json_response(user)

    async def _rest_get_application(self, call: _RestCall) -> web.Response:
        return _json_response(
            {
                "id": str(self.application_id),
                "name": self.bot_user.username,
                "icon": None,
                "description": "",
                "summary": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.owner.to_payload(),
                "team": None,
                "verify_key": "0" * 64,
                "flags": 0,
                "bot": self.bot_user.to_payload(),
                "interactions_endpoint_url": None,
                "redirect_uris": [],
                "approximate_guild_count": 1,
            }
        )

    async def _rest_get_gateway(self, call: _RestCall) -> web.Response:
        return _json_response({"url": self.gateway_url})

    async def _rest_get_gateway_bot(self, call: _RestCall) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return _json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    # --- application commands

    def _check_application(self, call: _RestCall) -> web.Response | None:
        if call.params.get("application_id") != str(self.application_id):
            return _error(404, 10002, "Unknown Application")
        return None

    def _command_scope(self, call: _RestCall) -> int | None:
        return int(call.params["guild_id"]) if "guild_id" in call.params else None

    async def _rest_get_commands(self, call: _RestCall) -> web.Response:
        error = self._check_application(call)
        if error is not None:
            return error
        return _json_response(list(self._commands.get(self._command_scope(call), {}).values()))

    async def _rest_put_commands(self, call: _RestCall) -> web.Response:
        error = self._check_application(call)
        if error is not None:
            return error
        scope = self._command_scope(call)
        if scope is not None and scope != self.guild.id:
            return _error(403, 50001, "Missing Access")
        commands = {}
        for body in call.json or []:
            command = self._register_command(scope, body)
            commands[(command["name"], command["type"])] = command
        self._commands[scope] = commands
        return _json_response(list(commands.values()))

    async def _rest_post_command(self, call: _RestCall) -> web.Response:
        error = self._check_application(call)
        if error is not None:
            return error
        scope = self._command_scope(call)
        command = self._register_command(scope, call.json or {})
        self._commands.setdefault(scope, {})[(command["name"], command["type"])] = command
        return _json_response(command, 201)

    def _register_command(self, scope: int | None, body: JSON) -> JSON:
        ctype = int(body.get("type", 1))
        key = (scope, body["name"], ctype)
        command_id = self._command_ids.setdefault(key, self._ids.next())
        command: JSON = {
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            "name_localizations": None,
            "description_localizations": None,
        }
        command.update(copy.deepcopy(body))
        command.update(
            id=str(command_id),
            application_id=str(self.application_id),
            type=ctype,
            version=str(self._ids.next()),
        )
        if scope is not None:
            command["guild_id"] = str(scope)
        return command

    # --- users, channels, messages

    async def _rest_create_dm(self, call: _RestCall) -> web.Response:
        recipient = (call.json or {}).get("recipient_id")
        try:
            user = self._as_user(recipient if recipient is not None else "")
        except LookupError:
            return _error(400, 50033, "Invalid Recipient(s)")
        return _json_response(self.dm_channel(user).to_payload())

    async def _rest_get_user(self, call: _RestCall) -> web.Response:
        user = self.users.get(int(call.params["user_id"]))
        return (
            _error(404, 10013, "Unknown User")
            if user is None
            else _json_response(user.to_payload())
        )

    def _channel_or_none(self, call: _RestCall) -> FakeChannel | None:
        try:
            return self.get_channel(call.params["channel_id"])
        except (LookupError, ValueError):
            return None

    async def _rest_get_channel(self, call: _RestCall) -> web.Response:
        channel = self._channel_or_none(call)
        return (
            _error(404, 10003, "Unknown Channel")
            if channel is None
            else _json_response(channel.to_payload())
        )

    async def _rest_get_messages(self, call: _RestCall) -> web.Response:
        channel = self._channel_or_none(call)
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        limit = int(call.query.get("limit", 50))
        return _json_response(list(reversed(self.messages_in(channel)))[:limit])

    async def _rest_create_message(self, call: _RestCall) -> web.Response:
        channel = self._channel_or_none(call)
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        invalid = self._validate_message_body(call.json, call.files)
        if invalid is not None:
            return invalid
        message = self._bot_message(channel, call.json, call.files)
        await self._echo_create(message)
        return _json_response(message)

    def _channel_message(self, call: _RestCall) -> JSON | None:
        message = self._messages.get(int(call.params["message_id"]))
        if message is None or message["channel_id"] != call.params["channel_id"]:
            return None
        return message

    async def _rest_get_message(self, call: _RestCall) -> web.Response:
        message = self._channel_message(call)
        return _error(404, 10008, "Unknown Message") if message is None else _json_response(message)

    async def _rest_edit_message(self, call: _RestCall) -> web.Response:
        message = self._channel_message(call)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        if message["author"]["id"] != str(self.bot_user.id):
            return _error(403, 50005, "Cannot edit a message authored by another user")
        return await self._edit_message(message, call)

    async def _edit_message(self, message: JSON, call: _RestCall) -> web.Response:
        invalid = self._validate_message_body(call.json, call.files, edit=True)
        if invalid is not None:
            return invalid
        self._apply_body(message, call.json, call.files)
        message["flags"] = int(message["flags"]) & ~int(MessageFlag.LOADING)
        message["edited_timestamp"] = _now_iso()
        await self._echo_update(message)
        return _json_response(message)

    async def _rest_delete_message(self, call: _RestCall) -> web.Response:
        message = self._channel_message(call)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        await self._delete_message(message)
        return _no_content()

    async def _rest_no_content(self, call: _RestCall) -> web.Response:
        return _no_content()

    # --- guild

    def _guild_or_error(self, call: _RestCall) -> web.Response | None:
        if call.params.get("guild_id") != str(self.guild.id):
            return _error(404, 10004, "Unknown Guild")
        return None

    async def _rest_get_guild(self, call: _RestCall) -> web.Response:
        error = self._guild_or_error(call)
        return error if error is not None else _json_response(self.guild.base_payload())

    async def _rest_get_roles(self, call: _RestCall) -> web.Response:
        error = self._guild_or_error(call)
        return (
            error
            if error is not None
            else _json_response([r.to_payload() for r in self.guild.roles])
        )

    async def _rest_get_channels(self, call: _RestCall) -> web.Response:
        error = self._guild_or_error(call)
        return (
            error
            if error is not None
            else _json_response([c.to_payload() for c in self.guild.channels])
        )

    def _member_or_error(self, call: _RestCall) -> FakeMember | web.Response:
        error = self._guild_or_error(call)
        if error is not None:
            return error
        member = self.guild.get_member(int(call.params["user_id"]))
        return _error(404, 10007, "Unknown Member") if member is None else member

    async def _rest_get_member(self, call: _RestCall) -> web.Response:
        member = self._member_or_error(call)
        return member if isinstance(member, web.Response) else _json_response(member.to_payload())

    async def _rest_edit_member(self, call: _RestCall) -> web.Response:
        member = self._member_or_error(call)
        if isinstance(member, web.Response):
            return member
        body = call.json or {}
        roles = member.roles
        if "roles" in body:
            roles = [self._as_role(r) for r in body["roles"] if int(r) != self.guild.id]
            old_ids, new_ids = {r.id for r in member.roles}, {r.id for r in roles}
            changed = [r for r in roles + member.roles if r.id in old_ids ^ new_ids]
            denied = self._role_change_error(changed)
            if denied is not None:
                return denied
        if "nick" in body:
            member.nick = body["nick"]
        await self.set_member_roles(member, roles)
        return _json_response(member.to_payload())

    async def _rest_add_role(self, call: _RestCall) -> web.Response:
        return await self._change_role(call, add=True)

    async def _rest_remove_role(self, call: _RestCall) -> web.Response:
        return await self._change_role(call, add=False)

    async def _change_role(self, call: _RestCall, *, add: bool) -> web.Response:
        member = self._member_or_error(call)
        if isinstance(member, web.Response):
            return member
        role = self.guild.get_role(int(call.params["role_id"]))
        if role is None:
            return _error(404, 10011, "Unknown Role")
        denied = self._role_change_error([role])
        if denied is not None:
            return denied
        roles = [r for r in member.roles if r.id != role.id] + ([role] if add else [])
        if add == member.has_role(role):
            return _no_content()
        await self.set_member_roles(member, roles)
        return _no_content()

    def _role_change_error(self, roles: Sequence[FakeRole]) -> web.Response | None:
        """Discord's checks: MANAGE_ROLES, not managed/@everyone, below the bot's top role."""
        if not roles:
            return None
        if not self.guild.permissions_for(self.bot_member) & Perm.MANAGE_ROLES:
            return _error(403, 50013, "Missing Permissions")
        top = self.guild.top_role_position(self.bot_member)
        if any(r.managed or r.id == self.guild.id or r.position >= top for r in roles):
            return _error(403, 50013, "Missing Permissions")
        return None

    # --- interactions

    async def _rest_interaction_callback(self, call: _RestCall) -> web.Response:
        interaction = self._interactions.get(int(call.params["interaction_id"]))
        if interaction is None or interaction.token != call.params["interaction_token"]:
            return _error(404, 10062, "Unknown interaction")
        if time.monotonic() - interaction.created_at > self.ack_deadline:
            return _error(404, 10062, "Unknown interaction")
        if interaction.response_type is not None:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        body = call.json if isinstance(call.json, dict) else {}
        ctype = int(body.get("type", 0))
        data = body.get("data") or {}
        if ctype in (CallbackType.CHANNEL_MESSAGE, CallbackType.UPDATE_MESSAGE):
            invalid = self._validate_message_body(
                data, call.files, edit=ctype == CallbackType.UPDATE_MESSAGE
            )
            if invalid is not None:
                return invalid
        handler = _CALLBACK_HANDLERS.get(ctype)
        if handler is None:
            return _form_error(
                "type", "BASE_TYPE_CHOICES", f"Value must be one of {sorted(_CALLBACK_HANDLERS)}."
            )
        if ctype == CallbackType.UPDATE_MESSAGE and interaction.message_id is None:
            return _error(400, 40004, "Cannot update a message for this interaction type")
        interaction.response_type = ctype
        resource = await handler(self, interaction, data, call.files)
        if not _is_truthy(call.query.get("with_response")):
            return _no_content()
        return _json_response(self._callback_response(interaction, ctype, data, resource))

    def _callback_response(
        self, interaction: InjectedInteraction, ctype: int, data: JSON, resource: JSON
    ) -> JSON:
        info: JSON = {
            "id": str(interaction.id),
            "type": interaction.type,
            "response_message_loading": ctype == CallbackType.DEFERRED_CHANNEL_MESSAGE,
            "response_message_ephemeral": bool(int(data.get("flags") or 0) & MessageFlag.EPHEMERAL),
        }
        if interaction.original_message_id is not None:
            info["response_message_id"] = str(interaction.original_message_id)
        return {"interaction": info, "resource": resource}

    async def _cb_message(
        self, interaction: InjectedInteraction, data: JSON, files: tuple[RecordedFile, ...]
    ) -> JSON:
        message = self._bot_message(interaction.channel, data, files, interaction)
        interaction.original_message_id = int(message["id"])
        await self._echo_create(message)
        return {"type": int(CallbackType.CHANNEL_MESSAGE), "message": message}

    async def _cb_deferred_message(
        self, interaction: InjectedInteraction, data: JSON, files: tuple[RecordedFile, ...]
    ) -> JSON:
        flags = int(data.get("flags") or 0) | int(MessageFlag.LOADING)
        message = self._bot_message(
            interaction.channel, {"content": "", "flags": flags}, (), interaction
        )
        interaction.original_message_id = int(message["id"])
        await self._echo_create(message)
        return {"type": int(CallbackType.DEFERRED_CHANNEL_MESSAGE), "message": message}

    async def _cb_deferred_update(
        self, interaction: InjectedInteraction, data: JSON, files: tuple[RecordedFile, ...]
    ) -> JSON:
        interaction.original_message_id = interaction.message_id
        return {"type": int(CallbackType.DEFERRED_UPDATE_MESSAGE)}

    async def _cb_update_message(
        self, interaction: InjectedInteraction, data: JSON, files: tuple[RecordedFile, ...]
    ) -> JSON:
        assert interaction.message_id is not None
        message = self._messages[interaction.message_id]
        self._apply_body(message, data, files)
        message["edited_timestamp"] = _now_iso()
        interaction.original_message_id = interaction.message_id
        await self._echo_update(message)
        return {"type": int(CallbackType.UPDATE_MESSAGE), "message": message}

    async def _cb_modal(
        self, interaction: InjectedInteraction, data: JSON, files: tuple[RecordedFile, ...]
    ) -> JSON:
        custom_id = data.get("custom_id", "")
        self.opened_modals[custom_id] = copy.deepcopy(data)
        self._modal_sources[custom_id] = interaction
        return {"type": int(CallbackType.MODAL)}

    async def _cb_simple(
        self, interaction: InjectedInteraction, data: JSON, files: tuple[RecordedFile, ...]
    ) -> JSON:
        return {"type": interaction.response_type}

    # --- interaction webhooks

    def _webhook_interaction(self, call: _RestCall) -> InjectedInteraction | None:
        if call.params.get("application_id") != str(self.application_id):
            return None
        return self._interactions_by_token.get(call.params["interaction_token"])

    def _original_message(self, call: _RestCall) -> JSON | web.Response:
        interaction = self._webhook_interaction(call)
        if interaction is None or interaction.response_type is None:
            return _error(404, 10015, "Unknown Webhook")
        message = self._messages.get(interaction.original_message_id or 0)
        return _error(404, 10008, "Unknown Message") if message is None else message

    async def _rest_get_original(self, call: _RestCall) -> web.Response:
        message = self._original_message(call)
        return message if isinstance(message, web.Response) else _json_response(message)

    async def _rest_edit_original(self, call: _RestCall) -> web.Response:
        message = self._original_message(call)
        return (
            message
            if isinstance(message, web.Response)
            else await self._edit_message(message, call)
        )

    async def _rest_delete_original(self, call: _RestCall) -> web.Response:
        message = self._original_message(call)
        if isinstance(message, web.Response):
            return message
        await self._delete_message(message)
        return _no_content()

    async def _rest_followup(self, call: _RestCall) -> web.Response:
        interaction = self._webhook_interaction(call)
        if interaction is None or interaction.response_type is None:
            return _error(404, 10015, "Unknown Webhook")
        invalid = self._validate_message_body(call.json, call.files)
        if invalid is not None:
            return invalid
        message = self._bot_message(interaction.channel, call.json, call.files, interaction)
        interaction.followup_ids.append(int(message["id"]))
        await self._echo_create(message)
        return _json_response(message) if _is_truthy(call.query.get("wait")) else _no_content()

    def _followup_message(self, call: _RestCall) -> JSON | web.Response:
        interaction = self._webhook_interaction(call)
        if interaction is None:
            return _error(404, 10015, "Unknown Webhook")
        message_id = int(call.params["message_id"])
        if message_id not in interaction.followup_ids or message_id not in self._messages:
            return _error(404, 10008, "Unknown Message")
        return self._messages[message_id]

    async def _rest_get_followup(self, call: _RestCall) -> web.Response:
        message = self._followup_message(call)
        return message if isinstance(message, web.Response) else _json_response(message)

    async def _rest_edit_followup(self, call: _RestCall) -> web.Response:
        message = self._followup_message(call)
        return (
            message
            if isinstance(message, web.Response)
            else await self._edit_message(message, call)
        )

    async def _rest_delete_followup(self, call: _RestCall) -> web.Response:
        message = self._followup_message(call)
        if isinstance(message, web.Response):
            return message
        await self._delete_message(message)
        return _no_content()


# --------------------------------------------------------------------------- #
# Tables and pure helpers used by the double
# --------------------------------------------------------------------------- #

_CallbackHandler = Callable[
    [DiscordDouble, InjectedInteraction, JSON, tuple[RecordedFile, ...]], Awaitable[JSON]
]
_CALLBACK_HANDLERS: dict[int, _CallbackHandler] = {
    CallbackType.PONG: DiscordDouble._cb_simple,
    CallbackType.CHANNEL_MESSAGE: DiscordDouble._cb_message,
    CallbackType.DEFERRED_CHANNEL_MESSAGE: DiscordDouble._cb_deferred_message,
    CallbackType.DEFERRED_UPDATE_MESSAGE: DiscordDouble._cb_deferred_update,
    CallbackType.UPDATE_MESSAGE: DiscordDouble._cb_update_message,
    CallbackType.AUTOCOMPLETE_RESULT: DiscordDouble._cb_simple,
    CallbackType.MODAL: DiscordDouble._cb_modal,
}

_APP = "/applications/{application_id}"
_MSG = "/channels/{channel_id}/messages/{message_id}"
_HOOK = "/webhooks/{application_id}/{interaction_token}"
_MEMBER = "/guilds/{guild_id}/members/{user_id}"
_ROUTE_TABLE: tuple[tuple[str, str, RestHandler], ...] = (
    ("GET", "/users/@me", DiscordDouble._rest_get_me),
    ("GET", "/oauth2/applications/@me", DiscordDouble._rest_get_application),
    ("GET", "/applications/@me", DiscordDouble._rest_get_application),
    ("GET", "/gateway", DiscordDouble._rest_get_gateway),
    ("GET", "/gateway/bot", DiscordDouble._rest_get_gateway_bot),
    ("GET", f"{_APP}/commands", DiscordDouble._rest_get_commands),
    ("PUT", f"{_APP}/commands", DiscordDouble._rest_put_commands),
    ("POST", f"{_APP}/commands", DiscordDouble._rest_post_command),
    ("GET", f"{_APP}/guilds/{{guild_id}}/commands", DiscordDouble._rest_get_commands),
    ("PUT", f"{_APP}/guilds/{{guild_id}}/commands", DiscordDouble._rest_put_commands),
    ("POST", f"{_APP}/guilds/{{guild_id}}/commands", DiscordDouble._rest_post_command),
    ("POST", "/users/@me/channels", DiscordDouble._rest_create_dm),
    ("GET", "/users/{user_id}", DiscordDouble._rest_get_user),
    ("GET", "/channels/{channel_id}", DiscordDouble._rest_get_channel),
    ("GET", "/channels/{channel_id}/messages", DiscordDouble._rest_get_messages),
    ("POST", "/channels/{channel_id}/messages", DiscordDouble._rest_create_message),
    ("POST", "/channels/{channel_id}/typing", DiscordDouble._rest_no_content),
    ("GET", _MSG, DiscordDouble._rest_get_message),
    ("PATCH", _MSG, DiscordDouble._rest_edit_message),
    ("DELETE", _MSG, DiscordDouble._rest_delete_message),
    ("PUT", f"{_MSG}/reactions/{{emoji}}/@me", DiscordDouble._rest_no_content),
    ("DELETE", f"{_MSG}/reactions/{{emoji}}/@me", DiscordDouble._rest_no_content),
    ("GET", "/guilds/{guild_id}", DiscordDouble._rest_get_guild),
    ("GET", "/guilds/{guild_id}/roles", DiscordDouble._rest_get_roles),
    ("GET", "/guilds/{guild_id}/channels", DiscordDouble._rest_get_channels),
    ("GET", _MEMBER, DiscordDouble._rest_get_member),
    ("PATCH", _MEMBER, DiscordDouble._rest_edit_member),
    ("PUT", f"{_MEMBER}/roles/{{role_id}}", DiscordDouble._rest_add_role),
    ("DELETE", f"{_MEMBER}/roles/{{role_id}}", DiscordDouble._rest_remove_role),
    (
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
        DiscordDouble._rest_interaction_callback,
    ),
    ("GET", f"{_HOOK}/messages/@original", DiscordDouble._rest_get_original),
    ("PATCH", f"{_HOOK}/messages/@original", DiscordDouble._rest_edit_original),
    ("DELETE", f"{_HOOK}/messages/@original", DiscordDouble._rest_delete_original),
    ("POST", _HOOK, DiscordDouble._rest_followup),
    ("GET", f"{_HOOK}/messages/{{message_id}}", DiscordDouble._rest_get_followup),
    ("PATCH", f"{_HOOK}/messages/{{message_id}}", DiscordDouble._rest_edit_followup),
    ("DELETE", f"{_HOOK}/messages/{{message_id}}", DiscordDouble._rest_delete_followup),
)
_COMPILED_ROUTES = [
    (method, template, _compile_route(template), handler)
    for method, template, handler in _ROUTE_TABLE
]


def _match_route(method: str, path: str) -> tuple[str | None, RestHandler | None, dict[str, str]]:
    """First matching (template, handler, params); literal routes precede templates in the table."""
    for route_method, template, pattern, handler in _COMPILED_ROUTES:
        if route_method != method:
            continue
        match = pattern.match(path)
        if match is not None:
            return template, handler, {k: unquote(v) for k, v in match.groupdict().items()}
    return None, None, {}


def _required_intent(name: str, data: JSON) -> int | None:
    in_guild = "guild_id" in data
    if name in ("MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"):
        return int(Intent.GUILD_MESSAGES if in_guild else Intent.DIRECT_MESSAGES)
    if name.startswith("MESSAGE_REACTION_"):
        return int(Intent.GUILD_MESSAGE_REACTIONS if in_guild else Intent.DIRECT_MESSAGE_REACTIONS)
    if name in ("GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE"):
        return int(Intent.GUILD_MEMBERS)
    if name in ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE") or name.startswith(
        ("GUILD_ROLE_", "CHANNEL_")
    ):
        return int(Intent.GUILDS)
    return None


def _coerce_scalar(otype: OptionType, value: Any) -> Any:
    if otype == OptionType.STRING:
        return str(value)
    if otype == OptionType.INTEGER:
        return int(value)
    if otype == OptionType.BOOLEAN:
        return bool(value)
    if otype == OptionType.NUMBER:
        return float(value)
    raise ValueError(f"unsupported option type {otype!r}")


def _apply_allowed_mentions(
    allowed: JSON, users: list[FakeUser], roles: list[FakeRole]
) -> tuple[list[FakeUser], list[FakeRole]]:
    parse = allowed.get("parse", [])
    user_ids = {str(u) for u in allowed.get("users", [])}
    role_ids = {str(r) for r in allowed.get("roles", [])}
    kept_users = [u for u in users if "users" in parse or str(u.id) in user_ids]
    kept_roles = [r for r in roles if "roles" in parse or str(r.id) in role_ids]
    return kept_users, kept_roles


def _modal_submission(
    components: Sequence[JSON], values: Mapping[str, str | Sequence[str]]
) -> list[JSON]:
    """Mirror a modal's layout as Discord's submission payload."""
    submitted: list[JSON] = []
    for component in components:
        ctype = component.get("type")
        if ctype == 1:
            submitted.append(
                {
                    "type": 1,
                    "components": _modal_submission(component.get("components", []), values),
                }
            )
        elif ctype == 18:
            inner = _modal_submission([component["component"]], values)
            label: JSON = {"type": 18, "component": inner[0]} if inner else {"type": 18}
            if "id" in component:
                label["id"] = component["id"]
            submitted.append(label)
        elif ctype == TEXT_INPUT_COMPONENT:
            submitted.append(
                _submitted_input(component, {"value": values.get(component["custom_id"], "")})
            )
        elif ctype in SELECT_COMPONENT_TYPES:
            chosen = values.get(component["custom_id"], [])
            chosen_list = [chosen] if isinstance(chosen, str) else list(chosen)
            submitted.append(_submitted_input(component, {"values": chosen_list}))
    return submitted


def _submitted_input(component: JSON, value: JSON) -> JSON:
    entry: JSON = {"type": component["type"], "custom_id": component["custom_id"], **value}
    if "id" in component:
        entry["id"] = component["id"]
    return entry


# --------------------------------------------------------------------------- #
# Pointing discord.py at the double (test process only)
# --------------------------------------------------------------------------- #


@contextmanager
def patch_discord(double: DiscordDouble) -> Iterator[DiscordDouble]:
    """Point discord.py at ``double`` for the duration of the block.

    * ``discord.http.Route.BASE`` -> ``http://127.0.0.1:PORT/api/v10``; every
      REST call, including interaction callbacks and follow-up webhooks
      (``discord/webhook/async_.py`` builds its URLs with the same ``Route``),
      goes to the double;
    * ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` ->
      ``ws://127.0.0.1:PORT/gateway``: a plain ``Client``/``Bot`` connects
      there without asking ``/gateway/bot`` (AutoSharded clients ask REST,
      which returns the same URL).  Resumes use READY's
      ``resume_gateway_url`` (``/gateway-resume``).
    """
    old_base = discord_http.Route.BASE
    old_gateway = DiscordWebSocket.DEFAULT_GATEWAY
    discord_http.Route.BASE = double.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(double.gateway_url)
    try:
        yield double
    finally:
        discord_http.Route.BASE = old_base
        DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


ClientT = TypeVar("ClientT", bound=discord.Client)


@asynccontextmanager
async def running_client(
    client: ClientT,
    double: DiscordDouble,
    *,
    token: str | None = None,
    ready_timeout: float = 5.0,
    guild_ready_timeout: float | None = 0.05,
) -> AsyncIterator[ClientT]:
    """Run ``client.start()`` against ``double`` until ``on_ready``; close it on exit.

    ``guild_ready_timeout`` shortens discord.py's wait for further
    GUILD_CREATEs before READY (2 s by default) - the same knob as the
    ``guild_ready_timeout=`` Client option; pass ``None`` to keep the client's.
    If the client dies before it is ready, its exception is raised here.
    """
    if guild_ready_timeout is not None:
        client._connection.guild_ready_timeout = guild_ready_timeout
    task = asyncio.create_task(client.start(token or double.token), name="discord-double-client")
    try:
        await _wait_until_ready(client, task, ready_timeout)
        yield client
    finally:
        await client.close()
        await _finish_client_task(task)


async def _wait_until_ready(
    client: discord.Client, task: asyncio.Task[None], timeout: float
) -> None:
    ready = asyncio.create_task(client.wait_until_ready(), name="discord-double-wait-ready")
    done, _ = await asyncio.wait(
        {ready, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if ready not in done:
        ready.cancel()
        await asyncio.gather(ready, return_exceptions=True)
    if task in done:
        task.result()  # re-raise the client's failure
        raise RuntimeError("the client stopped before it became ready")
    if ready not in done:
        raise DoubleTimeout(f"client not ready within {timeout}s")


async def _finish_client_task(task: asyncio.Task[None]) -> None:
    with suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=5.0)
