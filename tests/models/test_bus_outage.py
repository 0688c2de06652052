"""A Redis outage mid-run: subscribers and consumer groups resume, nothing published is lost.

A private ``redis-server`` (append-only file, as a production Redis keeps its data) is stopped
for a few seconds and started again on the same port.
"""

from __future__ import annotations

import asyncio
import shutil

import pytest
from sqlalchemy import Engine
from tests_support import PrivateRedis

from models.bus import RedisBus
from models.events import CallIvrStep
from models.notifier import Notifier
from models.redis_connection import redis_client

pytestmark = pytest.mark.redis


async def _collect(iterator, count: int, seconds: float = 15.0) -> list:  # noqa: ANN001
    got = []
    async with asyncio.timeout(seconds):
        while len(got) < count:
            got.append(await anext(iterator))
    return got


async def test_subscribers_and_groups_resume_after_redis_restarts(
    private_redis: PrivateRedis, engine: Engine
) -> None:
    bus = RedisBus(url=private_redis.url)
    notifier = Notifier(engine=engine, bus=bus, publish_timeout=0.5)
    try:
        async with bus.subscribe() as events, bus.consume("registro", "w1") as group:
            await notifier.publish(CallIvrStep(call_id="CA1", step="antes"))
            assert [e.step for e in await _collect(events, 1)] == ["antes"]
            delivery = (await _collect(group, 1))[0]
            await delivery.ack()

            private_redis.stop()
            await notifier.publish(CallIvrStep(call_id="CA1", step="durante"))  # to the outbox
            await asyncio.sleep(2)
            private_redis.start()

            assert await notifier.relay_now() == 1
            await notifier.publish(CallIvrStep(call_id="CA1", step="después"))
            seen = await _collect(events, 2)
            assert [e.step for e in seen] == ["durante", "después"]
            shared = await _collect(group, 2)
            assert [d.event.step for d in shared] == ["durante", "después"]
    finally:
        await bus.close()


async def test_a_connection_kept_from_before_a_restart_is_replaced_not_failed(
    private_redis: PrivateRedis,
) -> None:
    client = redis_client(private_redis.url, longest_block_seconds=1)
    try:
        await asyncio.gather(*(client.ping() for _ in range(3)))  # three pooled connections
        private_redis.stop()
        private_redis.start()
        assert await asyncio.gather(*(client.ping() for _ in range(3))) == [True] * 3
    finally:
        await client.aclose()


async def test_a_consumer_group_is_created_again_when_redis_comes_back_empty(
    private_redis: PrivateRedis,
) -> None:
    bus = RedisBus(url=private_redis.url)
    steps: list[str] = []

    async def follow(group) -> None:  # noqa: ANN001  (a member at work, as the recorder is)
        async for delivery in group:
            steps.append(delivery.event.step)
            await delivery.ack()

    try:
        async with bus.consume("registro", "w1") as group:
            member = asyncio.create_task(follow(group))
            try:
                await bus.publish(CallIvrStep(call_id="CA1", step="antes"))
                async with asyncio.timeout(5):
                    while steps != ["antes"]:
                        await asyncio.sleep(0.05)
                private_redis.stop()
                shutil.rmtree(private_redis.folder / "appendonlydir")  # its data lost
                await asyncio.sleep(2)  # the member waits between attempts by now
                private_redis.start()
                await bus.publish(CallIvrStep(call_id="CA1", step="después"))  # before it is back
                async with asyncio.timeout(15):
                    while steps != ["antes", "después"]:
                        await asyncio.sleep(0.05)
            finally:
                member.cancel()
                await asyncio.gather(member, return_exceptions=True)
    finally:
        await bus.close()
