"""A rep uploads a document through the real client: it is read in a child process while
members' questions keep being answered, and a hostile one is refused in one line."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from discord_double import DiscordDouble
from knowledge.base import KnowledgeBase
from tests.bot.conftest import running_bot
from tests.bot.test_bot import KNOWN_QUESTION, ask_in_channel, command, double
from tests.cli.documents import text_pdf
from tests.knowledge import hostile_documents as hostile
from tests.knowledge.test_documents import _children

__all__ = ["double"]  # the checked double fixture of test_bot

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc"),
]

DETAILS = {"title": "Payroll circular", "kind": "circular", "issuer": "PCS", "date": "2024"}


@pytest_asyncio.fixture
async def cdn() -> AsyncIterator[dict[str, bytes]]:
    """Files served over HTTP as Discord's CDN serves attachments: put bytes under a name."""
    files: dict[str, bytes] = {}

    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=files[request.match_info["name"]])

    app = web.Application()
    app.router.add_get("/{name}", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    files["__base__"] = f"http://{host}:{port}".encode()
    yield files
    await runner.cleanup()


def attachment(cdn: dict[str, bytes], name: str, data: bytes) -> dict[str, Any]:
    cdn[name] = data
    url = f"{cdn['__base__'].decode()}/{name}"
    return {"id": str(abs(hash(name)) % 10**17), "filename": name, "size": len(data),
            "url": url, "proxy_url": url}  # fmt: skip


async def test_members_are_answered_while_a_rep_uploads_a_hostile_document(
    double: DiscordDouble, kb: KnowledgeBase, cdn: dict[str, bytes]
) -> None:
    slow = attachment(cdn, "slow.pdf", hostile.blank_pages_pdf(10_000))
    good = attachment(cdn, "circular.pdf", text_pdf(hostile.LINES))
    async with running_bot(double, kb):
        upload = asyncio.create_task(
            command(double, double.rep_member, "source add", {**DETAILS, "file": slow})
        )
        for _ in range(3000):
            if _children():
                break
            await asyncio.sleep(0.01)
        assert _children(), "the upload was never read in a child process"
        reply = await ask_in_channel(double, double.member, double.other_channel, KNOWN_QUESTION)
        answered_while_reading = bool(_children())
        refused = await upload
        added = await command(double, double.rep_member, "source add", {**DETAILS, "file": good})

    assert answered_while_reading
    assert reply["embeds"][0]["footer"]["text"].startswith("Fact ")
    assert refused.ephemeral and "10,000 pages" in refused.body["content"]
    assert len(refused.body["content"].splitlines()) == 1
    assert added.ephemeral and "payroll-circular" in added.body["content"]
