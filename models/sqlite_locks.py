"""SQLite's locks, taken without a blocking wait on the event loop.

Embedded-database work runs inline on the event loop (``run_inline``): a transaction there
costs tens of microseconds, less than a hop to a worker thread. Each transaction takes its
lock when it begins, never later: a write opens with ``BEGIN IMMEDIATE`` after the process's
own writer gate, a read with ``BEGIN`` and one read of the schema cookie (in WAL mode a reader
never waits for a writer, but may for a moment while another process closes or recovers the
file). The inline attempt never waits (busy timeout 0, the gate tried without blocking); when
the lock is taken, only the wait goes to a worker thread, bounded by the engine's busy
timeout, while the rest of the work stays where it is. The work is a greenlet, so it is
suspended in the middle of its ``begin`` and resumed on the loop with the lock held: nothing
already done is run again. A wait that runs out raises ``DatabaseBusy``.

Why a greenlet rather than re-running the work in a thread: the work may have committed a
transaction before the one that waits, and running it again would repeat it. SQLAlchemy's
asyncio layer bridges sync code the same way; its helpers are internal, so this module holds
the few lines it needs.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from anyio import CancelScope, to_thread
from greenlet import getcurrent, greenlet
from sqlalchemy import Connection, Engine, event

from models.errors import DatabaseBusy

T = TypeVar("T")
READONLY = "suac_readonly"  # execution option: the transaction writes nothing
HOLDS_WRITE_LOCK = "suac_holds_write_lock"
WRITE_BEGIN = ("BEGIN IMMEDIATE",)
READ_BEGIN = ("BEGIN", "PRAGMA schema_version")  # the read takes the snapshot now


class _Inline(greenlet):  # type: ignore[misc]  # greenlet ships no usable stubs for subclassing
    """Database work running on the event loop's thread; it may hand a wait to a thread."""


async def run_inline(work: Callable[[], T]) -> T:
    """Run ``work`` here, on the loop; a lock wait inside it runs in a worker thread.

    >>> import asyncio
    >>> asyncio.run(run_inline(lambda: 6 * 7))
    42
    """
    child = _Inline(work)
    child.gr_context = getcurrent().gr_context  # the caller's context variables
    request = child.switch()
    while not child.dead:
        try:
            answer = await _in_thread(request)
        except BaseException as error:  # noqa: BLE001  (handed back to the work, which raises)
            request = child.throw(error)
        else:
            request = child.switch(answer)
    return request


async def _in_thread(wait: Callable[[], T]) -> T:
    """``wait`` in a worker thread; cancelled, it still lets the thread finish first, since the
    work must undo what the thread did (a transaction begun, the gate taken) before it ends."""
    job = asyncio.ensure_future(to_thread.run_sync(wait))
    try:
        return await asyncio.shield(job)
    except asyncio.CancelledError:
        with CancelScope(shield=True):
            await asyncio.wait([job])
        raise


def off_the_loop(wait: Callable[[], T]) -> T:
    """Run ``wait`` in a worker thread when called from inline work, here otherwise."""
    current = getcurrent()
    if isinstance(current, _Inline):
        return current.parent.switch(wait)  # type: ignore[no-any-return]
    return wait()


class WriterGate:
    """One writer at a time in this process, released by whichever thread commits.

    SQLite's own busy handler backs off by sleeping (1 ms, 2 ms, 5 ms … up to 100 ms), which
    under load costs far more than the write itself, so the writers of one process queue here
    first. Once anyone waits, newcomers queue too instead of slipping in inline.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = threading.Lock()
        self._waiting = 0

    def try_acquire(self) -> bool:
        """Take the gate if it is free and nobody waits for it."""
        return self._waiting == 0 and self._lock.acquire(blocking=False)

    def acquire(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for the gate."""
        with self._count:
            self._waiting += 1
        try:
            return self._lock.acquire(timeout=max(seconds, 0.0))
        finally:
            with self._count:
                self._waiting -= 1

    def release(self) -> None:
        self._lock.release()


def _busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_BUSY, 6)  # 6: LOCKED


class SqliteLocks:
    """Installs the begin, commit and rollback hooks of one SQLite engine."""

    def __init__(self, engine: Engine, *, busy_timeout_seconds: float) -> None:
        self._gate = WriterGate()
        self._timeout = busy_timeout_seconds
        event.listen(engine, "connect", self._on_connect)
        event.listen(engine, "begin", self._on_begin)
        event.listen(engine, "commit", self._release)
        event.listen(engine, "rollback", self._release)

    @staticmethod
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:  # noqa: ANN401
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            dbapi_connection.execute(f"PRAGMA {pragma}")
        dbapi_connection.execute("PRAGMA busy_timeout=0")  # waits happen in _wait only

    def _on_begin(self, connection: Connection) -> None:
        raw: sqlite3.Connection = connection.connection.driver_connection  # type: ignore[assignment]
        if connection.get_execution_options().get(READONLY):
            if not _attempt(raw, READ_BEGIN):
                self._wait(connection, raw, READ_BEGIN)
            return
        if self._gate.try_acquire():
            connection.info[HOLDS_WRITE_LOCK] = True
            if _attempt(raw, WRITE_BEGIN):
                return
            self._release(connection)
        self._wait(connection, raw, WRITE_BEGIN)

    def _wait(
        self, connection: Connection, raw: sqlite3.Connection, begin: tuple[str, ...]
    ) -> None:
        deadline = time.monotonic() + self._timeout
        try:
            off_the_loop(partial(self._wait_in_thread, connection, raw, begin, deadline))
        except BaseException:
            if raw.in_transaction:  # the wait succeeded, but its caller was cancelled meanwhile
                raw.execute("ROLLBACK")
            self._release(connection)
            raise

    def _wait_in_thread(
        self,
        connection: Connection,
        raw: sqlite3.Connection,
        begin: tuple[str, ...],
        deadline: float,
    ) -> None:
        if begin is WRITE_BEGIN:
            if not self._gate.acquire(deadline - time.monotonic()):
                raise DatabaseBusy.after(self._timeout)
            connection.info[HOLDS_WRITE_LOCK] = True
        milliseconds = max(int((deadline - time.monotonic()) * 1000), 0)
        raw.execute(f"PRAGMA busy_timeout={milliseconds}")
        try:
            for statement in begin:
                raw.execute(statement)
        except sqlite3.OperationalError as error:
            if not _busy(error):
                raise
            raise DatabaseBusy.after(self._timeout) from error
        finally:
            raw.execute("PRAGMA busy_timeout=0")

    def _release(self, connection: Connection) -> None:
        if connection.info.pop(HOLDS_WRITE_LOCK, False):
            self._gate.release()


def _attempt(raw: sqlite3.Connection, begin: tuple[str, ...]) -> bool:
    """Begin without waiting: False (and nothing begun) when the lock is taken."""
    try:
        for statement in begin:
            raw.execute(statement)
    except sqlite3.OperationalError as error:
        if not _busy(error):
            raise
        if raw.in_transaction:
            raw.execute("ROLLBACK")
        return False
    return True
