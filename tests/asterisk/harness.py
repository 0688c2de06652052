"""A bridge on one scripted or replayed server, collecting every event it publishes.

With an engine, what was published is applied to call records as the recorder does
(``write_events``), at each :meth:`Harness.settle`, so tests read the records deterministically.
"""

from __future__ import annotations

import asyncio

from pydantic import SecretStr
from sqlalchemy import Engine

from ivr.asterisk.bridge import AmiBridge, Backoff
from models.bus import InProcessBus
from models.call_records import write_events
from models.config import AsteriskServer


class Harness:
    """A bridge on one server, with every event it publishes collected in order."""

    def __init__(
        self, *, port: int, secret: str, engine: Engine | None = None, timeout: float = 2.0
    ) -> None:
        self.bus = InProcessBus()
        server = AsteriskServer(
            name="locatel", port=port, username="locatel", secret=SecretStr(secret)
        )
        self.engine, self._written = engine, 0
        self.bridge = AmiBridge(
            servers=[server],
            notifier=self.bus,
            timeout=timeout,
            keepalive=30,
            backoff=Backoff(first=0.05, ceiling=0.2),
        )
        self.link = self.bridge.links["locatel"]
        self.events: list = []

    async def __aenter__(self) -> Harness:
        self._subscription = self.bus.subscribe()
        stream = await self._subscription.__aenter__()

        async def collect() -> None:
            async for event in stream:
                self.events.append(event)

        self._collector = asyncio.create_task(collect())
        await self.bridge.start()
        return self

    async def settle(self) -> None:
        """Let the bridge publish (and write) everything it has received."""
        await asyncio.sleep(0.05)
        await self.bridge.drain()
        await asyncio.sleep(0)
        if self.engine is not None:
            write_events(self.engine, self.events[self._written :])
            self._written = len(self.events)

    async def first_connection_closed(self) -> None:
        """Wait until the first AMI connection has been closed by the peer."""
        while self.link.connection is None:
            await asyncio.sleep(0.005)
        await self.link.connection.wait_closed()

    def of_call(self, call_id: str) -> list:
        return [e for e in self.events if getattr(e, "call_id", None) == call_id]

    def types(self, prefix: str = "call.") -> list[str]:
        return [e.type for e in self.events if e.type.startswith(prefix)]

    async def __aexit__(self, *exc: object) -> None:
        await self.bridge.stop()
        self._collector.cancel()
        await self._subscription.__aexit__(None, None, None)
