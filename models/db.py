"""Database engine, sessions and migrations (Alembic over ``SQLModel.metadata``).

SQLite (the embedded default) runs in WAL mode. A write transaction opens with
``BEGIN IMMEDIATE``, so it never fails half-way when a read lock would have to be upgraded,
and the writers of one process queue on an in-process lock first: SQLite's own busy handler
backs off by sleeping (1 ms, 2 ms, 5 ms … up to 100 ms), which under load costs far more
than the write itself. Read-only transactions (``session_scope(engine, readonly=True)``) open
with a plain ``BEGIN`` and, in WAL mode, never wait for a writer. Several processes on one
SQLite file still serialise through the busy timeout. PostgreSQL needs nothing special.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from anyio import to_thread
from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

from models.errors import DatabaseNotMigrated

MIGRATIONS = Path(__file__).parent / "migrations"
T = TypeVar("T")
SQLITE_BUSY_TIMEOUT_MS = 30_000
READONLY = "suac_readonly"
HOLDS_WRITE_LOCK = "suac_holds_write_lock"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and sane pragmas."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=20)
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    writers = threading.RLock()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # noqa: ANN001
        if connection.get_execution_options().get(READONLY):
            connection.exec_driver_sql("BEGIN")
            return
        writers.acquire()
        connection.info[HOLDS_WRITE_LOCK] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection)
            raise

    def _release(connection) -> None:  # noqa: ANN001
        if connection.info.pop(HOLDS_WRITE_LOCK, False):
            writers.release()

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)


@contextlib.contextmanager
def session_scope(engine: Engine, *, readonly: bool = False) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any error.

    ``readonly`` promises that the transaction writes nothing, so on SQLite it neither
    takes the write lock nor waits for one.
    """
    bind = engine.execution_options(**{READONLY: True}) if readonly else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


async def run_blocking(engine: Engine, work: Callable[[], T]) -> T:
    """Run ``work`` (blocking database code) without stalling the event loop needlessly.

    A server database is reached from a worker thread. An embedded SQLite file answers a
    transaction in tens of microseconds, far less than a thread hop costs once the loop is
    busy (a woken worker waits up to the 5 ms GIL switch interval), so it runs inline.
    """
    if engine.dialect.name == "sqlite":
        return work()
    return await to_thread.run_sync(work)


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration bound to ``engine``, without any ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Apply every pending migration."""
    command.upgrade(alembic_config(engine), "heads")


def pending_migrations(engine: Engine) -> set[str]:
    """The migration heads the database has not reached yet (empty when up to date)."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    heads = set(script.get_heads())
    return heads - current


def require_migrated(engine: Engine) -> None:
    """Refuse to go on with a database that is not at the latest migration."""
    missing = pending_migrations(engine)
    if missing:
        raise DatabaseNotMigrated(
            "La base de datos no está actualizada (faltan las migraciones "
            f"{', '.join(sorted(missing))}). Ejecute: suac db upgrade"
        )
