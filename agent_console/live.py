"""Live updates for the pages: one bus subscription per web process, fanned out to every
open page stream, each with its own filter and a bounded buffer (a stalled browser loses
its oldest events, never the others')::

    async with hub.listen(lambda event: event.type == "call.connected") as events:
        async for event in events:
            ...

Routes turn what they listen to into server-sent events (``sse-starlette``); the browser's
own ``EventSource`` reconnects by itself after a network cut.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from models.bus import EventBus
from models.consumer import BackgroundConsumer
from models.events import Event

log = logging.getLogger(__name__)
BUFFER = 200
Wanted = Callable[[Event], bool]


class _Listener:
    def __init__(self, wants: Wanted) -> None:
        self.wants = wants
        self.queue: asyncio.Queue[Event] = asyncio.Queue(BUFFER)

    def offer(self, event: Event) -> None:
        if not self.wants(event):
            return
        if self.queue.full():
            self.queue.get_nowait()
        self.queue.put_nowait(event)

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            yield await self.queue.get()


class LiveHub(BackgroundConsumer):
    """Follows the bus once and hands each event to the page streams that want it."""

    def __init__(self, *, bus: EventBus) -> None:
        super().__init__(bus=bus)
        self._listeners: set[_Listener] = set()

    @property
    def listeners(self) -> int:
        """How many page streams are open."""
        return len(self._listeners)

    async def handle(self, event: Event) -> None:
        """Offer the event to every stream."""
        for listener in list(self._listeners):
            try:
                listener.offer(event)
            except Exception:
                log.exception("a live filter failed on %s", event.type)

    @contextlib.asynccontextmanager
    async def listen(self, wants: Wanted) -> AsyncIterator[AsyncIterator[Event]]:
        """The events ``wants`` accepts, from now until the context exits."""
        listener = _Listener(wants)
        self._listeners.add(listener)
        try:
            yield listener.__aiter__()
        finally:
            self._listeners.discard(listener)
