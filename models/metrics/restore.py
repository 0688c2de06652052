"""A live aggregator rebuilt from storage, so a (re)started web process shows the day so far.

The call recorder keeps every call's record (with the events applied to it) and the agents'
state changes; this reads those since a moment for a ``LiveMetrics``, which then follows the
bus: an event the stored record already holds changes nothing when it comes again, and the
agents' states repeat harmlessly::

    records, agents = stored_since(engine, start_of_today)   # blocking: run it in a thread
    for record in records:
        live.restore(record)
    for change in agents:
        live.apply(change)
    ...                                                      # then the bus's events

Calls are read from ``LONGEST_CALL`` before ``since``, so a caller who started before it
and is still waiting, or whose wrap-up is still to come, is known.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import col, select

from models.calls import CallRecord
from models.db import session_scope
from models.db_types import utcnow
from models.events import AgentStateChanged
from models.metrics.agent_log import changes_from

LONGEST_CALL = timedelta(hours=4)


def stored_since(
    engine: Engine, since: datetime
) -> tuple[list[CallRecord], list[AgentStateChanged]]:
    """The call records started from ``LONGEST_CALL`` before ``since`` on, and the agents'
    states in force at ``since`` and changed after it, as the bus published them."""
    with session_scope(engine, readonly=True) as session:
        query = select(CallRecord).where(col(CallRecord.started_at) >= since - LONGEST_CALL)
        records = list(session.exec(query.order_by(col(CallRecord.started_at))))
        session.expunge_all()
        agents = [
            AgentStateChanged(
                event_id=change.event_id,
                occurred_at=change.at,
                agent=change.agent,
                queue=change.queue,
                state=change.state,  # type: ignore[arg-type]  # stored from the same type
                reason=change.reason,
            )
            for change in changes_from(session, since, utcnow() + LONGEST_CALL)
        ]
    return records, agents
