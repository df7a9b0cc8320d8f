"""HTTP plumbing for the REST side: the parsed call, Discord's JSON and error
bodies, and route templates."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from discord_double.protocol import JSON


@dataclass(frozen=True)
class RestCall:
    method: str
    path: str
    params: Mapping[str, str]
    query: Mapping[str, str]
    json: Any


@dataclass
class Failure:
    """A Discord error the test asked for on the next ``remaining`` calls to a route."""

    method: str
    route: str
    status: int
    code: int
    message: str
    remaining: int


def json_response(data: Any, status: int = 200) -> web.Response:
    # discord.py only decodes JSON when the content type is exactly this
    # (aiohttp's json_response would append "; charset=utf-8").
    return web.Response(
        body=json.dumps(data).encode(), status=status, content_type="application/json"
    )


def error(status: int, code: int, message: str, errors: JSON | None = None) -> web.Response:
    body: JSON = {"message": message, "code": code}
    if errors is not None:
        body["errors"] = errors
    return json_response(body, status)


def form_error(field_name: str, code: str, message: str) -> web.Response:
    errors = {field_name: {"_errors": [{"code": code, "message": message}]}}
    return error(400, 50035, "Invalid Form Body", errors)


async def read_body(request: web.Request) -> tuple[Any, dict[str, bytes]]:
    """The request's JSON body and its uploaded files by name.

    A message with files comes as ``multipart/form-data``: its JSON is the
    ``payload_json`` part, each file a part with a filename.
    """
    if request.content_type != "multipart/form-data":
        return await read_json(request), {}
    body: Any = None
    files: dict[str, bytes] = {}
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "payload_json":
            body = json.loads(await part.read())
        elif part.filename:
            files[part.filename] = bytes(await part.read())
    return body, files


async def read_json(request: web.Request) -> Any:
    """The request's JSON body; ``None`` when empty, the text when it is not JSON."""
    raw = await request.read()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def compile_route(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return re.compile(f"^{pattern}$")
