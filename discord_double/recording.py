"""Finding and awaiting what the client sent: its REST calls and gateway payloads."""

# The waiting helpers take ``timeout=`` on purpose: one call per expectation in tests.
# ruff: noqa: ASYNC109

from __future__ import annotations

from collections.abc import Callable

from discord_double.records import GatewayFrame, InjectedInteraction, RecordedRequest
from discord_double.state import ChannelLike, DoubleState

RequestFilter = Callable[[RecordedRequest], bool]


class RecordingMixin(DoubleState):
    def mark(self) -> int:
        """Index to pass as ``since=`` to only consider later requests."""
        return len(self.requests)

    def find_requests(
        self,
        predicate: RequestFilter | None = None,
        *,
        method: str | None = None,
        route: str | None = None,
        path: str | None = None,
        since: int = 0,
    ) -> list[RecordedRequest]:
        check = _request_filter(predicate, method=method, route=route, path=path)
        return self.requests.find(check, since=since)

    async def wait_for_request(
        self,
        predicate: RequestFilter | None = None,
        *,
        method: str | None = None,
        route: str | None = None,
        path: str | None = None,
        since: int = 0,
        timeout: float = 5.0,
    ) -> RecordedRequest:
        """First request (from index ``since``) matching all given filters."""
        check = _request_filter(predicate, method=method, route=route, path=path)
        return await self.requests.wait_for(check, since=since, timeout=timeout)

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


def _request_filter(
    predicate: RequestFilter | None,
    *,
    method: str | None,
    route: str | None,
    path: str | None,
) -> RequestFilter:
    def check(request: RecordedRequest) -> bool:
        if not request.matches(method=method, route=route, path=path):
            return False
        return predicate is None or predicate(request)

    return check
