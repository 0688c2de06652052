"""What a web process knows of the calls of the last hours, straight from the bus.

The call recorder writes call records in the worker role and may lag behind the events; a
screen pop must not wait for it. This consumer folds the same call events with the same rules
(:func:`models.call_facts.apply_event`) into records kept in memory only, the most recent
``capacity`` calls::

    calls = RecentCalls(bus=bus)
    await calls.start()
    record = calls.get("CA…")            # None when this process never saw the call
    record = await calls.wait_for("CA…", lambda r: r.agent is not None, timeout=1.0)
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable

from models.bus import EventBus
from models.call_facts import apply_event, call_id_of
from models.calls import CallRecord
from models.cancellation import wait_at_most
from models.consumer import BackgroundConsumer
from models.events import Event

CAPACITY = 20_000  # a busy day's calls at Locatel fit; older ones are read from the records


class RecentCalls(BackgroundConsumer):
    """The recent calls' records as this process saw them (never written to the database)."""

    def __init__(self, *, bus: EventBus, capacity: int = CAPACITY) -> None:
        super().__init__(bus=bus)
        self._records: OrderedDict[str, CallRecord] = OrderedDict()
        self._by_agent: dict[str, str] = {}  # agent → the last call put through to them
        self._capacity = capacity
        self._changed = asyncio.Event()

    def get(self, call_id: str) -> CallRecord | None:
        """The call's record as far as this process saw it."""
        return self._records.get(call_id)

    def current_call(self, agent: str) -> CallRecord | None:
        """The call ``agent`` is talking on now (connected, neither ended nor transferred)."""
        record = self._records.get(self._by_agent.get(agent, ""))
        if record is None or record.agent != agent or record.answered_at is None:
            return None
        if record.ended_at is not None or record.transferred_at is not None:
            return None
        return record

    async def handle(self, event: Event) -> None:
        """Fold a call event into its call's record."""
        self.apply(event)

    def apply(self, event: Event) -> None:
        """Fold ``event`` now (also used for the events this process publishes itself)."""
        call_id = call_id_of(event)
        if not call_id:
            return
        record = self._records.get(call_id)
        if record is None:
            record = CallRecord(call_id=call_id, transport="", started_at=event.occurred_at)
            self._records[call_id] = record
            while len(self._records) > self._capacity:
                self._records.popitem(last=False)
        apply_event(record, event)
        if record.agent:
            self._by_agent[record.agent] = call_id
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(
        self, call_id: str, ready: Callable[[CallRecord], bool], *, timeout: float
    ) -> CallRecord | None:
        """The call's record once ``ready`` holds, or as it stands after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            record = self._records.get(call_id)
            left = deadline - loop.time()
            if (record is not None and ready(record)) or left <= 0:
                return record
            if not await wait_at_most(self._changed.wait(), left):
                return self._records.get(call_id)
