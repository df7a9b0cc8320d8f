"""The REST API: every call is matched against the routes the bot uses, checked
(token, injected failures), answered and recorded."""

from __future__ import annotations

import copy
import logging
from collections.abc import Awaitable, Callable
from typing import cast
from urllib.parse import unquote

from aiohttp import web

from discord_double.messages import MessagesMixin
from discord_double.protocol import JSON
from discord_double.records import RecordedRequest
from discord_double.responses import (
    Failure,
    RestCall,
    compile_route,
    error,
    json_response,
    read_body,
)

log = logging.getLogger(__name__)

RestHandler = Callable[[RestCall], Awaitable[web.Response]]

_APP = "/applications/{application_id}"
_HOOK = "/webhooks/{application_id}/{interaction_token}"
# (method, template, name of the double's handler method); the interaction
# handlers live in interactions.py.
ROUTE_TABLE: tuple[tuple[str, str, str], ...] = (
    ("GET", "/users/@me", "_rest_get_me"),
    ("GET", "/oauth2/applications/@me", "_rest_get_application"),
    ("PUT", f"{_APP}/commands", "_rest_put_commands"),
    ("PUT", f"{_APP}/guilds/{{guild_id}}/commands", "_rest_put_commands"),
    ("POST", "/users/@me/channels", "_rest_create_dm"),
    ("GET", "/users/{user_id}", "_rest_get_user"),
    ("GET", "/channels/{channel_id}", "_rest_get_channel"),
    ("POST", "/channels/{channel_id}/messages", "_rest_create_message"),
    (
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
        "_rest_interaction_callback",
    ),
    ("PATCH", f"{_HOOK}/messages/@original", "_rest_edit_original"),
    ("POST", _HOOK, "_rest_followup"),
)
_COMPILED_ROUTES = [
    (method, template, compile_route(template), handler)
    for method, template, handler in ROUTE_TABLE
]


def match_route(method: str, path: str) -> tuple[str | None, str | None, dict[str, str]]:
    """First matching (template, handler name, params); literal routes precede templates."""
    for route_method, template, pattern, handler in _COMPILED_ROUTES:
        if route_method != method:
            continue
        match = pattern.match(path)
        if match is not None:
            return template, handler, {k: unquote(v) for k, v in match.groupdict().items()}
    return None, None, {}


class RoutesMixin(MessagesMixin):
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
        if not any(m == method and t == route for m, t, _ in ROUTE_TABLE):
            raise ValueError(f"unknown route {method} {route}")
        self._failures.append(Failure(method, route, status, code, message, times))

    async def _rest_entry(self, request: web.Request) -> web.Response:
        prefix = f"/api/v{request.match_info['version']}"
        path = request.rel_url.raw_path[len(prefix) :] or "/"
        body, files = await read_body(request)
        method = request.method.upper()
        route, handler, params = match_route(method, path)
        call = RestCall(method, path, params, dict(request.query), body)
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
                headers=dict(request.headers),
                status=response.status,
                files=files,
            )
        )
        return response

    async def _respond(
        self, request: web.Request, call: RestCall, route: str | None, handler: str | None
    ) -> web.Response:
        if route is None or handler is None:
            log.warning("Discord double: unknown route %s %s", call.method, call.path)
            return error(404, 0, "404: Not Found")
        # Interaction callbacks and follow-ups authenticate by their token in the path.
        if not route.startswith(("/webhooks/", "/interactions/")) and not self._authorized(request):
            return error(401, 0, "401: Unauthorized")
        failure = self._take_failure(call.method, route)
        if failure is not None:
            return error(failure.status, failure.code, failure.message)
        try:
            return await cast(RestHandler, getattr(self, handler))(call)
        except Exception as exc:  # a bug in the double: fail fast (4xx, no discord.py retries)
            log.exception("Discord double: handler for %s %s failed", call.method, call.path)
            self.internal_errors.append(exc)
            return error(400, 0, f"discord double internal error: {exc!r}")

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bot {self.token}"

    def _take_failure(self, method: str, route: str) -> Failure | None:
        for failure in self._failures:
            if failure.method == method and failure.route == route and failure.remaining > 0:
                failure.remaining -= 1
                return failure
        return None

    # --- identity

    async def _rest_get_me(self, call: RestCall) -> web.Response:
        user = self.bot_user.to_payload() | {
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
        }
        return json_response(user)

    async def _rest_get_application(self, call: RestCall) -> web.Response:
        return json_response(
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
                "flags": self.application_flags,
                "bot": self.bot_user.to_payload(),
                "interactions_endpoint_url": None,
                "redirect_uris": [],
                "approximate_guild_count": 1,
            }
        )

    # --- application commands

    async def _rest_put_commands(self, call: RestCall) -> web.Response:
        """Bulk overwrite: the registered commands of the scope become exactly these."""
        if call.params.get("application_id") != str(self.application_id):
            return error(404, 10002, "Unknown Application")
        scope = int(call.params["guild_id"]) if "guild_id" in call.params else None
        if scope is not None and scope != self.guild.id:
            return error(403, 50001, "Missing Access")
        commands = {}
        for body in call.json or []:
            command = self._register_command(scope, body)
            commands[(command["name"], command["type"])] = command
        self._commands[scope] = commands
        return json_response(list(commands.values()))

    def _register_command(self, scope: int | None, body: JSON) -> JSON:
        ctype = int(body.get("type", 1))
        # The same command keeps its id across syncs, as on Discord.
        command_id = self._command_ids.setdefault((scope, body["name"], ctype), self._ids.next())
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

    # --- users and messages

    async def _rest_create_dm(self, call: RestCall) -> web.Response:
        recipient = (call.json or {}).get("recipient_id")
        try:
            user = self._as_user(recipient if recipient is not None else "")
        except LookupError:
            return error(400, 50033, "Invalid Recipient(s)")
        return json_response(self.dm_channel(user).to_payload())

    async def _rest_get_user(self, call: RestCall) -> web.Response:
        user = self.users.get(int(call.params["user_id"]))
        return (
            error(404, 10013, "Unknown User") if user is None else json_response(user.to_payload())
        )

    async def _rest_get_channel(self, call: RestCall) -> web.Response:
        try:
            channel = self.get_channel(call.params["channel_id"])
        except (LookupError, ValueError):
            return error(404, 10003, "Unknown Channel")
        return json_response(channel.to_payload())

    async def _rest_create_message(self, call: RestCall) -> web.Response:
        try:
            channel = self.get_channel(call.params["channel_id"])
        except (LookupError, ValueError):
            return error(404, 10003, "Unknown Channel")
        invalid = self._invalid_message_body(call.json)
        if invalid is not None:
            return invalid
        message = self._bot_message(channel, call.json)
        await self._echo("MESSAGE_CREATE", message)
        return json_response(message)
