"""Periodic tasks that run once per deployment: whoever holds the task's lease runs it.

Every worker process runs the same :class:`PeriodicTask` loop; before each run it tries to
take (or extend) the lease named after the task. Only the holder runs; if it dies, the lease
lapses after ``ttl`` and another worker takes over::

    sweep = PeriodicTask(name="confirmation-sweep", interval=300, run=service.close_unconfirmed,
                         leases=Leases(engine=engine), holder="host:123:worker")
    await sweep.start()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import Engine, insert, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import col

from models.db import run_blocking
from models.db_types import utcnow
from models.errors import DatabaseBusy
from models.outbox import Lease

log = logging.getLogger(__name__)
# a server away for a while (the task simply runs again next turn)
UNAVAILABLE = (OSError, RedisConnectionError, RedisTimeoutError, OperationalError, DatabaseBusy)
LEASES = Lease.__table__  # type: ignore[attr-defined]


class Leases:
    """Named leases with an expiry, in the database every worker shares."""

    def __init__(self, *, engine: Engine, clock: Callable[[], datetime] = utcnow) -> None:
        self._engine, self._clock = engine, clock

    async def acquire(self, name: str, *, holder: str, ttl: timedelta) -> bool:
        """Take or extend ``name`` for ``ttl``; False while someone else holds it."""
        now = self._clock()

        def work() -> bool:
            with self._engine.begin() as connection:
                taken = connection.execute(
                    update(LEASES)
                    .where(col(Lease.name) == name)
                    .where((col(Lease.holder) == holder) | (col(Lease.expires_at) <= now))
                    .values(holder=holder, expires_at=now + ttl)
                )
                if taken.rowcount:
                    return True
            try:
                with self._engine.begin() as connection:
                    connection.execute(
                        insert(LEASES).values(name=name, holder=holder, expires_at=now + ttl)
                    )
                return True
            except IntegrityError:  # held by someone else, and not lapsed
                return False

        return await run_blocking(self._engine, work)

    async def release(self, name: str, *, holder: str) -> None:
        """Give ``name`` up now, if we hold it."""

        def work() -> None:
            with self._engine.begin() as connection:
                connection.execute(
                    update(LEASES)
                    .where(col(Lease.name) == name, col(Lease.holder) == holder)
                    .values(expires_at=self._clock())
                )

        await run_blocking(self._engine, work)


class PeriodicTask:
    """Runs ``run`` every ``interval`` seconds while this process holds the task's lease."""

    def __init__(
        self,
        *,
        name: str,
        interval: float,
        run: Callable[[], Awaitable[object]],
        leases: Leases,
        holder: str,
    ) -> None:
        self.name, self._interval, self._run = name, interval, run
        self._leases, self._holder = leases, holder
        self._ttl = timedelta(seconds=max(3 * interval, 10.0))
        self._task: asyncio.Task[None] | None = None

    async def tick(self) -> bool:
        """One turn: run when we hold the lease; True when it ran."""
        try:
            if not await self._leases.acquire(self.name, holder=self._holder, ttl=self._ttl):
                return False
            await self._run()
        except UNAVAILABLE as error:  # an outage is one line, not a traceback per turn
            log.warning("periodic task %s could not run (%s); it will run again", self.name, error)
        except Exception:
            log.exception("periodic task %s failed; it will run again", self.name)
        return True

    async def _loop(self) -> None:
        while True:
            await self.tick()
            await asyncio.sleep(self._interval)

    async def start(self) -> None:
        """Start the loop."""
        self._task = asyncio.create_task(self._loop(), name=f"periodic:{self.name}")

    async def stop(self) -> None:
        """Stop the loop and hand the lease over at once."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(Exception):
            await self._leases.release(self.name, holder=self._holder)
