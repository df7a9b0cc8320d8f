"""The gateway: a websocket that says HELLO, answers IDENTIFY with READY and
GUILD_CREATE, dispatches events within the client's intents and replays missed
ones on RESUME."""

from __future__ import annotations

import asyncio
import copy
import importlib
import json
import logging
import uuid
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import WSMsgType, web

from discord_double.protocol import API_VERSION, JSON, MESSAGE_CONTENT_FLAGS, Intent, Op
from discord_double.records import Delivery, DispatchedEvent, GatewayFrame
from discord_double.state import HEARTBEAT_INTERVAL_MS, DoubleState

log = logging.getLogger(__name__)


class _Codec(Protocol):
    def pack(self, text: str) -> bytes: ...


class _ZlibStreamCodec:
    """One zlib stream per connection, every frame ends with Z_SYNC_FLUSH."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj()

    def pack(self, text: str) -> bytes:
        return self._compressor.compress(text.encode()) + self._compressor.flush(zlib.Z_SYNC_FLUSH)


class _ZstdStreamCodec:
    """One zstd stream per connection, flushed (block) after every frame.

    discord.py asks for it instead of zlib whenever a zstd module is installed
    (``discord.py[speed]``), so a developer's machine may need it.
    """

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
    resumed: bool = False
    closed: bool = False

    async def send(self, payload: JSON) -> bool:
        """Send one payload; returns False if the socket is gone."""
        text = json.dumps(payload, separators=(",", ":"))
        async with self.lock:
            if self.closed or self.ws.closed:
                return False
            try:
                await self.ws.send_bytes(self.codec.pack(text))
            except (ConnectionError, RuntimeError):
                self.closed = True
                return False
            return True


@dataclass(eq=False)
class GatewaySession:
    session_id: str
    intents: int
    seq: int = 0
    events: list[DispatchedEvent] = field(default_factory=list)
    live: GatewayConnection | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class GatewayMixin(DoubleState):
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
        hello = {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}
        await conn.send({"op": Op.HELLO, "d": hello, "s": None, "t": None})
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
                await self._on_gateway_payload(conn, json.loads(msg.data))
            except Exception as exc:  # keep serving; surface via internal_errors
                log.exception("Discord double: gateway handler failed")
                self.internal_errors.append(exc)

    async def _on_gateway_payload(self, conn: GatewayConnection, payload: JSON) -> None:
        op = int(payload.get("op", -1))
        data: Any = payload.get("d")
        self.gateway_frames.append(GatewayFrame(len(self.gateway_frames), conn.index, op, data))
        if op == Op.HEARTBEAT:
            await conn.send({"op": Op.HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == Op.IDENTIFY:
            await self._on_identify(conn, data)
        elif op == Op.RESUME:
            await self._on_resume(conn, data)
        else:
            log.warning("Discord double: unhandled gateway opcode %s", op)

    async def _on_identify(self, conn: GatewayConnection, data: JSON) -> None:
        self.identify_payloads.append(data)
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if intents & Intent.MESSAGE_CONTENT and not self.application_flags & MESSAGE_CONTENT_FLAGS:
            # Discord refuses a privileged intent the portal has not turned on.
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        session = GatewaySession(session_id=uuid.uuid4().hex, intents=intents)
        self._session = session
        async with session.lock:
            session.live = conn
            await self._dispatch_locked(session, "READY", self._ready_payload(session))
            # Without GUILD_PRESENCES (the bot asks for none) Discord sends only the bot's member.
            guild = self.guild.create_payload([self.bot_member], self._joined_at)
            await self._dispatch_locked(session, "GUILD_CREATE", guild)

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

    def _ready_payload(self, session: GatewaySession) -> JSON:
        user = self.bot_user.to_payload() | {
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
        }
        return {
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
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "_trace": ["discord-double"],
        }

    # ---------------------------------------------------------- dispatching

    def _require_session(self) -> GatewaySession:
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
        self, session: GatewaySession, name: str, data: JSON
    ) -> DispatchedEvent | None:
        required = _required_intent(name, data)
        if required is not None and not session.intents & required:
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

    def _redact(self, session: GatewaySession, name: str, data: JSON) -> JSON:
        """Blank guild message content if MESSAGE_CONTENT is missing (like Discord)."""
        if name not in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
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
        session = self._require_session()
        async with session.lock:
            conn, session.live = session.live, None
        if conn is None:
            raise RuntimeError("no live gateway connection to drop")
        conn.closed = True
        await conn.ws.close(code=code, message=b"dropped by test double")


def _required_intent(name: str, data: JSON) -> int | None:
    if name in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
        return int(Intent.GUILD_MESSAGES if "guild_id" in data else Intent.DIRECT_MESSAGES)
    if name == "GUILD_CREATE":
        return int(Intent.GUILDS)
    return None
