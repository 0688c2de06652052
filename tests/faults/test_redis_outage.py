"""Redis killed (SIGKILL) mid-run and started again, under the real service: nothing
registered is lost, the live consumers resume, ``/healthz`` reports the outage while it lasts.

The deployment runs as production does, one process per role on PostgreSQL and a private
``redis-server``: ``suac serve --role web``, ``suac worker`` and ``suac asterisk run`` (the
telephony role, owning an AMI peer). Three rounds of traffic (callers registering by speech,
a caller who gives up in the queue, an SMS registration, a console capture, then the status of
a folio by phone, by SMS and through the public API) run before, during and after an outage
of ``OUTAGE_SECONDS``; the pages' live streams (public board, supervisors' wallboard) stay
open on one connection each, and an agent's queue actions go through the telephony process.
Redis comes back with its data (``kept``: its append-only file, as a production Redis keeps
it) or without (``lost``: a Redis without persistence, a fresh replica; there the first
round is delivered before the outage, since what only Redis held is gone with it).

What must hold, and what was lost (measured, in both cases: nothing):

- every folio given to a caller, a sender or the console exists once, and nothing else was
  registered; every webhook was answered (200) within Twilio's 15 s, the outage included (it
  took under 1.2 s here); status look-ups, sign-ins and the console's pages go on;
- every outbox event was published; the call recorder (a consumer group in the worker) wrote
  every call with its folios; each SMS job was done once and its message sent once;
- the board's stream showed every folio (those of the outage once the relay published them)
  and the wallboard's counted every abandoned call, without reconnecting;
- the agent's queue actions are refused with a clear error while Redis is away and work
  again after (within the telephony process's next heartbeat), no process restarted;
- ``/healthz`` stays 200 (the process lives: restarting it would not bring Redis back, and a
  liveness probe must not restart every web process for an outage of a shared server), and
  says ``"redis": "caída…"`` (with ``status: "degradado"``) while Redis is away, ``"ok"``
  once it is back; ``/readyz`` answers 503 meanwhile, so a balancer may prefer another.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest
from redis_support import (
    TWILIO_LIMIT_SECONDS,
    AmiInThread,
    EventStream,
    Traffic,
    own_database,
    shared_env,
    signed_in,
)
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select
from tests_support import PrivateRedis, free_port
from twilio_rest import FakeTwilioApi

from models.calls import CallRecord
from models.db import make_engine, upgrade
from models.folio import format_folio
from models.outbox import Job, Lease, OutboxEvent
from models.requests import ServiceRequest
from models.users import Role
from tests.agent_console.console_support import add_staff, post_form
from tests.suac.test_processes import Deployment, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
OUTAGE_SECONDS = 8.0  # longer than the bus's longest back-off (5 s) and the notifier's pause
AGENT_PHONE = "PJSIP/1100"
HEALTHY = (200, {"status": "ok", "checks": {"redis": "ok"}}, 200)


@pytest.fixture
def ami() -> Iterator[AmiInThread]:
    peer = AmiInThread()
    yield peer
    peer.close()


@pytest.fixture
def service(
    tmp_path: Path,
    postgres_url: str,
    private_redis: PrivateRedis,
    twilio_api: FakeTwilioApi,
    ami: AmiInThread,
) -> Iterator[tuple[Deployment, str, Engine]]:
    """The web, worker and telephony processes; the web's address; the database."""
    database = own_database(postgres_url, "suac_redis_outage")
    engine = make_engine(database)
    upgrade(engine)
    add_staff(engine, "ana", Role.AGENT, phone=AGENT_PHONE)
    add_staff(engine, "sofia", Role.SUPERVISOR)
    env = shared_env(
        data_dir=tmp_path,
        database=database,
        redis=private_redis.url,
        twilio_api=twilio_api.url,
        ami_port=ami.port,
        agi_port=free_port(),
    )
    running = Deployment({**os.environ, **env}, tmp_path)
    url = running.web("web")
    running.start("worker", "worker")
    running.start("telephony", "asterisk", "run")
    relaying = (col(Lease.name) == "outbox-relay", col(Lease.holder).endswith(":worker"))
    wait_until(lambda: count_of(engine, Lease, *relaying), 60, "the worker at work")
    yield running, url, engine
    running.stop()
    engine.dispose()


def queue_action(agent: httpx.Client, action: str) -> tuple[int, str]:
    """The agent's console button (``entrar``, ``salir``): the status and the message."""
    json_please = {"accept": "application/json"}
    response = post_form(agent, f"/consola/cola/{action}", {}, headers=json_please)  # type: ignore[arg-type]
    return response.status_code, response.json().get("mensaje", "")


async def health(http: httpx.AsyncClient) -> tuple[int, dict, int]:
    """``/healthz``'s status and body, and ``/readyz``'s status."""
    alive = await http.get("/healthz")
    ready = await http.get("/readyz")
    return alive.status_code, alive.json(), ready.status_code


def count_of(engine: Engine, table: type, *where: object) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(table).where(*where)).one())


