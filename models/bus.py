"""The event bus: in-process async pub/sub by default, Redis pub/sub to span processes.

Both buses have the same two operations::

    bus = InProcessBus()
    async with bus.subscribe() as events:
        await bus.publish(CallStarted(call_id="1", transport="twilio"))
        event = await anext(events)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Protocol

from models.events import BaseEvent, Event, decode_event

log = logging.getLogger(__name__)

CHANNEL = "suac:events"
SUBSCRIBER_BUFFER = 10_000


class EventBus(Protocol):
    """What every bus offers."""

    async def publish(self, event: BaseEvent) -> None:
        """Deliver ``event`` to every current subscriber."""

    def subscribe(self) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Event]]:
        """Receive every event published from now on, until the context exits."""

    async def close(self) -> None:
        """Release connections."""


class _Subscription:
    """A bounded queue for one subscriber; a slow one loses its oldest events, not the bus."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[BaseEvent] = asyncio.Queue(SUBSCRIBER_BUFFER)
        self.dropped = 0

    def offer(self, event: BaseEvent) -> None:
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
            log.warning("bus subscriber is slow: dropped %d events", self.dropped)
        self.queue.put_nowait(event)

    async def __aiter__(self) -> AsyncIterator[BaseEvent]:
        while True:
            yield await self.queue.get()


class InProcessBus:
    """Pub/sub inside one process."""

    def __init__(self) -> None:
        self._subscriptions: set[_Subscription] = set()

    async def publish(self, event: BaseEvent) -> None:
        for subscription in tuple(self._subscriptions):
            subscription.offer(event)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[Event]]:
        subscription = _Subscription()
        self._subscriptions.add(subscription)
        try:
            yield subscription.__aiter__()  # type: ignore[misc]
        finally:
            self._subscriptions.discard(subscription)

    async def close(self) -> None:
        self._subscriptions.clear()


class RedisBus:
    """Pub/sub across processes through a Redis channel (events travel as JSON)."""

    def __init__(self, *, url: str, channel: str = CHANNEL) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url)
        self._channel = channel

    async def publish(self, event: BaseEvent) -> None:
        await self._redis.publish(self._channel, event.model_dump_json())

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[Event]]:
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(self._channel)
        await self._confirmed(pubsub)
        try:
            yield self._events(pubsub)
        finally:
            await pubsub.unsubscribe(self._channel)
            await pubsub.aclose()

    @staticmethod
    async def _confirmed(pubsub) -> None:  # noqa: ANN001
        """Wait until Redis confirms the subscription, so no event published after it is lost."""
        while True:
            message = await pubsub.get_message(timeout=5.0)
            if message is None:
                raise ConnectionError("Redis did not confirm the event subscription")
            if message.get("type") == "subscribe":
                return

    async def _events(self, pubsub) -> AsyncIterator[Event]:  # noqa: ANN001
        async for message in pubsub.listen():
            if message.get("type") != "message":
                continue
            try:
                yield decode_event(message["data"])
            except ValueError:
                log.warning("ignored an undecodable event on %s", self._channel)

    async def ping(self) -> None:
        """Fail now, clearly, when Redis cannot be reached."""
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()


def make_bus(redis_url: str = "") -> InProcessBus | RedisBus:
    """The Redis bus when a URL is configured, the in-process bus otherwise."""
    return RedisBus(url=redis_url) if redis_url else InProcessBus()
