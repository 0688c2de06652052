"""The event bus: in-process async pub/sub by default, a Redis stream to span processes.

Two ways to listen, on both buses:

- ``subscribe()``: every subscriber sees every event published from now on (live views,
  caches, the call-back trigger);
- ``consume(group)``: each event goes to one member of ``group`` and stays pending until it
  is acknowledged (the call recorder: several workers share the work, none loses an event).

::

    bus = InProcessBus()
    async with bus.subscribe() as events:
        await bus.publish(CallStarted(call_id="1", transport="twilio"))
        event = await anext(events)

On Redis the events are entries of one stream (``XADD``, trimmed to about ``maxlen``).
A subscriber remembers the last entry it read and, after a Redis outage, reconnects with
back-off and reads on from there, so nothing published in between is missed; a consumer
group's entries left unacknowledged by a dead member are claimed again (``XAUTOCLAIM``). A
Redis that comes back without its data (no persistence, a fresh replica) gets the group
created again, reading the new stream from its start (what was published since Redis came
back, the outbox's relayed events included).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from models.cancellation import raise_if_cancelled
from models.events import BaseEvent, Event, decode_event
from models.redis_connection import redis_client

log = logging.getLogger(__name__)

STREAM = "suac:events"
STREAM_MAXLEN = 200_000
SUBSCRIBER_BUFFER = 10_000
BLOCK_MS = 2_000
READ_COUNT = 500
RECLAIM_IDLE_MS = 30_000
RETRY_FIRST, RETRY_CEILING = 0.2, 5.0


async def _no_ack() -> None:
    return None


@dataclass(frozen=True)
class Delivery:
    """One event handed to one member of a consumer group; ``ack()`` once it is handled."""

    event: Event
    ack: Callable[[], Awaitable[None]] = _no_ack


class EventBus(Protocol):
    """What every bus offers."""

    async def publish(self, event: BaseEvent) -> None:
        """Deliver ``event`` to every current subscriber."""

    def subscribe(self) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Event]]:
        """Receive every event published from now on, until the context exits."""

    def consume(
        self, group: str, consumer: str
    ) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Delivery]]:
        """Share the events of ``group`` with its other members, each acknowledged once done."""

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
    """Pub/sub inside one process (a consumer group is a single member here)."""

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

    @contextlib.asynccontextmanager
    async def consume(self, group: str, consumer: str) -> AsyncIterator[AsyncIterator[Delivery]]:
        async with self.subscribe() as events:
            yield (Delivery(event) async for event in events)

    async def close(self) -> None:
        self._subscriptions.clear()


class _Backoff:
    """Waits between reconnection attempts: 0.2 s doubling to 5 s, reset after a success."""

    def __init__(self) -> None:
        self.delay = RETRY_FIRST

    async def wait(self, what: str, error: BaseException) -> None:
        raise_if_cancelled()
        log.warning("Redis unavailable (%s): %s; retrying in %.1f s", what, error, self.delay)
        await asyncio.sleep(self.delay)
        self.delay = min(self.delay * 2, RETRY_CEILING)

    def reset(self) -> None:
        self.delay = RETRY_FIRST


REDIS_DOWN = (ConnectionError, TimeoutError, OSError)


class RedisBus:
    """Events in one Redis stream, read by subscribers and consumer groups across processes."""

    def __init__(self, *, url: str, stream: str = STREAM, maxlen: int = STREAM_MAXLEN) -> None:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        # redis-py's stubs type replies loosely: read them as Any
        self._redis: Any = redis_client(url, longest_block_seconds=BLOCK_MS / 1000)
        self._stream, self._maxlen = stream, maxlen
        self._down: tuple[type[BaseException], ...] = (
            *REDIS_DOWN,
            RedisConnectionError,
            RedisTimeoutError,
        )

    async def publish(self, event: BaseEvent) -> None:
        await self._redis.xadd(
            self._stream,
            {"e": event.model_dump_json()},
            maxlen=self._maxlen,
            approximate=True,
        )

    async def _tail(self) -> str:
        """The id of the newest entry now ("0-0" for an empty stream)."""
        newest = await self._redis.xrevrange(self._stream, count=1)
        return newest[0][0].decode() if newest else "0-0"

    def _decode(self, fields: dict[bytes, bytes]) -> Event | None:
        try:
            return decode_event(fields[b"e"])
        except (KeyError, ValueError):
            log.warning("ignored an undecodable event on %s", self._stream)
            return None

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[Event]]:
        try:
            start: str | None = await self._tail()
        except self._down as error:
            log.warning("Redis unavailable at subscribe: %s; will catch up when back", error)
            start = None
        follower = self._follow(start)
        try:
            yield follower
        finally:
            await follower.aclose()

    async def _follow(self, last: str | None) -> AsyncGenerator[Event, None]:
        backoff = _Backoff()
        while True:
            try:
                if last is None:
                    last = await self._tail()
                batches = await self._redis.xread(
                    {self._stream: last}, block=BLOCK_MS, count=READ_COUNT
                )
            except self._down as error:
                await backoff.wait("subscriber", error)
                continue
            backoff.reset()
            for _name, entries in batches or ():
                for entry_id, fields in entries:
                    last = entry_id.decode()
                    event = self._decode(fields)
                    if event is not None:
                        yield event

    @contextlib.asynccontextmanager
    async def consume(self, group: str, consumer: str) -> AsyncIterator[AsyncIterator[Delivery]]:
        try:  # joined now, so events published from here on reach the group
            await self._ensure_group(group)
        except self._down as error:
            log.warning("Redis unavailable at consume: %s; will join when back", error)
        reader = self._group_follow(group, consumer)
        try:
            yield reader
        finally:
            await reader.aclose()

    async def _ensure_group(self, group: str, *, start: str = "$") -> None:
        from redis.exceptions import ResponseError

        try:
            await self._redis.xgroup_create(self._stream, group, id=start, mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    async def _group_follow(self, group: str, consumer: str) -> AsyncGenerator[Delivery, None]:
        from redis.exceptions import ResponseError

        backoff = _Backoff()
        ready, start = False, "$"
        while True:
            try:
                if not ready:
                    await self._ensure_group(group, start=start)
                    ready = True
                entries = await self._group_batch(group, consumer)
            except self._down as error:
                # once Redis is back, a group it lost with its data reads all the new stream
                ready, start = False, "0"
                await backoff.wait(f"group {group}", error)
                continue
            except ResponseError as error:
                if "NOGROUP" not in str(error):
                    raise
                log.warning("consumer group %s is gone from Redis: created again", group)
                ready, start = False, "0"
                continue
            backoff.reset()
            for entry_id, fields in entries:
                event = self._decode(fields) if fields else None
                ack = self._acker(group, entry_id)
                if event is None:
                    await ack()
                    continue
                yield Delivery(event, ack)

    async def _group_batch(self, group: str, consumer: str) -> list[tuple[bytes, Any]]:
        """Entries a dead member left unacknowledged first, then new ones."""
        reclaimed = await self._redis.xautoclaim(
            self._stream, group, consumer, min_idle_time=RECLAIM_IDLE_MS, count=READ_COUNT
        )
        if reclaimed and reclaimed[1]:
            return list(reclaimed[1])
        batches = await self._redis.xreadgroup(
            group, consumer, {self._stream: ">"}, count=READ_COUNT, block=BLOCK_MS
        )
        return [entry for _name, entries in batches or () for entry in entries]

    def _acker(self, group: str, entry_id: bytes) -> Callable[[], Awaitable[None]]:
        async def ack() -> None:
            try:
                await self._redis.xack(self._stream, group, entry_id)
            except self._down as error:  # unacknowledged: reclaimed and applied again later
                log.warning("could not acknowledge %s: %s", entry_id, error)

        return ack

    async def ping(self) -> None:
        """Fail now, clearly, when Redis cannot be reached."""
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()


def make_bus(redis_url: str = "") -> InProcessBus | RedisBus:
    """The Redis bus when a URL is configured, the in-process bus otherwise."""
    return RedisBus(url=redis_url) if redis_url else InProcessBus()
