"""SQLite's locks, taken without a blocking wait on the event loop.

Each transaction takes its lock when it begins, never later: a write opens with
``BEGIN IMMEDIATE`` after the process's writer gate (``models.writer_gate``), a read with
``BEGIN`` and one read of the schema cookie (in WAL mode a reader never waits for a writer,
but may for a moment while another process closes or recovers the file). Work running inline
on the event loop (``models.inline_work``) first tries without waiting (busy timeout 0); the
gate held by a thread of this process is awaited on the loop, and SQLite's lock held by
another connection is waited for in a worker thread, both bounded by the engine's busy
timeout, then ``DatabaseBusy``. Work in a thread simply waits there, within the same bound.
"""

from __future__ import annotations

import sqlite3
import time
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, event

from models.errors import DatabaseBusy
from models.inline_work import await_on_loop, in_thread, on_the_loop
from models.writer_gate import WriterGate

READONLY = "suac_readonly"  # execution option: the transaction writes nothing
HOLDS_WRITE_LOCK = "suac_holds_write_lock"
WRITE_BEGIN = ("BEGIN IMMEDIATE",)
READ_BEGIN = ("BEGIN", "PRAGMA schema_version")  # the read takes the snapshot now
SQLITE_LOCKED = 6


class SqliteLocks:
    """Installs the connect, begin, commit and rollback hooks of one SQLite engine."""

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
        dbapi_connection.execute("PRAGMA busy_timeout=0")  # waits happen in _begin_waiting

    def _on_begin(self, connection: Connection) -> None:
        raw: sqlite3.Connection = connection.connection.driver_connection  # type: ignore[assignment]
        deadline = time.monotonic() + self._timeout
        begin = READ_BEGIN if connection.get_execution_options().get(READONLY) else WRITE_BEGIN
        try:
            if begin is WRITE_BEGIN:
                self._enter_gate(connection, deadline)
            if not _attempt(raw, begin):
                in_thread(partial(_begin_waiting, raw, begin, deadline, self._timeout))
        except BaseException:
            if raw.in_transaction:  # begun in a thread whose caller was cancelled meanwhile
                raw.execute("ROLLBACK")
            self._release(connection)
            raise

    def _enter_gate(self, connection: Connection, deadline: float) -> None:
        if not self._gate.try_acquire():
            remaining = deadline - time.monotonic()
            if on_the_loop():
                taken = await_on_loop(lambda: self._gate.acquire_async(remaining))
            else:
                taken = self._gate.acquire(remaining)
            if not taken:
                raise DatabaseBusy.after(self._timeout)
        connection.info[HOLDS_WRITE_LOCK] = True

    def _release(self, connection: Connection) -> None:
        if connection.info.pop(HOLDS_WRITE_LOCK, False):
            self._gate.release()


def _busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_BUSY, SQLITE_LOCKED)


def _attempt(raw: sqlite3.Connection, begin: tuple[str, ...]) -> bool:
    """Begin within the connection's busy timeout: False (and nothing begun) when the lock
    stayed taken."""
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


def _begin_waiting(
    raw: sqlite3.Connection, begin: tuple[str, ...], deadline: float, timeout: float
) -> None:
    """Begin, letting SQLite's busy handler wait until ``deadline`` (in a worker thread)."""
    milliseconds = max(int((deadline - time.monotonic()) * 1000), 0)
    raw.execute(f"PRAGMA busy_timeout={milliseconds}")
    try:
        begun = _attempt(raw, begin)
    finally:
        raw.execute("PRAGMA busy_timeout=0")
    if not begun:
        raise DatabaseBusy.after(timeout)
