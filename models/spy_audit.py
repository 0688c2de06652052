"""The audit log of supervisors listening, whispering or barging on agents' calls: every
attempt, who asked, on whom, on which call, in which mode, how it went, and when it ended.

A row is written before anything is sent to the telephony side (``sending``), then marked
``started`` or ``failed``; refusals by the rules are written as ``refused`` with the reason.
The end comes from the PBX (the supervisor's channel hung up: :class:`SpyAuditCloser`) or from
the supervisor's own *Terminar*; whichever comes first is kept::

    with session_scope(engine) as session:
        row = record_attempt(session, supervisor="sara", supervisor_name="Sara Ruiz",
                             supervisor_phone="PJSIP/1900", agent_phone="PJSIP/1001",
                             agent_name="Ana Pérez", mode="escuchar", outcome=SpyOutcome.SENDING,
                             call_id="1764.1", channel_id="suac-escucha-…")
    with session_scope(engine) as session:
        close_channel(session, "suac-escucha-…", note="Colgó (Normal Clearing)")
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Engine, func, update
from sqlmodel import Field, Session, SQLModel, col, select

from models.bus import EventBus
from models.consumer import BackgroundTask
from models.db import session_scope
from models.db_types import UTCDateTime, utcnow
from models.events import SpyEnded

log = logging.getLogger(__name__)

MODE_LABELS = {"escuchar": "Escucha", "susurrar": "Susurro", "intervenir": "Intervención"}


class SpyOutcome(StrEnum):
    """How an attempt went."""

    SENDING = "sending"  # written, not yet answered by the telephony side
    STARTED = "started"  # the PBX accepted it: the supervisor's phone rings
    FAILED = "failed"  # the telephony side refused it or could not be reached
    REFUSED = "refused"  # the rules refused it; nothing was sent


OUTCOME_LABELS = {
    SpyOutcome.SENDING: "Enviando",
    SpyOutcome.STARTED: "Iniciada",
    SpyOutcome.FAILED: "Falló",
    SpyOutcome.REFUSED: "Rechazada",
}


class SpyAudit(SQLModel, table=True):
    """One attempt of a supervisor to listen, whisper or barge on an agent's call."""

    __tablename__ = "spy_audit"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    supervisor: str = Field(max_length=64, index=True)  # the username
    supervisor_name: str = Field(default="", max_length=200)
    supervisor_phone: str = Field(default="", max_length=120)
    agent_phone: str = Field(default="", max_length=120, index=True)
    agent_name: str = Field(default="", max_length=200)
    call_id: str | None = Field(default=None, max_length=64)
    mode: str = Field(max_length=16)
    outcome: str = Field(max_length=16)
    reason: str = Field(default="", max_length=500)
    channel_id: str | None = Field(default=None, max_length=64, unique=True)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_note: str = Field(default="", max_length=200)

    @property
    def mode_label(self) -> str:
        """The mode in Spanish."""
        return MODE_LABELS.get(self.mode, self.mode)

    @property
    def outcome_label(self) -> str:
        """The outcome in Spanish."""
        return OUTCOME_LABELS.get(SpyOutcome(self.outcome), self.outcome)


def record_attempt(session: Session, **fields: object) -> SpyAudit:
    """Write one attempt (``fields`` are :class:`SpyAudit`'s) and return it with its id."""
    row = SpyAudit.model_validate(fields)
    row.mode, row.reason = row.mode[:16], row.reason[:500]
    session.add(row)
    session.flush()
    session.refresh(row)
    return row


def settle(session: Session, audit_id: int, *, outcome: SpyOutcome, reason: str = "") -> None:
    """Set what the telephony side answered to a sent attempt."""
    row = session.get(SpyAudit, audit_id)
    if row is not None:
        row.outcome, row.reason = outcome.value, reason[:500]
        session.add(row)


