"""Call state between webhooks, in the database, so any worker serves a call's next step.

Each stored call has ``seq``, the number of turns served. A webhook answering turn ``n``
first *claims* turn ``n + 1`` (one conditional UPDATE); only the claimer computes the turn.
A retried webhook for an already served turn gets the stored answer again, so nothing is
ever registered twice. A claim lasts a short lease: a worker killed while computing a turn
leaves a claim that the next retry takes over (with the same conditional UPDATE, so only one
retry computes), and the turn is served fresh instead of waiting on the dead worker::

    store = CallStore(engine=engine, lease=timedelta(seconds=4))
    claim = await store.claim("CA…", seq=1)
    if claim.state is not None:            # ours to compute
        twiml = await store.save("CA…", seq=1, state=new_state_json, response=twiml)
    else:                                  # served before, or stuck (then: to an agent)
        twiml = claim.response or agent_twiml
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import Engine, Table, or_, select, update
from sqlalchemy.exc import IntegrityError

from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.ivr_sessions import IvrSession

T = TypeVar("T")
SESSIONS: Table = IvrSession.__table__  # type: ignore[attr-defined]  # Core: no ORM bookkeeping
WAIT_STEP_SECONDS = 0.05
LEASE = timedelta(seconds=4)  # the default of SUAC_IVR__CLAIM_LEASE_SECONDS


@dataclass(frozen=True)
class Claim:
    """The state to compute the next turn from, or the answer already served; neither when
    the turn stayed claimed by live workers for two leases (the caller goes to an agent)."""

    state: str | None = None
    response: str | None = None
    found: bool = True


def media_payload(seq: int, speech: str, digits: str, seconds: float | None = None) -> str:
    """How a media stream's result is stored (with the seconds of audio it was heard in)."""
    data = {"seq": seq, "speech": speech, "digits": digits, "seconds": seconds}
    return json.dumps(data, ensure_ascii=False)


def media_for(raw: str | None, seq: int) -> tuple[str, str, float | None]:
    """The (speech, digits, seconds of audio) stored for turn ``seq``, or nothing."""
    data = json.loads(raw) if raw else {}
    if data.get("seq") != seq:
        return "", "", None
    return data.get("speech", ""), data.get("digits", ""), data.get("seconds")


def being_served(row: IvrSession, seq: int) -> bool:
    """Turn ``seq + 1`` is claimed and not saved yet."""
    return row.seq == seq and row.claimed_seq > seq


def lapsed(claimed_at: datetime | None, lease: timedelta, now: datetime) -> bool:
    """A claim older than the lease (or from before claims had a time) belongs to nobody."""
    return claimed_at is None or claimed_at <= now - lease


async def take_turn(
    grab: Callable[[], Awaitable[Claim | None]],
    load: Callable[[str], Awaitable[IvrSession | None]],
    call_id: str,
    seq: int,
    lease: timedelta,
) -> Claim:
    """Claim turn ``seq + 1`` with ``grab`` (None: held or served); while another worker
    holds it, wait for its answer, and take it over once its lease lapses. Waits two leases
    at most: a turn still held then gives an empty :class:`Claim`, never the previous prompt.
    """
    deadline = time.monotonic() + 2 * lease.total_seconds()
    while True:
        claim = await grab()
        if claim is not None:
            return claim
        row = await load(call_id)
        while row is not None and being_served(row, seq):
            if lapsed(row.claimed_at, lease, utcnow()) or time.monotonic() >= deadline:
                break
            await asyncio.sleep(WAIT_STEP_SECONDS)
            row = await load(call_id)
        if row is None:
            return Claim(found=False)
        if not being_served(row, seq):
            return Claim(response=row.last_response)
        if time.monotonic() >= deadline:
            return Claim()


