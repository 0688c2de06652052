"""The agents' state changes, stored as they came (``AgentStateChanged``) for the reports.

Written by the call recorder in the bus's order (``seq``), each event once::

    with session_scope(engine) as session:
        store_agent_states(session, [event])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Index, Row, func
from sqlmodel import Field, Session, SQLModel, col, select

from models.db_types import UTCDateTime
from models.events import AgentStateChanged

# an agent's state in force when a period starts is its last change at most this long before
STATE_LOOKBACK = timedelta(days=7)
CHANGE_COLUMNS = ("event_id", "agent", "queue", "state", "reason", "at")


class AgentStateChange(SQLModel, table=True):
    """An agent's state from ``at`` on (``reason``: the pause's)."""

    __tablename__ = "agent_state_change"
    __table_args__ = (Index("ix_agent_state_change_at", "at"),)

    seq: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=64, unique=True)
    agent: str = Field(max_length=200)
    queue: str = Field(default="", max_length=64)
    state: str = Field(max_length=16)
    reason: str = Field(default="", max_length=200)
    at: datetime = Field(sa_type=UTCDateTime)


def store_agent_states(session: Session, events: Iterable[AgentStateChanged]) -> int:
    """Store the changes not stored yet (by event id); how many were new."""
    wanted = {event.event_id: event for event in events}
    if not wanted:
        return 0
    known = select(AgentStateChange.event_id).where(col(AgentStateChange.event_id).in_(wanted))
    seen = set(session.exec(known))
    for event in wanted.values():
        if event.event_id not in seen:
            session.add(
                AgentStateChange(
                    event_id=event.event_id,
                    agent=event.agent[:200],
                    queue=event.queue[:64],
                    state=event.state,
                    reason=event.reason[:200],
                    at=event.occurred_at,
                )
            )
    session.flush()
    return len(wanted) - len(seen)


def changes_from(session: Session, start: datetime, until: datetime) -> Iterator[Row[Any]]:
    """Each agent's state in force at ``start`` (its last change in the ``STATE_LOOKBACK``
    before), then every change in ``[start, until)``, in the bus's order: rows of
    ``event_id``, ``agent``, ``queue``, ``state``, ``reason`` and ``at`` (columns, not
    entities: a month's report reads thousands)."""
    change = AgentStateChange
    columns = [col(getattr(change, name)) for name in CHANGE_COLUMNS]
    latest = (
        select(col(change.agent), func.max(col(change.seq)).label("seq"))
        .where(col(change.at) >= start - STATE_LOOKBACK, col(change.at) < start)
        .group_by(col(change.agent))
        .subquery()
    )
    in_force = select(*columns).join(latest, col(change.seq) == latest.c.seq)
    yield from session.execute(in_force.order_by(col(change.seq)))
    during = (
        select(*columns)
        .where(col(change.at) >= start, col(change.at) < until)
        .order_by(col(change.seq))  # the bus's order, as the live clock saw them
    )
    yield from session.execute(during)
