"""Database faults against the real service process: another process holding the embedded
SQLite's write lock for 30 s, and PostgreSQL connections killed (``pg_terminate_backend``)
in the middle of registrations. Callers are answered within Twilio's limits and either hear
their folio or are put through to an agent; nothing registered is lost or half-written."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from ivr.twilio.simulator import SimulatedCall
from models.db import make_engine, session_scope, upgrade
from models.outbox import OutboxEvent
from models.requests import FolioCounter, RequestHistory, ServiceRequest
from tests.faults.database_support import (
    APOLOGY,
    PUBLIC,
    TOKEN,
    TWILIO_LIMIT_SECONDS,
    ServiceProcess,
    TimedCall,
    sqlite_write_lock,
    walk,
)

LOCK_SECONDS = 30.0  # the lock
HEALTH_SECONDS = 2.0  # /healthz never waits on the database (a wait would take 5 s)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ServiceProcess]:
    running = ServiceProcess(data_dir=tmp_path)
    yield running
    running.stop()


def new_call(http: httpx.AsyncClient) -> TimedCall:
    caller = f"+52155{random.randrange(10**7, 10**8)}"
    return TimedCall(
        SimulatedCall(http=http, public_base_url=PUBLIC, auth_token=TOKEN, caller=caller)
    )


def check_answered(calls: list[TimedCall]) -> None:
    """Every webhook answered with TwiML within Twilio's limit; every call at its end."""
    for call in calls:
        assert all(page.status_code == 200 for page in call.pages), call.pages[-1].xml
        assert max(call.seconds) < TWILIO_LIMIT_SECONDS, call.seconds
        assert call.over and (call.registered or call.handed_over), call.pages[-1].text


def check_nothing_half_written(engine: Engine, calls: list[TimedCall]) -> dict[str, int]:
    """Each folio read to a caller exists once; each request has its history and its event,
    and its caller heard its folio or reached an agent; the folio counter issued exactly one
    number per request. Returns what the database holds."""
    with session_scope(engine, readonly=True) as session:
        requests = list(session.exec(select(ServiceRequest)))
        histories = Counter(row.request_id for row in session.exec(select(RequestHistory)))
        payloads = [json.loads(row.payload) for row in session.exec(select(OutboxEvent))]
        counters = {row.year: row.last_sequence for row in session.exec(select(FolioCounter))}
    folios = Counter(request.folio for request in requests)
    for call in calls:
        for folio in call.folios_heard:
            assert folios[folio] == 1, f"folio {folio} read to {call.call.call_sid}"
    registered = {event["folio"] for event in payloads if event["type"] == "request.registered"}
    by_sid = {call.call.call_sid: call for call in calls}
    for request in requests:
        assert histories[request.id] >= 1 and request.folio in registered, request.folio
        call = by_sid[request.call_id or ""]  # a folio not read: its caller reached an agent
        assert request.folio in call.folios_heard or call.handed_over, request.folio
    issued = Counter(folio[:2] for folio in folios)
    assert {2000 + int(year): count for year, count in issued.items()} == counters
    return {"requests": len(requests), "events": len(registered)}


def report(calls: list[TimedCall], held: dict[str, int], **figures: float) -> None:
    """The figures of a run (shown with ``pytest -rP``)."""
    slowest = max(max(call.seconds) for call in calls)
    registered = sum(call.registered for call in calls)
    handed = sum(call.handed_over for call in calls)
    print(
        f"calls {len(calls)}: registered {registered}, put through to an agent {handed}; "
        f"slowest webhook {slowest:.1f} s; database: {held}; "
        + ", ".join(f"{name} {value:g}" for name, value in figures.items())
    )