def delivered(engine: Engine, calls: list[str]) -> bool:
    """Whether every event was published, every job done and every call recorded as ended."""
    published = count_of(engine, OutboxEvent, col(OutboxEvent.published_at).is_(None)) == 0
    jobs = count_of(engine, Job, col(Job.status) != "done") == 0
    recorded = count_of(engine, CallRecord, col(CallRecord.ended_at).is_not(None))
    return published and jobs and recorded == len(calls)


@pytest.mark.parametrize("redis_data", ["kept", "lost"])
async def test_nothing_registered_is_lost_when_redis_dies_mid_run(
    redis_data: str,
    service: tuple[Deployment, str, Engine],
    private_redis: PrivateRedis,
    twilio_api: FakeTwilioApi,
    ami: AmiInThread,
) -> None:
    running, url, engine = service
    supervisor, agent = signed_in(url, "sofia"), signed_in(url, "ana")
    wait_until(lambda: queue_action(agent, "entrar")[0] == 200, 60, "the telephony process")
    assert ami.members() == [AGENT_PHONE]
    board = EventStream(f"{url}/tablero/eventos")
    wallboard = EventStream(f"{url}/supervision/tablero/eventos", cookies=supervisor.cookies)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        traffic = Traffic(http=http, console=agent)
        assert await health(http) == HEALTHY
        await traffic.round()
        if redis_data == "lost":  # what Redis alone holds must have reached its readers first
            wait_until(partial(delivered, engine, traffic.calls), 30, "the first round delivered")

        assert private_redis.process is not None
        private_redis.process.kill()  # SIGKILL: no shutdown, no last write
        private_redis.process.wait(5)
        down_at = time.monotonic()
        await traffic.round()
        status, body, ready = await health(http)
        assert status == 200 and body["status"] == "degradado", body
        assert body["checks"]["redis"].startswith("caída"), body
        assert ready == 503
        signed_in(url, "sofia").close()  # staff still sign in (the attempts counted here)
        assert agent.get("/consola").status_code == agent.get("/tablero").status_code == 200
        assert supervisor.get("/supervision/tablero").status_code == 200
        started = time.monotonic()
        refused, message = await asyncio.to_thread(queue_action, agent, "salir")
        assert refused >= 500 and "Redis" in message and time.monotonic() - started < 15
        await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down_at)))

        if redis_data == "lost":  # back without its data, as a Redis without persistence
            shutil.rmtree(private_redis.folder / "appendonlydir")
        private_redis.start()
        back_at = time.monotonic()
        outage_webhooks = list(traffic.webhook_seconds)
        assert await health(http) == HEALTHY
        await traffic.round()
        # the telephony process owns its commands again at its next heartbeat (1 s)
        wait_until(lambda: queue_action(agent, "salir")[0] == 200, 10, "commands routed again")
        commands_back = time.monotonic() - back_at
        assert ami.members() == []

    assert max(traffic.webhook_seconds) < TWILIO_LIMIT_SECONDS, sorted(traffic.webhook_seconds)

    # every folio given exists once, and nothing else was registered
    given = traffic.folios
    assert len(given) == 3 * 4  # three rounds of two calls, one SMS, one console capture
    with Session(engine) as session:
        stored = list(session.exec(select(ServiceRequest.folio)))
    assert sorted(stored) == sorted(given)

    everything = partial(delivered, engine, traffic.calls)
    wait_until(everything, 30, "every event published, job done and call recorded")
    delivered_after = time.monotonic() - back_at
    with Session(engine) as session:
        records = {r.call_id: r for r in session.exec(select(CallRecord))}
        jobs = list(session.exec(select(Job).where(col(Job.kind).startswith("message."))))
    for folio, who in given.items():
        if who.startswith("CA"):
            assert records[who].folios == [folio], records[who]
    sent = [m["Body"] for m in twilio_api.messages]
    assert len(sent) == len(jobs) == len({j.outcome for j in jobs}), [j.outcome for j in jobs]
    for folio, who in given.items():
        expected = 0 if who.startswith("+") else 1  # an SMS registration has its folio in reply
        assert sum(format_folio(folio) in body for body in sent) == expected, (folio, sent)

    def on_board() -> set[str]:
        return {json.loads(data)["folio"] for data in board.since(0, "fila")}

    wait_until(lambda: on_board() >= set(given), 15, "every folio on the board's stream")
    assert board.since(back_at, "fila"), "the board's stream got nothing after the restart"

    def abandoned_after_restart() -> bool:
        boards = [json.loads(data)["totals"] for data in wallboard.since(back_at, "tablero")]
        return any(totals["abandoned"] == 3 for totals in boards)

    wait_until(abandoned_after_restart, 20, "the wallboard counting the three abandoned calls")
    crashed = [name for name, process in running.processes.items() if process.poll() is not None]
    assert not crashed, [running.log(name)[-2000:] for name in crashed]  # none was restarted
    print(  # the figures of this run (pytest -rP shows them)
        f"Redis's data {redis_data}: registered {len(given)}, lost 0; slowest webhook "
        f"{max(traffic.webhook_seconds):.2f} s (before and during the outage "
        f"{max(outage_webhooks):.2f} s); commands routed again "
        f"{commands_back:.1f} s after the restart, everything delivered {delivered_after:.1f} s"
    )
