"""A SQLite lock held elsewhere never freezes the event loop: the wait goes to a worker thread,
is bounded, and a caller whose wait ran out hears the apology and is put through to an agent.

Reproduced first on the code before: another process holding ``BEGIN IMMEDIATE`` for 2.5 s
stopped the loop for 2.5 s (and ``/healthz`` with it), for up to 30 s when held longer.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from ivr.twilio.simulator import SimulatedCall
from models.bus import InProcessBus
from models.call_records import CallRecorder
from models.calls import CallRecord
from models.config import Settings, TwilioSettings
from models.db import make_engine, run_blocking, session_scope
from models.errors import DatabaseBusy
from models.events import CallStarted
from suac.container import prepare_database
from suac.web import create_app
from tests.faults.database_support import APOLOGY, PUBLIC, TOKEN, LoopTicker, sqlite_write_lock

BLOCKED = 1.0  # a loop that stopped this long was blocked (every hold below is longer)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "lock.db"


def _engine(path: Path, busy_timeout_seconds: float | None = None) -> Engine:
    url = f"sqlite:///{path}"
    if busy_timeout_seconds is None:
        return make_engine(url)
    return make_engine(url, busy_timeout_seconds=busy_timeout_seconds)


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    engine = _engine(db_path)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (body TEXT NOT NULL)"))
    yield engine
    engine.dispose()


def _insert(engine: Engine, body: str) -> None:
    with session_scope(engine) as session:
        session.execute(text("INSERT INTO note (body) VALUES (:body)"), {"body": body})


def _notes(engine: Engine) -> list[str]:
    with session_scope(engine, readonly=True) as session:
        return list(session.execute(text("SELECT body FROM note ORDER BY rowid")).scalars())


async def test_a_write_waiting_for_another_process_leaves_the_loop_running(
    engine: Engine, db_path: Path
) -> None:
    with sqlite_write_lock(db_path, seconds=2.5):
        async with LoopTicker() as ticker:
            await run_blocking(engine, lambda: _insert(engine, "después del candado"))
    assert ticker.longest < BLOCKED, f"the loop stopped for {ticker.longest:.1f} s"
    assert _notes(engine) == ["después del candado"]


async def test_reads_go_on_while_another_process_holds_the_write_lock(
    engine: Engine, db_path: Path
) -> None:
    _insert(engine, "antes")
    with sqlite_write_lock(db_path, seconds=30) as holder:
        async with LoopTicker() as ticker:
            assert await run_blocking(engine, lambda: _notes(engine)) == ["antes"]
        assert holder.poll() is None  # read while the lock was still held
    assert ticker.longest < BLOCKED


async def test_a_wait_that_runs_out_raises_database_busy(engine: Engine, db_path: Path) -> None:
    engine = _engine(db_path, busy_timeout_seconds=0.3)
    _notes(engine)  # connected before the lock is taken
    with sqlite_write_lock(db_path, seconds=30) as holder:
        async with LoopTicker() as ticker:
            with pytest.raises(DatabaseBusy) as raised:
                await run_blocking(engine, lambda: _insert(engine, "no cabe"))
        assert holder.poll() is None
    assert ticker.longest < BLOCKED
    assert raised.value.error_id == "database-busy" and raised.value.status_code == 503
    assert "ocupada" in raised.value.message and raised.value.headers == {"Retry-After": "1"}
    assert _notes(engine) == []
    _insert(engine, "otra vez libre")  # nothing held: the gate and the connection were released
    assert _notes(engine) == ["otra vez libre"]


async def test_a_work_that_meets_the_lock_mid_way_is_not_run_again(
    engine: Engine, db_path: Path
) -> None:
    """The first transaction commits inline; the second waits in a thread and goes on."""
    other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    calls = []

    def work() -> int:
        calls.append(1)
        _insert(engine, "primera")
        other.execute("BEGIN IMMEDIATE")
        threading.Timer(1.5, other.execute, ("COMMIT",)).start()
        _insert(engine, "segunda")
        return len(_notes(engine))

    async with LoopTicker() as ticker:
        assert await run_blocking(engine, work) == 2
    assert ticker.longest < BLOCKED
    assert calls == [1] and _notes(engine) == ["primera", "segunda"]
    other.close()


async def test_writers_of_one_process_wait_for_each_other_off_the_loop(engine: Engine) -> None:
    held, done = threading.Event(), threading.Event()

    def slow_writer() -> None:
        with session_scope(engine) as session:
            session.execute(text("INSERT INTO note (body) VALUES ('hilo')"))
            held.set()
            time.sleep(2)
        done.set()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    held.wait(5)
    async with LoopTicker() as ticker:
        await run_blocking(engine, lambda: _insert(engine, "bucle"))
    thread.join()
    assert done.is_set() and ticker.longest < BLOCKED
    assert _notes(engine) == ["hilo", "bucle"]


async def test_many_writers_on_the_loop_all_pass_when_a_thread_releases_the_gate(
    engine: Engine,
) -> None:
    held = threading.Event()

    def slow_writer() -> None:
        with session_scope(engine) as session:
            session.execute(text("INSERT INTO note (body) VALUES ('hilo')"))
            held.set()
            time.sleep(1.5)

    thread = threading.Thread(target=slow_writer)
    thread.start()
    held.wait(5)
    writes = [run_blocking(engine, partial(_insert, engine, str(n))) for n in range(20)]
    async with LoopTicker() as ticker:
        await asyncio.gather(*writes)
    thread.join()
    assert ticker.longest < BLOCKED
    assert sorted(_notes(engine)) == sorted(["hilo", *map(str, range(20))])


async def test_a_cancelled_wait_releases_everything(engine: Engine, db_path: Path) -> None:
    with sqlite_write_lock(db_path, seconds=1.5):
        task = asyncio.create_task(run_blocking(engine, lambda: _insert(engine, "cancelada")))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    await run_blocking(engine, lambda: _insert(engine, "siguiente"))
    assert _notes(engine) == ["siguiente"]


# --- the whole application --------------------------------------------------------------------


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        public_base_url=PUBLIC,
        twilio=TwilioSettings(account_sid="AC" + "5" * 32, auth_token=TOKEN),
        database_busy_timeout_seconds=1.0,
        _env_file=None,
    )


@pytest.fixture
async def http(app_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(app_settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def _timed(request) -> tuple[float, httpx.Response]:  # noqa: ANN001
    began = time.monotonic()
    response = await request
    return time.monotonic() - began, response


async def test_healthz_and_a_call_answer_while_another_process_holds_the_lock(
    http: httpx.AsyncClient, app_settings: Settings
) -> None:
    call = SimulatedCall(http=http, public_base_url=PUBLIC, auth_token=TOKEN)
    await call.start()
    with sqlite_write_lock(app_settings.database_path, seconds=6) as holder:
        step = asyncio.create_task(call.press("1"))
        await asyncio.sleep(0.2)  # the step is waiting for the lock now
        health_seconds, health = await _timed(http.get("/healthz"))
        page = await step
        assert holder.poll() is None  # answered while the lock was still held
    assert health.status_code == 200 and health_seconds < BLOCKED
    assert page.status_code == 200 and APOLOGY in page.text
    assert page.end is not None and page.end.startswith("enqueue:")  # put through to an agent
    fresh = SimulatedCall(http=http, public_base_url=PUBLIC, auth_token=TOKEN)
    assert "Bienvenido a Locatel" in (await fresh.start()).text  # the lock is gone: served


async def test_the_call_recorder_keeps_its_events_through_a_long_lock(tmp_path: Path) -> None:
    """Its writes run in a thread and give up after the busy timeout: it retries them."""
    settings = Settings(data_dir=tmp_path, database_busy_timeout_seconds=0.3, _env_file=None)
    engine = prepare_database(settings)
    bus = InProcessBus()
    recorder = CallRecorder(engine=engine, bus=bus, name="prueba")
    await recorder.start()
    call_id = "CA" + "b" * 32
    try:
        with sqlite_write_lock(settings.database_path, seconds=1.5):
            await bus.publish(CallStarted(call_id=call_id, transport="twilio", caller="+5255"))
            await asyncio.sleep(1.0)  # a write gave up meanwhile
        for _ in range(100):
            with session_scope(engine, readonly=True) as session:
                if session.get(CallRecord, call_id) is not None:
                    break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the call was never recorded")
    finally:
        await recorder.stop()
        await bus.close()
        engine.dispose()


async def test_readiness_reads_the_database_without_waiting_for_a_writer(
    http: httpx.AsyncClient, app_settings: Settings
) -> None:
    """``/readyz`` probes the database with a read, which no foreign write lock delays."""
    with sqlite_write_lock(app_settings.database_path, seconds=4) as holder:
        seconds, ready = await _timed(http.get("/readyz"))
        assert holder.poll() is None
    assert seconds < BLOCKED and ready.json()["checks"]["base_de_datos"] == "ok"
