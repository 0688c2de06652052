"""PostgreSQL lock waits bounded like SQLite's: every connection starts with ``lock_timeout``
set to the busy timeout (``SUAC_DATABASE_BUSY_TIMEOUT_SECONDS``), and a lock not granted in
that time (SQLSTATE 55P03) is raised as ``DatabaseBusy``, so a caller hears the apology and
reaches an agent and a page answers 503 with ``Retry-After``, as on SQLite, instead of waiting
on a row another process holds. Migrations wait as long as they must (``SET LOCAL``)::

    engine = create_engine(url, connect_args=lock_wait_options(5.0))
    raise_busy_on_lock_timeout(engine, 5.0)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext

from models.errors import DatabaseBusy

LOCK_NOT_AVAILABLE = "55P03"
NO_LOCK_TIMEOUT = "SET LOCAL lock_timeout = 0"  # inside one transaction (a migration's)


def lock_wait_options(timeout_seconds: float) -> dict[str, Any]:
    """Connection arguments that bound every lock wait of a session."""
    return {"options": f"-c lock_timeout={max(int(timeout_seconds * 1000), 1)}"}


def raise_busy_on_lock_timeout(engine: Engine, timeout_seconds: float) -> None:
    """Turn a lock wait that ran out into ``DatabaseBusy``."""

    @event.listens_for(engine, "handle_error")
    def _busy(context: ExceptionContext) -> DatabaseBusy | None:
        state = getattr(context.original_exception, "sqlstate", None)
        return DatabaseBusy.after(timeout_seconds) if state == LOCK_NOT_AVAILABLE else None
