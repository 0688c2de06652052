"""The web process's live figures: a :class:`LiveMetrics` restored from storage when the
process starts (today and the last ``history_hours``), then fed with every event of the bus.

Pages wait for a change with :meth:`LiveFeed.changed` (no polling of the database)::

    feed = LiveFeed(bus=bus, engine=engine, rules=rules, history_hours=4)
    await feed.start()                     # listening, and the day so far restored
    version = await feed.changed(after=0, timeout=15.0)
    feed.live.report(utcnow()).overall().offered, feed.queues.get("PJSIP/1001")
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import Engine

from models.bus import EventBus
from models.cancellation import wait_at_most
from models.consumer import BackgroundTask
from models.db_types import utcnow
from models.events import AgentStateChanged, BaseEvent
from models.metrics.definitions import Interval, MetricsRules
from models.metrics.live import LiveMetrics
from models.metrics.restore import stored_since

log = logging.getLogger(__name__)


class LiveFeed(BackgroundTask):
    """Today's figures and the agents' states, kept current from the bus."""

    def __init__(
        self, *, bus: EventBus, engine: Engine, rules: MetricsRules, history_hours: float
    ) -> None:
        super().__init__()
        self._bus, self._engine = bus, engine
        self.rules, self.history = rules, timedelta(hours=history_hours)
        self.live = LiveMetrics(rules)
        self.queues: dict[str, str] = {}  # agent → the queue that last reported it
        self.version = 0  # moves on every change of a figure or a state
        self._changed = asyncio.Event()

    def since(self, now: datetime) -> datetime:
        """The earliest moment the figures must cover: the local day's start, or the
        history's (15-minute boundary) when that is earlier."""
        quarter = self.rules.quarter_of(now)
        return min(Interval.DAY.start_of(quarter), quarter - self.history)

    async def changed(self, *, after: int, timeout: float) -> int:
        """The version once it moved past ``after``, or as it is after ``timeout`` seconds."""
        if self.version == after:
            await wait_at_most(self._changed.wait(), timeout)
        return self.version

    def apply(self, event: BaseEvent) -> bool:
        """Apply one event (the bus's, or a restored agent change); True when it changed
        something shown."""
        if isinstance(event, AgentStateChanged) and event.queue:
            self.queues[event.agent] = event.queue
        if not self.live.apply(event):
            return False
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()
        return True

    async def _run(self) -> None:
        async with self._bus.subscribe() as events:
            await self._restore()
            self._ready.set()
            async for event in events:
                try:
                    self.apply(event)
                except Exception:
                    log.exception("the live figures could not take %s", event.type)

    async def _restore(self) -> None:
        """What the call recorder stored since :meth:`since`, before any bus event (those
        it holds already change nothing when they come)."""
        records, agents = await asyncio.to_thread(stored_since, self._engine, self.since(utcnow()))
        for record in records:
            self.live.restore(record)
        for change in agents:
            self.apply(change)
        self.version += 1
        log.info("live figures restored: %d calls, %d agent changes", len(records), len(agents))