async def test_a_sqlite_lock_held_30_seconds_keeps_every_call_answered(
    service: ServiceProcess,
) -> None:
    """Another process holds ``BEGIN IMMEDIATE`` on the service's SQLite file for 30 s while
    calls arrive, some of them half-way through a registration.

    Lost: nothing. Each webhook was answered in under 15 s (each wait gave up after 5 s),
    ``/healthz`` never waited, every caller either heard a folio or heard the apology and
    was put through to an agent, every folio read exists once with its history and event, and
    calls after the lock register as usual.
    """
    service.start()
    async with httpx.AsyncClient(base_url=service.url, timeout=30) as http:
        before = [await walk(new_call(http), moves=2) for _ in range(3)]  # described, not done
        assert not any(call.over for call in before)  # each waits for an answer
        health: list[float] = []
        during: list[TimedCall] = []
        with sqlite_write_lock(service.data_dir / "suac.db", LOCK_SECONDS) as holder:

            async def poll_health() -> None:
                while holder.poll() is None:
                    began = time.monotonic()
                    assert (await http.get("/healthz")).status_code == 200
                    health.append(time.monotonic() - began)
                    await asyncio.sleep(0.5)

            async def arrivals() -> None:
                walking = [asyncio.create_task(walk(call)) for call in before]
                while holder.poll() is None:
                    during.extend(new_call(http) for _ in range(2))
                    walking += [asyncio.create_task(walk(call)) for call in during[-2:]]
                    await asyncio.sleep(3)
                await asyncio.gather(*walking)

            await asyncio.gather(poll_health(), arrivals())
        after = await asyncio.gather(*(walk(new_call(http)) for _ in range(3)))
    calls = [*before, *during, *after]
    check_answered(calls)
    assert max(health) < HEALTH_SECONDS, health
    handed_over = [call for call in [*before, *during] if call.handed_over]
    assert len(handed_over) >= len(before) and all(APOLOGY in c.pages[-1].text for c in handed_over)
    assert all(call.registered for call in after)
    held = check_nothing_half_written(
        make_engine(f"sqlite:///{service.data_dir / 'suac.db'}"), calls
    )
    assert held["requests"] >= len(after)
    report(calls, held, health=max(health))


PAUSE_REGISTRATIONS = """
CREATE FUNCTION fault_pause() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$;
CREATE TRIGGER fault_pause BEFORE INSERT ON request_history
FOR EACH ROW EXECUTE FUNCTION fault_pause();
"""

OTHER_TRANSACTIONS = "xact_start IS NOT NULL AND wait_event IS DISTINCT FROM 'PgSleep'"


class BackendKiller:
    """Kills the service's PostgreSQL connections: every other registration caught in its
    pause (folio counter and request row written, history and event not yet), and every
    5th round whatever transaction is open (a call's state, a look-up, an event)."""

    def __init__(self, url: str, application: str) -> None:
        self._url, self._application = url, application
        self.mid_registration = 0
        self.others = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _kill(self, connection: psycopg.Connection, condition: str) -> list[int]:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND " + condition,
            (self._application,),
        ).fetchall()
        for (pid,) in rows:
            connection.execute("SELECT pg_terminate_backend(%s)", (pid,))
        return [pid for (pid,) in rows]

    def _run(self) -> None:
        spared: set[int] = set()
        with psycopg.connect(self._url, autocommit=True) as connection:
            for round_ in itertools.count():
                if self._stop.wait(0.05):
                    return
                paused = connection.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = %s "
                    "AND wait_event = 'PgSleep'",
                    (self._application,),
                ).fetchall()
                for (pid,) in paused:
                    if pid in spared:
                        continue
                    if len(spared) < self.mid_registration:  # spare every other one
                        spared.add(pid)
                        continue
                    connection.execute("SELECT pg_terminate_backend(%s)", (pid,))
                    self.mid_registration += 1
                if round_ % 5 == 4:
                    self.others += len(self._kill(connection, OTHER_TRANSACTIONS))

    def __enter__(self) -> BackendKiller:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.mark.postgres
async def test_postgres_connections_killed_mid_registration_leave_nothing_half_written(
    service: ServiceProcess, postgres_url: str
) -> None:
    """Callers register requests by phone while the service's PostgreSQL connections are
    killed with ``pg_terminate_backend``: a test trigger pauses each registration after its
    folio and request row are written (before its history and event), and every other one
    paused is killed there; other open transactions are killed now and then too.

    Lost: nothing. No request row without its history or its ``request.registered`` event, no
    folio number issued without a request (the counter equals the requests), every folio read
    to a caller exists once, every caller either heard a folio or was put through to an agent
    within Twilio's limit, and calls after the kills register as usual.
    """
    application = "suac-fault"
    engine = make_engine(postgres_url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql(PAUSE_REGISTRATIONS)
    service.env["SUAC_DATABASE_URL"] = f"{postgres_url}?application_name={application}"
    service.start()
    libpq_url = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    async with httpx.AsyncClient(base_url=service.url, timeout=30) as http:
        during: list[TimedCall] = []
        with BackendKiller(libpq_url, application) as killer:
            for _ in range(4):  # rounds of concurrent registrations
                during += await asyncio.gather(*(walk(new_call(http)) for _ in range(6)))
        after = await asyncio.gather(*(walk(new_call(http)) for _ in range(3)))
    calls = [*during, *after]
    check_answered(calls)
    assert killer.mid_registration > 0 and killer.others > 0
    assert any(call.handed_over for call in during)  # the kills did reach callers
    assert any(call.registered for call in during)  # and others registered meanwhile
    assert all(call.registered for call in after)
    held = check_nothing_half_written(engine, calls)
    assert held["requests"] >= len(after)
    report(calls, held, mid_registration=killer.mid_registration, other_kills=killer.others)
