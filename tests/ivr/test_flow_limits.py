"""The per-number look-up allowance: counted per hour, lapsed counters deleted."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from ivr.flow.limits import QueryLimiter
from models.db_types import utcnow
from models.messages import InboundQuery


def stored(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(InboundQuery)).one()


async def test_allowance_per_number_and_lapsed_counters_go(engine: Engine) -> None:
    limiter = QueryLimiter(engine=engine, per_hour=2)
    with Session(engine) as session:
        old = utcnow() - timedelta(hours=2)
        session.add_all([InboundQuery(sender="+525500000001", at=old) for _ in range(5)])
        session.commit()
    assert await limiter.allow("+525511111111")
    assert stored(engine) == 1, "counters older than an hour are deleted"
    assert await limiter.allow("+525511111111")
    assert not await limiter.allow("+525511111111")
    assert await limiter.allow("+525522222222")
    assert await limiter.allow("") and await limiter.allow(None)  # type: ignore[arg-type]
    assert not await limiter.allow("")  # withheld numbers share one allowance
