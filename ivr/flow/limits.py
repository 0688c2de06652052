"""Per-number limits on folio status look-ups, so folios cannot be enumerated.

Folios are a year, a sequence and a check digit: easy to guess. Every status look-up, by voice
or by message, is counted per caller (SMS sender, WhatsApp address or calling number); past
``per_hour`` the caller is refused (by message) or handed to an agent (by phone). Withheld
numbers share one allowance. Lapsed counters are deleted as new look-ups arrive::

    limiter = QueryLimiter(engine=engine, per_hour=5)
    if await limiter.allow("+5215512345678"):
        ...
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, delete, func
from sqlmodel import col, select

from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.messages import InboundQuery

WITHHELD = "anonimo"


class QueryLimiter:
    """Counts status look-ups per number over the last hour."""

    def __init__(self, *, engine: Engine, per_hour: int) -> None:
        self._engine = engine
        self._per_hour = per_hour

    async def allow(self, sender: str) -> bool:
        """Count this look-up; False when ``sender`` used up its hourly allowance."""
        sender = (sender or WITHHELD)[:64]
        since = utcnow() - timedelta(hours=1)

        def work() -> bool:
            with session_scope(self._engine) as session:
                # Counters older than the hour count for nobody: drop them as they lapse.
                session.execute(delete(InboundQuery).where(col(InboundQuery.at) < since))
                count = session.exec(
                    select(func.count())
                    .select_from(InboundQuery)
                    .where(col(InboundQuery.sender) == sender, col(InboundQuery.at) >= since)
                ).one()
                if count >= self._per_hour:
                    return False
                session.add(InboundQuery(sender=sender))
                return True

        return await run_blocking(self._engine, work)
