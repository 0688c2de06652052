"""Alembic environment: runs migrations on the engine handed over by ``models.db``."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import models.tables  # noqa: F401  (registers every table on the metadata)
from models.db import make_engine
from models.postgres_locks import NO_LOCK_TIMEOUT

config = context.config
engine = config.attributes.get("engine") or make_engine(
    config.get_main_option("sqlalchemy.url") or ""
)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":  # a migration waits as long as it must
            connection.exec_driver_sql(NO_LOCK_TIMEOUT)
        context.run_migrations()
    connection.commit()
