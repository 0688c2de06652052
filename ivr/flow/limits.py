"""Per-caller limits on folio status look-ups, so folios cannot be enumerated.

Folios are a year, a sequence and a check digit: easy to guess. Every status look-up, by voice
or by message, is counted per caller (SMS sender, WhatsApp address or calling number, in E.164
so that "55 1234 5678" and "+525512345678" are one number) over a moving hour; past
``per_hour`` the caller is refused (by message) or handed to an agent (by phone). A withheld
number identifies nobody, so it is counted per call (the CallSid) with the tighter
``per_withheld_call``: one withheld caller cannot use up the others' allowance.

The count is shared by every process, atomically: in Redis (the ``limits`` library's moving
window) when ``SUAC_REDIS_URL`` is set (in the database while Redis cannot be reached), else in
the database (:mod:`models.allowances`)::

    limiter = lookup_limiter(settings, engine=engine)
    if await limiter.allow("+525512345678", call_id="CA…"):
        ...
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable
from typing import Protocol

from limits import RateLimitItem, RateLimitItemPerSecond, WindowStats
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from sqlalchemy import Engine

from ivr.phones import WHATSAPP, to_e164
from models.allowances import SharedAllowance
from models.config import Settings

log = logging.getLogger(__name__)
NAMESPACE = "suac-folio-lookups"
HOUR = 3600
MAX_KEY = 80


def storage_uri(redis_url: str) -> str:
    """The ``limits`` async storage: Redis when one is configured, else this process's memory.

    >>> storage_uri(""), storage_uri("redis://cache:6379/0")
    ('async+memory://', 'async+redis://cache:6379/0')
    """
    return f"async+{redis_url}" if redis_url else "async+memory://"


def moving_window(storage: str) -> MovingWindowRateLimiter:
    """A moving-window limiter on ``storage`` (a :func:`storage_uri`), Redis through redis-py
    (counting in this process's memory while Redis cannot be reached)."""
    if "redis" not in storage:
        return MovingWindowRateLimiter(storage_from_string(storage))
    return _MemoryWhileRedisIsAway(storage)


class _MemoryWhileRedisIsAway(MovingWindowRateLimiter):
    """A moving window in Redis that counts in this process's memory while Redis cannot be
    reached: an outage of Redis must not fail every sign-in and public look-up, and each
    process still holds its callers to the allowance (per process, until Redis is back)."""

    def __init__(self, storage: str) -> None:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        super().__init__(storage_from_string(storage, implementation="redispy"))
        self._memory = MovingWindowRateLimiter(storage_from_string(storage_uri("")))
        self._down = (RedisConnectionError, RedisTimeoutError, OSError)

    async def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        try:
            return await super().hit(item, *identifiers, cost=cost)
        except self._down as error:
            log.warning("Redis unavailable for a limit (%s): counted in memory", error)
            return await self._memory.hit(item, *identifiers, cost=cost)

    async def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        try:
            return await super().get_window_stats(item, *identifiers)
        except self._down:
            return await self._memory.get_window_stats(item, *identifiers)


async def refused_for(
    limiter: MovingWindowRateLimiter, items: Iterable[RateLimitItem], *identifiers: str
) -> int:
    """Count one hit against every allowance in ``items``; the whole seconds until all of them
    allow one again when any refused it (0: none refused)."""
    refused = [item for item in items if not await limiter.hit(item, *identifiers)]
    if not refused:
        return 0
    resets = [(await limiter.get_window_stats(i, *identifiers)).reset_time for i in refused]
    return max(1, math.ceil(max(resets) - time.time()))


class Allowances(Protocol):
    """Counts uses per key over a moving window, atomically for every process that shares it."""

    async def take(self, key: str, *, uses: int, seconds: float) -> bool:
        """Count one use; False when ``uses`` were spent in the last ``seconds``."""
        ...


class LimitsAllowances:
    """:class:`Allowances` in a ``limits`` storage (Redis, or one process's memory)."""

    def __init__(self, storage: str) -> None:
        self._limiter = moving_window(storage)

    async def take(self, key: str, *, uses: int, seconds: float) -> bool:
        """Count one use; False when ``uses`` were spent in the last ``seconds``."""
        item = RateLimitItemPerSecond(uses, math.ceil(seconds), namespace=NAMESPACE)
        return await self._limiter.hit(item, key)


class QueryLimiter:
    """Counts status look-ups per number over a moving hour, per call for withheld numbers."""

    def __init__(
        self,
        *,
        per_hour: int,
        per_withheld_call: int = 2,
        allowances: Allowances | None = None,
    ) -> None:
        self._per_hour, self._per_call = per_hour, per_withheld_call
        self._allowances = allowances or LimitsAllowances(storage_uri(""))

    async def allow(self, caller: str | None, *, call_id: str) -> bool:
        """Count this look-up; False when the caller's number (or, withheld, this call) used
        up its allowance. ``caller`` is None or empty when the number is withheld."""
        number = to_e164((caller or "").removeprefix(WHATSAPP))
        if number:
            return await self._allowances.take(number[:MAX_KEY], uses=self._per_hour, seconds=HOUR)
        key = f"llamada:{call_id}"[:MAX_KEY]
        return await self._allowances.take(key, uses=self._per_call, seconds=HOUR)


class FallbackAllowances:
    """Redis's allowances, and the database's while Redis cannot be reached: an outage of
    Redis neither lifts the limit nor sends every caller who asks for a status to an agent."""

    def __init__(self, *, redis: Allowances, database: Allowances) -> None:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        self._redis, self._database = redis, database
        self._down = (RedisConnectionError, RedisTimeoutError, OSError)

    async def take(self, key: str, *, uses: int, seconds: float) -> bool:
        """Count one use in Redis, or in the database when Redis fails."""
        try:
            return await self._redis.take(key, uses=uses, seconds=seconds)
        except self._down as error:
            log.warning(
                "Redis unavailable for the look-up limit (%s): counted in the database", error
            )
            return await self._database.take(key, uses=uses, seconds=seconds)


def lookup_limiter(settings: Settings, *, engine: Engine) -> QueryLimiter:
    """The look-up limiter every process shares: Redis when configured (the database while
    Redis is away), else the database."""
    allowances: Allowances = SharedAllowance(
        engine=engine,
        namespace=NAMESPACE,
        secret=settings.secret_key.get_secret_value().encode(),
    )
    if settings.redis_url:
        redis = LimitsAllowances(storage_uri(settings.redis_url))
        allowances = FallbackAllowances(redis=redis, database=allowances)
    return QueryLimiter(
        per_hour=settings.ivr.status_queries_per_hour,
        per_withheld_call=settings.ivr.status_queries_per_withheld_call,
        allowances=allowances,
    )
