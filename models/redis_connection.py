"""The Redis client the bus and the command path share, and cancellation that stays cancelled.

On Python 3.11 two things inside a Redis command can eat a task's cancellation, so a loop
that reads Redis until it is cancelled would run on for ever and its owner's shutdown hang:

- redis-py sends each command under ``asyncio.wait_for`` (when ``socket_timeout`` is set),
  which on 3.11 returns the result and drops the cancellation when both arrive together;
- ``asyncio.timeout``, around each read, turns a cancellation into ``TimeoutError`` when its
  own deadline falls due at the same moment.

The client re-raises the first after the command; handlers that catch the second call
:func:`models.cancellation.raise_if_cancelled`.
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError


class _CancellableRedis(redis.Redis):
    """redis-py's client, but a cancellation that arrived during a command is never lost."""

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        task = asyncio.current_task()
        requested = task.cancelling() if task is not None else 0
        reply = await super().execute_command(*args, **options)
        if task is not None and task.cancelling() > requested:
            raise asyncio.CancelledError  # requested during the command, swallowed in it
        return reply


def redis_client(url: str, *, longest_block_seconds: float) -> Any:
    """A redis-py asyncio client for blocking reads inside our own retry loops.

    It never retries a time-out: redis-py's default retry re-sends a blocking read on a
    connection whose previous read was interrupted (by a cancellation that Python 3.11's
    ``asyncio.timeout`` reported as a time-out), and that read then waits for ever, with the
    cancellation lost. A broken connection is retried once, at once, on a fresh one: after a
    Redis restart each connection the pool kept from before fails its next command (its
    closing goes unnoticed until it is used), which would otherwise drop a command already
    taken from its inbox or fail an owner's heartbeat. Reads time out a little past the
    longest ``BLOCK``/``BLPOP`` we issue.
    """
    return _CancellableRedis.from_url(
        url,
        socket_connect_timeout=2.0,
        socket_timeout=longest_block_seconds + 5.0,
        retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        health_check_interval=10,
    )
