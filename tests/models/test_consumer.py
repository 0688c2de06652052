"""Background tasks: start returns once they listen, and raises when they die before that."""

from __future__ import annotations

import asyncio

import pytest

from models.bus import InProcessBus
from models.consumer import BackgroundConsumer, BackgroundTask
from models.events import CallIvrStep, Event


class Broken(BackgroundTask):
    async def _run(self) -> None:
        raise ConnectionError("Redis respondió con un error")


async def test_a_task_that_dies_before_listening_raises_at_start() -> None:
    with pytest.raises(ConnectionError, match="Redis respondió"):
        await Broken().start()


async def test_a_consumer_listens_once_started() -> None:
    bus = InProcessBus()
    seen: list[Event] = []

    class Collector(BackgroundConsumer):
        async def handle(self, event: Event) -> None:
            seen.append(event)

    collector = Collector(bus=bus)
    await collector.start()
    await bus.publish(CallIvrStep(call_id="CA1", step="menu"))
    for _ in range(100):
        if seen:
            break
        await asyncio.sleep(0.01)
    await collector.stop()
    assert [e.step for e in seen] == ["menu"]
