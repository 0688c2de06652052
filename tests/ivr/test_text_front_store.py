"""Conversations kept like calls' state, in the database and in Redis: one message at a time,
a retried message answered again, idle ones forgotten, a failure never leaving one stuck."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from ivr.flow.state import CallState, Step
from ivr.text.store import ConversationStore
from ivr.twilio.call_store import CallStore
from ivr.twilio.redis_store import RedisCallStore
from models.db import make_engine, upgrade

SENDER = "whatsapp:+5215511112222"


class Counter:
    """An ``answer`` that counts the messages of a conversation (slowly, to overlap them)."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    async def __call__(self, state: CallState | None) -> tuple[CallState, str]:
        count = 1 if state is None else state.failures + 1
        await asyncio.sleep(0.05)
        self.seen.append(count)
        state = CallState(call_id="SM1", transport="whatsapp").goto(Step.DESCRIBE)
        return state.with_(failures=count), f"mensaje {count}"


async def exercise(store: CallStore | RedisCallStore) -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    conversations = ConversationStore(store=store, idle=timedelta(minutes=30), clock=lambda: now)
    answer = Counter()
    assert await conversations.serve(SENDER, "SM-a", answer) == "mensaje 1"
    replies = await asyncio.gather(
        conversations.serve(SENDER, "SM-b", answer),
        conversations.serve(SENDER, "SM-b", answer),  # Twilio retrying the same message
        conversations.serve(SENDER, "SM-c", answer),
    )
    assert sorted(set(replies)) == ["mensaje 2", "mensaje 3"] and answer.seen == [1, 2, 3]
    assert replies[0] == replies[1]
    assert await conversations.serve(SENDER, "SM-b", answer) == replies[0]  # answered once

    async def broken(state: CallState | None) -> tuple[CallState, str]:
        raise RuntimeError("falla de prueba")

    with pytest.raises(RuntimeError):
        await conversations.serve(SENDER, "SM-d", broken)
    assert await conversations.current(SENDER) is None  # ended, not stuck
    assert await conversations.serve(SENDER, "SM-e", answer) == "mensaje 1"
    now += timedelta(minutes=30)
    assert (await conversations.current(SENDER)) is not None
    now += timedelta(seconds=1)
    assert await conversations.current(SENDER) is None
    assert await conversations.serve(SENDER, "SM-f", answer) == "mensaje 1"


async def test_conversations_in_the_database(engine: Engine) -> None:
    await exercise(CallStore(engine=engine))


@pytest.mark.postgres
async def test_conversations_in_postgresql(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    upgrade(engine)
    try:
        await exercise(CallStore(engine=engine))
    finally:
        engine.dispose()


@pytest.mark.redis
async def test_conversations_in_redis(redis_url: str) -> None:
    import redis.asyncio as redis

    client = redis.from_url(redis_url)
    await client.delete(f"suac:ivr:call:text:{SENDER}")
    await client.aclose()
    store = RedisCallStore(url=redis_url)
    try:
        await exercise(store)
    finally:
        await store.close()
