"""Allowances counted in the database every process shares: ``uses`` per key over a moving
window, atomic across processes on PostgreSQL and SQLite alike.

Each use takes one of the key's ``uses`` slots (a row of the ``lease`` table named after the
key and the slot) until ``seconds`` have passed since that use; while every slot is taken the
use is refused. Taking a slot is one statement keyed on the lease's primary key (an insert, or
the update of a slot that lapsed), so two processes never take the same slot: on PostgreSQL
the second writer waits for the first and then finds the slot taken, and SQLite writes one at
a time. This is the ``limits`` library's moving window for deployments without Redis (its
storages are memory, Redis, Memcached and MongoDB, none of them the service's database; its
memory is each process's own). Keys are stored as a keyed hash, never in the clear, and
lapsed slots are deleted now and then::

    allowance = SharedAllowance(engine=engine, namespace="consulta-folio", secret=b"…")
    if await allowance.take("+525512345678", uses=5, seconds=3600):
        ...
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from models.db import run_blocking
from models.db_types import utcnow
from models.outbox import Lease

LEASES = Lease.__table__  # type: ignore[attr-defined]
SWEEP_SECONDS = 600.0  # how often a process deletes its namespace's lapsed slots


class SharedAllowance:
    """Moving-window allowances per key, in the ``lease`` table."""

    def __init__(
        self,
        *,
        engine: Engine,
        namespace: str,
        secret: bytes,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine, self._namespace, self._clock = engine, namespace, clock
        self._secret = hashlib.sha256(secret).digest()
        self._upsert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._swept_at = 0.0

    def slot_names(self, key: str, uses: int) -> list[str]:
        """The lease names of ``key``'s slots (a keyed hash of the key: no number in clear).

        >>> from sqlalchemy import create_engine
        >>> allowance = SharedAllowance(engine=create_engine("sqlite://"), namespace="n",
        ...                             secret=b"s")
        >>> names = allowance.slot_names("+525512345678", 2)
        >>> [len(name) for name in names], names[0].endswith(":0"), "5512" in names[0]
        ([36, 36], True, False)
        """
        digest = hashlib.blake2b(key.encode(), digest_size=16, key=self._secret).hexdigest()
        return [f"{self._namespace}:{digest}:{slot}" for slot in range(uses)]

    async def take(self, key: str, *, uses: int, seconds: float) -> bool:
        """Count one use of ``key``; False (and nothing counted) when its ``uses`` in the last
        ``seconds`` are spent."""
        names = self.slot_names(key, uses)
        now = self._clock()
        sweep = time.monotonic() - self._swept_at >= SWEEP_SECONDS
        if sweep:
            self._swept_at = time.monotonic()

        def work() -> bool:
            with self._engine.begin() as connection:
                if sweep:
                    connection.execute(
                        delete(LEASES)
                        .where(col(Lease.name).startswith(f"{self._namespace}:", autoescape=True))
                        .where(col(Lease.expires_at) <= now)
                    )
                taken = set(
                    connection.scalars(
                        select(col(Lease.name))
                        .where(col(Lease.name).in_(names))
                        .where(col(Lease.expires_at) > now)
                    )
                )
                for name in (name for name in names if name not in taken):
                    if connection.execute(self._claim(name, now, seconds)).first() is not None:
                        return True
                return False

        return await run_blocking(self._engine, work)

    def _claim(self, name: str, now: datetime, seconds: float):  # noqa: ANN202  (dialect insert)
        """Insert slot ``name``, or take it over if it lapsed; returns a row when taken."""
        until = now + timedelta(seconds=seconds)
        statement = self._upsert(LEASES).values(name=name, holder=self._namespace, expires_at=until)
        return statement.on_conflict_do_update(
            index_elements=[LEASES.c.name],
            set_={"holder": self._namespace, "expires_at": until},
            where=LEASES.c.expires_at <= now,
        ).returning(LEASES.c.name)
