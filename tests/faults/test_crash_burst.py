"""The service killed (SIGKILL) in the middle of a burst of calls, and started again.

Thirty simulated Twilio calls (signed webhooks) arrive within two seconds on ``suac serve``
over the real PostgreSQL: two in three register a lack of water by phone, the others ask for
an agent with ``0`` after describing it. When about a third of the burst's webhooks have been
answered the server is killed with SIGKILL, webhooks in flight included, and started again;
Twilio's side sends every webhook that got no answer again, as its retries do, to the new
process.

What must hold, and what was lost (measured: nothing):

- the kill cut webhooks in flight and left turns claimed by the dead process (when a turn was
  answered between the look and the kill, the new process is killed the same way);
- every call ends with its folio read or in the agents' queue (``<Enqueue>``); none is stuck;
- every answer is the next turn of the call: a retried webhook whose turn the dead process had
  claimed is served fresh (the claim's lease lapsed), never the previous prompt again, and
  within Twilio's 15 s;
- every folio read to a caller exists once in the database, registered for that call.

Measured on a 2-core machine: the kill cut 11–13 webhooks and left 6–11 turns claimed; 20
callers heard their folio and 10 reached an agent; every answer of a live process came within
0.8 s, and the callers in flight waited 4–6 s (the restart) for theirs.

A request the killed process registered in its last milliseconds, after its commit and before
its answer left, is the one the retried turn reads back: a call registers the same category
and description once (``RequestService.register``), so no request is left that its caller
was not told.
"""

from __future__ import annotations

import asyncio
import random
import re
import signal
import time
from dataclasses import dataclass, field

import httpx
import pytest
from database_support import PUBLIC, TOKEN, TWILIO_LIMIT_SECONDS, ServiceProcess, TimedCall, walk
from sqlalchemy import Engine
from sqlmodel import Session, col, func, or_, select

from ivr.twilio.simulator import SimulatedCall
from models.db import make_engine
from models.ivr_sessions import IvrSession
from models.requests import ServiceRequest

pytestmark = pytest.mark.postgres
CALLS = 30
ARRIVAL_SECONDS = 2.0
KILL_AFTER_ANSWERS = 60  # of about 170 in the burst
RETRY_PAUSE_SECONDS = 0.3
STEP = re.compile(r"/twilio/voice/step\?seq=(\d+)")


@dataclass
class RetriedCall(SimulatedCall):
    """A call as Twilio places it, sending a webhook again while the server cannot answer,
    and noting every answer that is not the call's next turn."""

    cut: int = 0  # webhooks whose connection the kill cut
    slowest: float = 0.0
    stale: list[str] = field(default_factory=list)

    async def post(self, url: str, extra: dict[str, str] | None = None) -> httpx.Response:
        while True:
            began = time.monotonic()
            try:
                response = await super().post(url, extra)
            except httpx.ConnectError:  # no server listening (yet)
                await asyncio.sleep(RETRY_PAUSE_SECONDS)
                continue
            except httpx.TransportError:  # cut by the kill (or over Twilio's 15 s)
                self.cut += 1
                continue
            self.slowest = max(self.slowest, time.monotonic() - began)
            asked = STEP.search(url)
            expected = int(asked.group(1)) + 1 if asked else 1
            answered = [int(seq) for seq in STEP.findall(response.text)]
            if response.status_code != 200 or any(seq != expected for seq in answered):
                self.stale.append(f"{url} → {response.status_code} {response.text[:300]}")
            return response


async def place(call: TimedCall, index: int) -> None:
    """One caller of the burst: register a lack of water, or describe it and press 0."""
    await asyncio.sleep(random.uniform(0, ARRIVAL_SECONDS))
    if index % 3 != 2:
        await walk(call)
        return
    await walk(call, moves=2)  # the menu, the description
    if not call.over:
        await call.send("press", "0")


def claimed_turns(engine: Engine) -> int:
    """Turns claimed and not answered yet (being computed, or left by a dead process)."""
    with Session(engine) as session:
        query = select(func.count()).where(col(IvrSession.claimed_seq) > col(IvrSession.seq))
        return session.exec(query).one()


async def kill_and_restart(
    service: ServiceProcess, client: httpx.AsyncClient, calls: list[TimedCall], engine: Engine
) -> int:
    """SIGKILL once ``KILL_AFTER_ANSWERS`` webhooks were answered and a turn is being computed,
    then start a new process (Twilio's retries reach it at its new address, as through a
    balancer); again if the turn was answered between the look and the kill. The turns the
    dead process left claimed."""
    while sum(len(call.pages) for call in calls) < KILL_AFTER_ANSWERS:
        await asyncio.sleep(0.01)
    left = 0
    while not left:
        while not await asyncio.to_thread(claimed_turns, engine):
            await asyncio.sleep(0.005)
        assert service.process is not None
        service.process.send_signal(signal.SIGKILL)
        service.process.wait()
        left = await asyncio.to_thread(claimed_turns, engine)
        await asyncio.to_thread(service.start)
        client.base_url = httpx.URL(service.url)
    return left


def registered_for(database_url: str, folios: list[str], call_ids: list[str]) -> dict[str, str]:
    """The call each of these folios, or each request of these calls, was registered for."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            by_folio, by_call = col(ServiceRequest.folio), col(ServiceRequest.call_id)
            query = select(ServiceRequest).where(or_(by_folio.in_(folios), by_call.in_(call_ids)))
            return {request.folio: request.call_id or "" for request in session.exec(query)}
    finally:
        engine.dispose()


async def test_calls_in_flight_when_the_server_is_killed_complete_or_reach_an_agent(
    service_on_postgres: ServiceProcess, postgres_url: str
) -> None:
    service = service_on_postgres
    await asyncio.to_thread(service.start)
    engine = make_engine(postgres_url)
    timeout = httpx.Timeout(TWILIO_LIMIT_SECONDS)
    async with httpx.AsyncClient(base_url=service.url, timeout=timeout) as client:
        phones = [
            RetriedCall(http=client, public_base_url=PUBLIC, auth_token=TOKEN) for _ in range(CALLS)
        ]
        calls = [TimedCall(phone) for phone in phones]
        crash = asyncio.create_task(kill_and_restart(service, client, calls, engine))
        await asyncio.gather(*(place(call, index) for index, call in enumerate(calls)))
        assert crash.done(), "the burst ended before a kill left a turn claimed"
        left_claimed = crash.result()
    engine.dispose()
    assert left_claimed > 0 and sum(phone.cut for phone in phones) > 0  # the fault happened
    stale = [answer for phone in phones for answer in phone.stale]
    assert not stale, "answers that were not the call's next turn:\n" + "\n".join(stale)
    assert max(phone.slowest for phone in phones) < TWILIO_LIMIT_SECONDS
    stuck = [c.call.call_sid for c in calls if not (c.handed_over or c.folios_heard)]
    assert not stuck, f"calls neither registered nor with an agent: {stuck}\n{service.log()}"
    heard = {folio: c.call.call_sid for c in calls for folio in c.folios_heard}
    assert len(heard) == sum(len(c.folios_heard) for c in calls), "a folio read to two callers"
    registered = registered_for(postgres_url, list(heard), [phone.call_sid for phone in phones])
    wrong = {f: (sid, registered.get(f)) for f, sid in heard.items() if registered.get(f) != sid}
    assert not wrong, f"folios read, and whom they are registered for: {wrong}"
    untold = sorted(folio for folio in registered if folio not in heard)
    assert not untold, f"registered for a call, never read to its caller: {untold}"
