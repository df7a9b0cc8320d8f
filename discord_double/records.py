"""What the double remembers for assertions: the client's REST calls and gateway
payloads, the events it dispatched and the interactions a test injected."""

# The waiting helper takes ``timeout=`` on purpose: one call per expectation in tests.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from discord_double.protocol import JSON
from discord_double.world import FakeChannel, FakeUser

T = TypeVar("T")


@dataclass(frozen=True)
class RecordedRequest:
    """One REST call made by the client.

    ``path`` is relative to ``/api/v10`` (e.g. ``/channels/1/messages``),
    ``route`` the matched template (e.g. ``/channels/{channel_id}/messages``)
    or ``None`` for unknown routes, ``json`` the JSON body, ``files`` the
    uploaded files' contents by file name.
    """

    index: int
    method: str
    path: str
    route: str | None
    params: Mapping[str, str]
    query: Mapping[str, str]
    json: Any
    headers: Mapping[str, str]
    status: int
    files: Mapping[str, bytes] = field(default_factory=dict)

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
    created_at: float = field(default_factory=time.monotonic)

    @property
    def data(self) -> JSON:
        data: JSON = self.payload.get("data") or {}
        return data


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
