"""The one thread that talks to the knowledge base.

The knowledge base is synchronous SQLite on one connection. Every call from
the bot goes through ``KnowledgeWorker.run``, which runs it on a single
worker thread: the event loop never blocks on the database, and calls never
overlap, so the connection and the matcher are used by one thread at a time.
The one exception, ``run_alongside``, is for the scheduled backup, which reads
through a connection of its own: members keep getting answers while it runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from knowledge import KnowledgeBase

T = TypeVar("T")


class KnowledgeWorker:
    """Runs functions of the knowledge base, one at a time, off the event loop.

    In a coroutine::

        reply = await worker.run(lambda kb: kb.ask("who owns sscl", place="dm"))
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = kb
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="knowledge")

    async def run(self, work: Callable[[KnowledgeBase], T]) -> T:
        """The result of ``work(kb)``; its exceptions are raised here."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, work, self._kb)

    async def run_alongside(self, work: Callable[[KnowledgeBase], T]) -> T:
        """The result of ``work(kb)``, run on a thread of its own beside ``run``'s calls.

        Only for methods the knowledge base says may run beside others
        (``KnowledgeBase.back_up_if_due``); its exceptions are raised here.
        """
        return await asyncio.to_thread(work, self._kb)

    async def close(self) -> None:
        """Wait for the call in progress, if any, and stop the thread."""
        await asyncio.to_thread(self._executor.shutdown, wait=True)
