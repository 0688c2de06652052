"""Background tasks that follow the bus, subscribed (or joined to their group) before
``start()`` returns.

    class Printer(BackgroundConsumer):
        async def handle(self, event: Event) -> None:
            print(event.type)

    printer = Printer(bus=bus)
    await printer.start()
"""

from __future__ import annotations

import asyncio
import logging

from models.bus import EventBus
from models.events import Event

log = logging.getLogger(__name__)
STOP_SECONDS = 5.0


class BackgroundTask:
    """A task run from ``start()`` (which returns once ``_run`` sets ``_ready``) to ``stop()``."""

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def _run(self) -> None:
        """The work; sets ``self._ready`` once it listens."""
        raise NotImplementedError

    async def start(self) -> None:
        """Run in the background, listening before this returns; a task that dies before it
        listens raises here instead of leaving the caller waiting for ever."""
        self._ready.clear()
        self._task = asyncio.create_task(self._run(), name=type(self).__name__)
        ready = asyncio.create_task(self._ready.wait())
        await asyncio.wait({ready, self._task}, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if not self._ready.is_set():
            task, self._task = self._task, None
            await task  # raises what stopped it
            raise RuntimeError(f"{type(self).__name__} stopped before it listened")

    async def stop(self) -> None:
        """Stop the background task."""
        if self._task is not None:
            self._task.cancel()
            # bounded: a client library that swallows the cancellation must not stall shutdown
            done, _ = await asyncio.wait({self._task}, timeout=STOP_SECONDS)
            if not done:
                log.warning(
                    "%s did not stop within %s s; left behind", type(self).__name__, STOP_SECONDS
                )
            self._task = None


class BackgroundConsumer(BackgroundTask):
    """Calls :meth:`handle` for every event from ``start()`` to ``stop()``; one failure never
    stops it."""

    def __init__(self, *, bus: EventBus) -> None:
        super().__init__()
        self._bus = bus

    async def handle(self, event: Event) -> None:
        """React to one event."""
        raise NotImplementedError

    async def _run(self) -> None:
        async with self._bus.subscribe() as events:
            self._ready.set()
            async for event in events:
                try:
                    await self.handle(event)
                except Exception:
                    log.exception("%s could not handle %s", type(self).__name__, event.type)
