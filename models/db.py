"""Database engine, sessions and migrations (Alembic over ``SQLModel.metadata``).

SQLite (the embedded default) runs in WAL mode, and its work runs inline on the event loop:
a write transaction opens with ``BEGIN IMMEDIATE`` (so it never fails half-way when a read
lock would have to be upgraded) after the process's own writer gate, a read-only one
(``session_scope(engine, readonly=True)``) with a plain ``BEGIN`` that never waits for a
writer. A lock held elsewhere (another process, a thread of this one) is waited for in a
worker thread, never on the loop, and for at most the busy timeout
(``SUAC_DATABASE_BUSY_TIMEOUT_SECONDS``); then ``DatabaseBusy`` (see ``models.sqlite_locks``).
PostgreSQL is reached from worker threads; its lock waits are bounded by the same timeout
(``lock_timeout``, then ``DatabaseBusy``: ``models.postgres_locks``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from anyio import to_thread
from sqlalchemy import Engine
from sqlmodel import Session, create_engine

from models.errors import DatabaseNotMigrated
from models.inline_work import run_inline
from models.postgres_locks import lock_wait_options, raise_busy_on_lock_timeout
from models.sqlite_locks import READONLY, SqliteLocks

MIGRATIONS = Path(__file__).parent / "migrations"
T = TypeVar("T")
BUSY_TIMEOUT_SECONDS = 5.0  # well under the 15 s Twilio waits for a webhook
SQLITE_POOL_SIZE = 10  # kept open; more are opened while works wait for a lock


def make_engine(url: str, *, busy_timeout_seconds: float = BUSY_TIMEOUT_SECONDS) -> Engine:
    """An engine for ``url``; SQLite files get their folder created, sane pragmas and lock
    waits bounded by ``busy_timeout_seconds``."""
    if not url.startswith("sqlite"):
        server = create_engine(
            url,
            pool_pre_ping=True,
            pool_size=20,
            max_overflow=20,
            connect_args=lock_wait_options(busy_timeout_seconds),
        )
        raise_busy_on_lock_timeout(server, busy_timeout_seconds)
        return server
    path = url.split("///", 1)[-1]
    pool: dict[str, int] = {}
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # a checkout never waits: a work suspended in a lock wait keeps its connection
        pool = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": -1}
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_seconds},
        **pool,
    )
    SqliteLocks(engine, busy_timeout_seconds=busy_timeout_seconds)
    return engine


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
    """Run ``work`` (blocking database code) without ever blocking the event loop on a wait.

    A server database is reached from a worker thread. An embedded SQLite file answers a
    transaction in tens of microseconds, far less than a thread hop costs once the loop is
    busy (a woken worker waits up to the 5 ms GIL switch interval), so it runs inline, and
    only a wait for a lock goes to a thread (``models.sqlite_locks``).
    """
    if engine.dialect.name == "sqlite":
        return await run_inline(work)
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
