"""Atomic folio issuing: one counter row per year, incremented inside the caller's transaction.

The ``UPDATE … RETURNING`` takes the row lock (PostgreSQL) or the database write lock
(SQLite, under ``BEGIN IMMEDIATE``), so concurrent writers never get the same sequence, and a
transaction that rolls back takes its sequence with it.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from models.folio import make_folio
from models.requests import FolioCounter


def issue_folio(session: Session, year: int) -> str:
    """Take the next folio of ``year`` within ``session``'s transaction."""
    dialect = session.get_bind().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else pg_insert
    session.execute(
        insert(FolioCounter)
        .values(year=year, last_sequence=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    sequence = session.execute(
        update(FolioCounter)
        .where(col(FolioCounter.year) == year)
        .values(last_sequence=col(FolioCounter.last_sequence) + 1)
        .returning(col(FolioCounter.last_sequence))
    ).scalar_one()
    return make_folio(year, sequence)
