"""Each queued call's fact, stored by the call recorder next to the record (``call_fact``).

The same :func:`~models.metrics.definitions.fact_of` the live aggregator uses, applied after
every write, so the reports only group and add stored facts in SQL (indexed by interval)::

    with session_scope(engine) as session:
        store_fact(session, record)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, Session, SQLModel

from models.calls import CallRecord
from models.db_types import UTCDateTime
from models.metrics.definitions import fact_of, quarter_utc


class CallFactRow(SQLModel, table=True):
    """A queued call as the metrics see it; ``quarter_at``: its 15-minute interval (UTC)."""

    __tablename__ = "call_fact"
    __table_args__ = (Index("ix_call_fact_quarter_at", "quarter_at"),)

    call_id: str = Field(primary_key=True, max_length=64)
    queue: str = Field(max_length=64)
    quarter_at: datetime = Field(sa_type=UTCDateTime)
    outcome: str = Field(max_length=16)
    wait_ms: int = 0
    agent: str = Field(default="", max_length=64)
    handled: bool = False
    talk_ms: int = 0
    hold_ms: int = 0
    wrapup_ms: int = 0
    missed: int = 0
    missed_agents: list[str] = Field(default_factory=list, sa_type=JSON)


def fact_values(record: CallRecord) -> dict[str, Any] | None:
    """The ``call_fact`` row of ``record``'s call (None: it never joined a queue)."""
    fact = fact_of(record)
    if fact is None:
        return None
    return {
        "call_id": record.call_id,
        "queue": fact.queue[:64],
        "quarter_at": quarter_utc(fact.joined_at),
        "outcome": fact.outcome.value,
        "wait_ms": fact.wait_ms,
        "agent": fact.agent[:64],
        "handled": fact.handled,
        "talk_ms": fact.talk_ms,
        "hold_ms": fact.hold_ms,
        "wrapup_ms": fact.wrapup_ms,
        "missed": len(fact.missed_agents),
        "missed_agents": list(fact.missed_agents),
    }


def store_fact(session: Session, record: CallRecord) -> None:
    """Store (or refresh) the fact of ``record``'s call, when it joined a queue."""
    values = fact_values(record)
    if values is None:
        return
    row = session.get(CallFactRow, record.call_id)
    if row is None:
        session.add(CallFactRow(**values))
        return
    for name, value in values.items():
        setattr(row, name, value)