class CallStore:
    """Stores each live call's flow state and last answer."""

    def __init__(self, *, engine: Engine, lease: timedelta = LEASE) -> None:
        self._engine = engine
        self._lease = lease

    async def _run(self, work: Callable[[], T]) -> T:
        return await run_blocking(self._engine, work)

    async def create(self, call_id: str, *, state: str, response: str) -> str:
        """Store a new call at turn 1; a retried first webhook gets the first answer again."""

        def work() -> str:
            try:
                with session_scope(self._engine) as session:
                    row = IvrSession(
                        call_id=call_id, seq=1, claimed_seq=1, state=state, last_response=response
                    )
                    session.add(row)
                return response
            except IntegrityError:
                with session_scope(self._engine) as session:
                    existing = session.get(IvrSession, call_id)
                    return existing.last_response if existing else response

        return await self._run(work)

    async def claim(self, call_id: str, *, seq: int) -> Claim:
        """Claim turn ``seq + 1``; if it was served (or is being served), its answer."""

        def grab() -> Claim | None:
            now = utcnow()
            with self._engine.begin() as connection:
                statement = (
                    update(SESSIONS)
                    .where(SESSIONS.c.call_id == call_id)
                    .where(SESSIONS.c.seq == seq)
                    .where(
                        or_(
                            SESSIONS.c.claimed_seq == seq,
                            SESSIONS.c.claimed_at.is_(None),
                            SESSIONS.c.claimed_at <= now - self._lease,
                        )
                    )
                    .values(claimed_seq=seq + 1, claimed_at=now)
                    .returning(SESSIONS.c.state)
                )
                state = connection.execute(statement).scalar_one_or_none()
                if state is not None:
                    return Claim(state=state)
                known = select(SESSIONS.c.call_id).where(SESSIONS.c.call_id == call_id)
                return None if connection.execute(known).first() else Claim(found=False)

        return await take_turn(lambda: self._run(grab), self.load, call_id, seq, self._lease)

    async def load(self, call_id: str) -> IvrSession | None:
        """The stored call, if any."""

        def work() -> IvrSession | None:
            with session_scope(self._engine, readonly=True) as session:
                return session.get(IvrSession, call_id)

        return await self._run(work)

    async def _update(self, call_id: str, **values: object) -> None:
        def work() -> None:
            with self._engine.begin() as connection:
                connection.execute(
                    update(SESSIONS)
                    .where(SESSIONS.c.call_id == call_id)
                    .values(**values, updated_at=utcnow())
                )

        await self._run(work)

    async def save(self, call_id: str, *, seq: int, state: str, response: str) -> str:
        """Record turn ``seq + 1`` as served, with the state it leaves, unless it already was
        (by a worker that took an expired claim over): the answer that stands is returned."""

        def work() -> str:
            with self._engine.begin() as connection:
                saved = connection.execute(
                    update(SESSIONS)
                    .where(SESSIONS.c.call_id == call_id)
                    .where(SESSIONS.c.seq == seq)
                    .values(seq=seq + 1, state=state, last_response=response, updated_at=utcnow())
                )
                if saved.rowcount:
                    return response
                served = select(SESSIONS.c.last_response).where(SESSIONS.c.call_id == call_id)
                return connection.execute(served).scalar_one_or_none() or response

        return await self._run(work)

    async def put_media(
        self, call_id: str, *, seq: int, speech: str, digits: str, seconds: float | None = None
    ) -> None:
        """Keep what a media stream heard at turn ``seq`` for the ``<Connect action>`` webhook."""
        await self._update(call_id, media_input=media_payload(seq, speech, digits, seconds))

    async def media(self, call_id: str, *, seq: int) -> tuple[str, str, float | None]:
        """The (speech, digits, seconds) a media stream stored for turn ``seq``."""
        row = await self.load(call_id)
        return media_for(row.media_input if row is not None else None, seq)

    async def put_state(self, call_id: str, *, state: str) -> None:
        """Replace the state without serving a turn (after a hang-up)."""
        await self._update(call_id, state=state)

    async def close(self) -> None:
        """Nothing to release (the engine belongs to the container)."""
