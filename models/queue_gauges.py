"""The queues' live state for Prometheus, from the ``QueueSnapshot`` events on the bus.

Each web process keeps the latest snapshot of every queue on each front and reads it at the
scrape, so any worker answers the same (every one follows the whole bus):

- ``suac_queue_waiting_calls{queue,transport}``: callers waiting now;
- ``suac_queue_longest_wait_seconds{queue,transport}``: the longest current wait, counted up
  to the scrape from when that caller joined;
- ``suac_queue_agents{queue,transport,state}``: members by state (every state, zeros too);
- ``suac_queue_snapshot_age_seconds{queue,transport}``: how old the snapshot is (a stale
  one means the telephony side stopped reporting)::

    gauges = QueueGauges(bus=bus)
    await gauges.start()
    list(gauges.collect())
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import get_args

from prometheus_client.core import GaugeMetricFamily, Metric

from models.bus import EventBus
from models.consumer import BackgroundConsumer
from models.db_types import utcnow
from models.events import AgentState, Event, QueueSnapshot

STATES: tuple[str, ...] = get_args(AgentState)


class QueueGauges(BackgroundConsumer):
    """The latest ``QueueSnapshot`` per (queue, transport), as gauges at each scrape."""

    def __init__(self, *, bus: EventBus, clock: Callable[[], datetime] = utcnow) -> None:
        super().__init__(bus=bus)
        self._clock = clock
        self.snapshots: dict[tuple[str, str], QueueSnapshot] = {}

    async def handle(self, event: Event) -> None:
        if isinstance(event, QueueSnapshot):
            self.snapshots[event.queue, event.transport] = event

    def collect(self) -> Iterable[Metric]:
        now = self._clock()
        labels = ["queue", "transport"]
        waiting = GaugeMetricFamily(
            "suac_queue_waiting_calls", "Callers waiting in the queue now.", labels=labels
        )
        longest = GaugeMetricFamily(
            "suac_queue_longest_wait_seconds",
            "The longest current wait in the queue.",
            labels=labels,
        )
        agents = GaugeMetricFamily(
            "suac_queue_agents", "Queue members by state.", labels=[*labels, "state"]
        )
        age = GaugeMetricFamily(
            "suac_queue_snapshot_age_seconds", "Age of the queue's latest snapshot.", labels=labels
        )
        for (queue, transport), snapshot in sorted(self.snapshots.items()):
            key = [queue, transport]
            waiting.add_metric(key, snapshot.waiting)
            longest.add_metric(key, _longest_wait(snapshot, now))
            by_state = dict.fromkeys(STATES, 0)
            for member in snapshot.members:
                by_state[member.state] += 1
            for state, count in by_state.items():
                agents.add_metric([*key, state], count)
            age.add_metric(key, max((now - snapshot.occurred_at).total_seconds(), 0.0))
        yield from (waiting, longest, agents, age)


def _longest_wait(snapshot: QueueSnapshot, now: datetime) -> float:
    """From the earliest caller's arrival when the snapshot lists them, else its own figure
    plus the snapshot's age."""
    if snapshot.callers:
        first = min(caller.since for caller in snapshot.callers)
        return max((now - first).total_seconds(), 0.0)
    if not snapshot.waiting:
        return 0.0
    age = max((now - snapshot.occurred_at).total_seconds(), 0.0)
    return snapshot.longest_wait_seconds + age
