"""The per-number look-up allowance: a moving hour per number, in memory or shared by every
process through Redis (withheld numbers: ``test_lookup_limits.py``)."""

from __future__ import annotations

import doctest
import uuid

import pytest
from limits import parse
from sqlalchemy import Engine
from tests_support import PrivateRedis

import ivr.flow.limits
from ivr.flow.limits import (
    LimitsAllowances,
    QueryLimiter,
    lookup_limiter,
    moving_window,
    storage_uri,
)
from models.config import Settings


async def _spend(limiter: QueryLimiter, number: str, other: str) -> None:
    assert await limiter.allow(number, call_id="CA1")
    assert await limiter.allow(number, call_id="CA1")
    assert not await limiter.allow(number, call_id="CA1")
    assert await limiter.allow(other, call_id="CA1")


async def test_allowance_per_number_in_memory() -> None:
    limiter = QueryLimiter(per_hour=2)
    await _spend(limiter, "+525511111111", "+525522222222")
    assert await QueryLimiter(per_hour=2).allow("+525511111111", call_id="CA1"), (
        "each memory is its own"
    )


@pytest.mark.redis
async def test_allowance_is_shared_through_redis(redis_url: str) -> None:
    run = uuid.uuid4().hex  # Redis keeps an hour of counts: numbers of this run only
    number, other = f"+52{run}1", f"+52{run}2"
    await _spend(
        QueryLimiter(per_hour=2, allowances=LimitsAllowances(storage_uri(redis_url))), number, other
    )
    other_process = QueryLimiter(per_hour=2, allowances=LimitsAllowances(storage_uri(redis_url)))
    assert not await other_process.allow(number, call_id="CA1")
    assert await other_process.allow(f"+52{run}3", call_id="CA1")


@pytest.mark.redis
async def test_with_redis_away_the_allowance_is_counted_in_the_database(
    settings: Settings, engine: Engine, private_redis: PrivateRedis
) -> None:
    ivr = settings.ivr.model_copy(update={"status_queries_per_hour": 2})
    limiter = lookup_limiter(
        settings.model_copy(update={"redis_url": private_redis.url, "ivr": ivr}), engine=engine
    )
    private_redis.stop()
    await _spend(limiter, "+525511111111", "+525522222222")


@pytest.mark.redis
async def test_with_redis_away_a_limit_is_counted_in_memory(private_redis: PrivateRedis) -> None:
    limiter, item = moving_window(storage_uri(private_redis.url)), parse("2/hour")
    assert await limiter.hit(item, "sign-in", "ana")
    private_redis.stop()
    assert await limiter.hit(item, "sign-in", "ana") and await limiter.hit(item, "sign-in", "ana")
    assert not await limiter.hit(item, "sign-in", "ana")
    assert (await limiter.get_window_stats(item, "sign-in", "ana")).remaining == 0


def test_examples_in_docstrings() -> None:
    assert doctest.testmod(ivr.flow.limits).failed == 0


async def test_one_number_however_written() -> None:
    limiter = QueryLimiter(per_hour=2)
    assert await limiter.allow("55 1234 5678", call_id="CA1") and await limiter.allow(
        "+525512345678", call_id="CA1"
    )
    assert not await limiter.allow("+52 1 55 1234 5678", call_id="CA1")
