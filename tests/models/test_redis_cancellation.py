"""A task cancelled during a Redis command stops, even where Python 3.11 would lose the cancel.

redis-py sends under ``asyncio.wait_for``, which on 3.11 drops a cancellation that arrives as
the send completes; a consumer cancelled while acknowledging then read on for ever, and the
worker's shutdown hung (found as a CI run that never ended).
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from models.redis_connection import redis_client

pytestmark = pytest.mark.redis

ATTEMPTS = 40
COMMANDS = 2_000


async def _stops(task: asyncio.Task[None]) -> bool:
    """Whether one cancel ends ``task`` cancelled (it is cancelled again until it ends)."""
    task.cancel()
    for _ in range(100):
        await asyncio.wait({task}, timeout=3)
        if task.done():
            return task.cancelled()
        task.cancel()
    raise AssertionError("the task never stopped")


async def test_a_loop_of_quick_commands_stops_when_cancelled(redis_url: str) -> None:
    client = redis_client(redis_url, longest_block_seconds=1)
    stream = f"prueba:{uuid.uuid4().hex}"

    async def acknowledging() -> None:  # bounded: a lost cancel ends it, not cancelled
        for _ in range(COMMANDS):
            await client.xack(stream, "grupo", "0-1")

    try:
        stopped = []
        for attempt in range(ATTEMPTS):
            task = asyncio.create_task(acknowledging())
            await asyncio.sleep(0.0005 * (attempt % 3))
            stopped.append(await _stops(task))
        assert all(stopped), f"{stopped.count(False)} of {ATTEMPTS} kept running"
    finally:
        await client.delete(stream)
        await client.aclose()
