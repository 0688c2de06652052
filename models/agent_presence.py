"""The Twilio agents' presence in their queues, kept in the database every process shares
(Twilio has no queue members: for these agents the service itself is the telephony side).

An agent is signed in or not, paused (with a reason) or not, and idle, ``ringing`` (the
dispatcher placed a call to the agent's phone) or ``in_use``; the state shown is the first
that applies of logged out, paused, ringing/in use, available, as Asterisk reports a paused
member on a call as paused. After a call, or a ring that failed or went unanswered, the agent
rests ``rest`` (the queue's wrap-up time) before the next caller, as Asterisk's
``wrapuptime`` does. Every change runs in one transaction on the locked row and returns
the :class:`AgentStateChanged` events it caused, so of several processes applying the same call
event only one gets (and publishes) the change::

    presence = Presence(engine=engine, rest=timedelta(seconds=10))
    events = await presence.sign_in("+525512345678", queue="locatel")
    [e.state for e in events]        # ['available']
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine
from sqlmodel import Field, Session, SQLModel, col, func, or_, select

from models.db import run_blocking, session_scope
from models.db_types import UTCDateTime, utcnow
from models.errors import DomainError
from models.events import AgentState, AgentStateChanged

SOURCE = "twilio"
RINGING, IN_USE = "ringing", "in_use"


class AgentPresence(SQLModel, table=True):
    """One Twilio agent (an E.164 number or a SIP address) in its queue."""

    __tablename__ = "agent_presence"

    agent: str = Field(primary_key=True, max_length=200)
    queue: str = Field(max_length=64, index=True)
    signed_in: bool = False
    paused: bool = False
    reason: str = Field(default="", max_length=64)
    call: str = Field(default="", max_length=16)  # "", "ringing" or "in_use"
    call_id: str = Field(default="", max_length=64, index=True)  # the ringing leg or the call
    call_since: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    rest_until: datetime | None = Field(default=None, sa_type=UTCDateTime)  # after a call or ring
    since: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)  # of the shown state


class NotInQueue(DomainError):
    """A pause or a return asked of an agent who is not signed in to the queue."""

    error_id = "agent-not-in-queue"
    status_code = 409


def shown(row: AgentPresence) -> tuple[AgentState, str]:
    """The state (and pause reason) an agent shows.

    >>> shown(AgentPresence(agent="+525512345678", queue="locatel", signed_in=True))
    ('available', '')
    """
    if not row.signed_in:
        return "logged_out", ""
    if row.paused:
        return "paused", row.reason
    if row.call == RINGING:
        return "ringing", ""
    if row.call == IN_USE:
        return "in_use", ""
    return "available", ""


Change = Callable[[AgentPresence], None]


class Presence:
    """Reads and changes the Twilio agents' presence; each change returns its events."""

    def __init__(
        self, *, engine: Engine, rest: timedelta, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._engine, self._rest, self._clock = engine, rest, clock

    def _apply(
        self, session: Session, row: AgentPresence, change: Change
    ) -> list[AgentStateChanged]:
        before, now = shown(row), self._clock()
        change(row)
        after = shown(row)
        if after != before:
            row.since = now
        session.add(row)
        if after == before:
            return []
        state, reason = after
        return [
            AgentStateChanged(
                agent=row.agent,
                queue=row.queue,
                state=state,
                reason=reason,
                occurred_at=now,
                source=SOURCE,
            )
        ]

    async def _change(
        self, agent: str, change: Change, *, queue: str = "", create: bool = False
    ) -> list[AgentStateChanged]:
        def work() -> list[AgentStateChanged]:
            with session_scope(self._engine) as session:
                row = session.get(AgentPresence, agent, with_for_update=True)
                if row is None and not create:
                    return []
                if row is None:
                    row = AgentPresence(agent=agent, queue=queue, since=self._clock())
                return self._apply(session, row, change)

        return await run_blocking(self._engine, work)

    async def get(self, agent: str) -> AgentPresence | None:
        """The agent's row, or None when the agent never signed in."""

        def work() -> AgentPresence | None:
            with session_scope(self._engine, readonly=True) as session:
                return session.get(AgentPresence, agent)

        return await run_blocking(self._engine, work)

    async def signed_in(self) -> list[AgentPresence]:
        """Every agent signed in to a queue."""

        def work() -> list[AgentPresence]:
            with session_scope(self._engine, readonly=True) as session:
                statement = select(AgentPresence).where(col(AgentPresence.signed_in))
                return list(session.exec(statement))

        return await run_blocking(self._engine, work)

    async def sign_in(self, agent: str, *, queue: str) -> list[AgentStateChanged]:
        """The agent joins ``queue``, available."""

        def change(row: AgentPresence) -> None:
            row.signed_in, row.paused, row.reason, row.queue = True, False, "", queue

        return await self._change(agent, change, queue=queue, create=True)

    async def sign_out(self, agent: str) -> list[AgentStateChanged]:
        """The agent leaves the queue (a call under way goes on)."""

        def change(row: AgentPresence) -> None:
            row.signed_in, row.paused, row.reason = False, False, ""

        return await self._change(agent, change)

    async def _in_queue(self, agent: str, change: Change) -> list[AgentStateChanged]:
        def checked(row: AgentPresence) -> None:
            if not row.signed_in:
                raise NotInQueue("Primero entre a la cola.")
            change(row)

        return await self._change(agent, checked, create=True)

    async def pause(self, agent: str, *, reason: str) -> list[AgentStateChanged]:
        """The agent takes a pause with ``reason``; no caller is put through meanwhile."""

        def change(row: AgentPresence) -> None:
            row.paused, row.reason = True, reason

        return await self._in_queue(agent, change)

    async def unpause(self, agent: str) -> list[AgentStateChanged]:
        """The agent is back from the pause."""

        def change(row: AgentPresence) -> None:
            row.paused, row.reason = False, ""

        return await self._in_queue(agent, change)

    async def ringing(self, queue: str) -> int:
        """How many agents of ``queue`` are being rung now."""

        def work() -> int:
            with session_scope(self._engine, readonly=True) as session:
                statement = select(func.count()).where(
                    AgentPresence.queue == queue, AgentPresence.call == RINGING
                )
                return int(session.exec(statement).one())

        return await run_blocking(self._engine, work)

    async def claim(self, queue: str, count: int) -> tuple[list[str], list[AgentStateChanged]]:
        """Up to ``count`` available, rested agents of ``queue`` (the longest in their state
        first), now ringing."""

        def ring(row: AgentPresence) -> None:
            row.call, row.call_id, row.call_since = RINGING, "", self._clock()

        def work() -> tuple[list[str], list[AgentStateChanged]]:
            with session_scope(self._engine) as session:
                statement = (
                    select(AgentPresence)
                    .where(
                        AgentPresence.queue == queue,
                        col(AgentPresence.signed_in),
                        col(AgentPresence.paused).is_(False),
                        AgentPresence.call == "",
                        or_(
                            col(AgentPresence.rest_until).is_(None),
                            col(AgentPresence.rest_until) <= self._clock(),
                        ),
                    )
                    .order_by(col(AgentPresence.since))
                    .limit(count)
                    .with_for_update(skip_locked=True)
                )
                rows = list(session.exec(statement))
                events = [e for row in rows for e in self._apply(session, row, ring)]
                return [row.agent for row in rows], events

        return await run_blocking(self._engine, work)

    async def dialled(self, agent: str, call_sid: str) -> None:
        """The call ringing the agent has its Twilio SID (to know when it ends)."""

        def change(row: AgentPresence) -> None:
            if row.call == RINGING and not row.call_id:
                row.call_id = call_sid

        await self._change(agent, change)

    def _free(self, row: AgentPresence) -> None:
        row.call, row.call_id, row.rest_until = "", "", self._clock() + self._rest

    async def ring_failed(self, agent: str) -> list[AgentStateChanged]:
        """The agent's phone could not be rung: the agent is free again (after a rest)."""

        def change(row: AgentPresence) -> None:
            if row.call == RINGING:
                self._free(row)

        return await self._change(agent, change)

    async def connected(self, agent: str, call_id: str) -> list[AgentStateChanged]:
        """A caller was put through to the agent (only agents with a presence are followed)."""

        def change(row: AgentPresence) -> None:
            row.call, row.call_id, row.call_since = IN_USE, call_id, self._clock()

        return await self._change(agent, change)

    async def _release(self, *conditions: ColumnElement[bool]) -> list[AgentStateChanged]:
        def work() -> list[AgentStateChanged]:
            with session_scope(self._engine) as session:
                statement = select(AgentPresence).where(*conditions).with_for_update()
                rows = list(session.exec(statement))
                return [e for row in rows for e in self._apply(session, row, self._free)]

        return await run_blocking(self._engine, work)

    async def ended(self, call_id: str) -> list[AgentStateChanged]:
        """A call ended: the agent it rang or was put through to is free again."""
        if not call_id:
            return []
        return await self._release(
            col(AgentPresence.call_id) == call_id, col(AgentPresence.call) != ""
        )

    async def release_stale(self, rung_before: datetime) -> list[AgentStateChanged]:
        """Agents rung before ``rung_before`` whose ring never ended (a status lost): free."""
        return await self._release(
            col(AgentPresence.call) == RINGING, col(AgentPresence.call_since) < rung_before
        )
