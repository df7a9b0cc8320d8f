"""``DiscordDouble``: the gateway, REST routes, interactions and injection helpers
served together on one loopback port."""

from __future__ import annotations

import logging

from aiohttp import web

from discord_double.injection import InjectionMixin
from discord_double.interactions import InteractionsMixin
from discord_double.protocol import DEFAULT_TOKEN
from discord_double.recording import RecordingMixin
from discord_double.routes import RoutesMixin

log = logging.getLogger(__name__)


class DiscordDouble(InjectionMixin, InteractionsMixin, RoutesMixin, RecordingMixin):
    """A fake Discord (REST + gateway) on 127.0.0.1 for discord.py clients.

    The default world (extendable with ``add_member`` before the client logs in):

    * ``bot_user`` (also the application id), ``owner`` (guild owner);
    * ``guild`` with roles ``everyone_role``, ``rep_role`` ("Rep") and
      ``bot_role`` (managed, above Rep);
    * members ``bot_member``, ``owner_member``, ``rep_member`` (holds Rep),
      ``member`` (plain, no Rep);
    * text channels ``general`` and ``other_channel``; DM channels are made
      on demand with ``dm_channel(user)``.
    """

    def __init__(self, *, token: str = DEFAULT_TOKEN) -> None:
        super().__init__(token=token)
        self._runner: web.AppRunner | None = None

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