def _close(session: Session, where: object, *, note: str, at: datetime | None) -> bool:
    result = session.execute(
        update(SpyAudit)
        .where(where, col(SpyAudit.ended_at).is_(None))  # type: ignore[arg-type]
        .values(ended_at=at or utcnow(), end_note=note[:200])
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def close_channel(
    session: Session, channel_id: str, *, note: str, at: datetime | None = None
) -> bool:
    """Record the end of the session on ``channel_id`` unless already recorded."""
    return _close(session, col(SpyAudit.channel_id) == channel_id, note=note, at=at)


def close_attempt(session: Session, audit_id: int, *, note: str) -> bool:
    """Record the end of attempt ``audit_id`` now unless already recorded."""
    return _close(session, col(SpyAudit.id) == audit_id, note=note, at=None)


def open_sessions(session: Session, supervisor: str, *, since: datetime) -> list[SpyAudit]:
    """``supervisor``'s started sessions since ``since`` whose end is not known yet."""
    query = (
        select(SpyAudit)
        .where(
            SpyAudit.supervisor == supervisor,
            SpyAudit.outcome == SpyOutcome.STARTED.value,
            col(SpyAudit.ended_at).is_(None),
            col(SpyAudit.started_at) >= since,
        )
        .order_by(col(SpyAudit.id).desc())
    )
    return list(session.exec(query))


@dataclass(frozen=True)
class AuditQuery:
    """The administrators' filters: supervisor (username), agent (phone or part of the name),
    from and until (UTC moments, ``until`` excluded), and the page (from 1)."""

    supervisor: str = ""
    agent: str = ""
    since: datetime | None = None
    until: datetime | None = None
    page: int = 1
    per_page: int = 50


def search(session: Session, query: AuditQuery) -> tuple[list[SpyAudit], int]:
    """The page of rows matching ``query``, newest first, and how many match in all."""
    conditions = []
    if query.supervisor:
        conditions.append(col(SpyAudit.supervisor) == query.supervisor)
    if query.agent:
        needle = f"%{query.agent.lower()}%"
        conditions.append(
            (func.lower(SpyAudit.agent_phone).like(needle))
            | (func.lower(SpyAudit.agent_name).like(needle))
        )
    if query.since is not None:
        conditions.append(col(SpyAudit.started_at) >= query.since)
    if query.until is not None:
        conditions.append(col(SpyAudit.started_at) < query.until)
    total = session.exec(select(func.count()).select_from(SpyAudit).where(*conditions)).one()
    rows = session.exec(
        select(SpyAudit)
        .where(*conditions)
        .order_by(col(SpyAudit.started_at).desc(), col(SpyAudit.id).desc())
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    )
    return list(rows), int(total)


def supervisors_in_log(session: Session) -> list[str]:
    """Every username that appears as a supervisor in the log."""
    names = session.exec(select(SpyAudit.supervisor).distinct().order_by(SpyAudit.supervisor))
    return list(names)


def end_note(cause: str) -> str:
    """The note of an end reported by the PBX.

    >>> end_note("Normal Clearing")
    'La central cerró el canal del supervisor (Normal Clearing).'
    """
    detail = f" ({cause})" if cause else ""
    return f"La central cerró el canal del supervisor{detail}."


class SpyAuditCloser(BackgroundTask):
    """Records the end of each session when the PBX reports that the supervisor's channel
    hung up (group ``spy-audit``: one member per deployment writes it, worker role)."""

    GROUP = "spy-audit"

    def __init__(self, *, engine: Engine, bus: EventBus, name: str) -> None:
        super().__init__()
        self._engine, self._bus, self._name = engine, bus, name

    async def _run(self) -> None:
        async with self._bus.consume(self.GROUP, self._name) as deliveries:
            self._ready.set()
            async for delivery in deliveries:
                event = delivery.event
                if isinstance(event, SpyEnded):
                    await self._close(event)
                await delivery.ack()

    async def _close(self, event: SpyEnded) -> None:
        def write() -> None:
            with session_scope(self._engine) as session:
                close_channel(
                    session, event.channel_id, note=end_note(event.cause), at=event.occurred_at
                )

        while True:
            try:
                await asyncio.to_thread(write)
                return
            except Exception:  # the database is down: keep the event, try again
                log.exception("could not record the end of %s; retrying", event.channel_id)
                await asyncio.sleep(1.0)
