"""Call state between webhooks, in the database, so any worker serves a call's next step.

Each stored call has ``seq``, the number of turns served. A webhook answering turn ``n``
first *claims* turn ``n + 1`` (one conditional UPDATE); only the claimer computes the turn.
A retried webhook for an already served turn gets the stored answer again, so nothing is
ever registered twice::

    store = CallStore(engine=engine)
    claim = await store.claim("CA…", seq=1)
    if claim.state is not None:            # ours to compute
        await store.save("CA…", seq=1, state=new_state_json, response=twiml)
    else:                                  # served before (or being served)
        twiml = claim.response
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Engine, Table, select, update
from sqlalchemy.exc import IntegrityError

from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.ivr_sessions import IvrSession

T = TypeVar("T")
SESSIONS: Table = IvrSession.__table__  # type: ignore[attr-defined]  # Core: no ORM bookkeeping
WAIT_STEP_SECONDS = 0.05
WAIT_LIMIT_SECONDS = 8.0


@dataclass(frozen=True)
class Claim:
    """Either the state to compute the next turn from, or the answer already served."""

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


async def wait_until_served(
    load: Callable[[str], Awaitable[IvrSession | None]], call_id: str, seq: int
) -> str | None:
    """The answer of turn ``seq + 1``, waiting while another worker computes it."""
    row = await load(call_id)
    waited = 0.0
    while row is not None and row.seq <= seq and row.claimed_seq > seq:
        if waited >= WAIT_LIMIT_SECONDS:
            break
        await asyncio.sleep(WAIT_STEP_SECONDS)
        waited += WAIT_STEP_SECONDS
        row = await load(call_id)
    return row.last_response if row is not None else None


class CallStore:
    """Stores each live call's flow state and last answer."""

    def __init__(self, *, engine: Engine) -> None:
        self._engine = engine

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

        def grab() -> tuple[str | None, bool]:
            with self._engine.begin() as connection:
                statement = (
                    update(SESSIONS)
                    .where(SESSIONS.c.call_id == call_id)
                    .where(SESSIONS.c.seq == seq)
                    .where(SESSIONS.c.claimed_seq == seq)
                    .values(claimed_seq=seq + 1)
                    .returning(SESSIONS.c.state)
                )
                state = connection.execute(statement).scalar_one_or_none()
                if state is not None:
                    return state, True
                known = select(SESSIONS.c.call_id).where(SESSIONS.c.call_id == call_id)
                return None, connection.execute(known).first() is not None

        state, found = await self._run(grab)
        if state is not None:
            return Claim(state=state)
        if not found:
            return Claim(found=False)
        return Claim(response=await wait_until_served(self.load, call_id, seq))

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

    async def save(self, call_id: str, *, seq: int, state: str, response: str) -> None:
        """Record turn ``seq + 1`` as served, with the state it leaves."""
        await self._update(call_id, seq=seq + 1, state=state, last_response=response)

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
