"""Retention: past ``SUAC_RETENTION_DAYS`` the IVR's sessions (calls and text conversations:
caller numbers, states with what callers said), the call-backs booked in the IVR and the
transcripts in call records are gone, on SQLite and PostgreSQL, and in Redis (call state,
event stream); anything younger is untouched. The worker runs the sweep under a lease."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from ivr.asterisk.constants import UTTERANCES_DIR
from ivr.twilio.redis_retention import forget_old_calls
from ivr.twilio.redis_store import KEY_PREFIX, RedisCallStore
from models.calls import CallRecord
from models.config import Settings
from models.db import make_engine, upgrade
from models.db_types import utcnow
from models.handoff import HandoffContext, handoff_for
from models.ivr_sessions import CallbackRequest, IvrSession
from models.periodic import Leases
from models.retention import RetentionJob, purge_database, trim_event_stream
from suac.roles import utterance_retention_job
from suac.web import create_app

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
OLD, RECENT = NOW - timedelta(days=91), NOW - timedelta(days=89)
PURGED = {"ivr_session": 2, "callback_request": 1, "call_record": 1, "reference_audio": 0}
SAID = "hay una fuga frente a la casa de Rosa Martínez en Calle Secreta 12"
CONTEXT = HandoffContext(
    caller="+525511112222",
    path=["menu", "describe"],
    transcript=[SAID],
    alcaldia="Tlalpan",
    reference="frente a la casa de Rosa",
    reason="el ciudadano pidió un asesor",
)


def seed(engine: Engine) -> None:
    """An old and a recent call, conversation, booked call-back and handed-over call record."""
    with Session(engine) as session:
        for age, at in (("old", OLD), ("recent", RECENT)):
            state = json.dumps({"caller": "+525511112222", "transcript": [SAID]})
            session.add(IvrSession(call_id=f"CA-{age}", state=state, created_at=at, updated_at=at))
            session.add(
                IvrSession(
                    call_id=f"text:+52551111{age}", state=state, created_at=at, updated_at=at
                )
            )
            session.add(
                CallbackRequest(
                    call_id=f"CA-{age}",
                    phone="+525511112222",
                    queue="locatel",
                    context=CONTEXT.model_dump_json(),
                    status="placed",
                    requested_at=at,
                )
            )
            session.add(
                CallRecord(
                    call_id=f"CA-{age}",
                    transport="twilio",
                    caller="+525511112222",
                    started_at=at,
                    handoff=CONTEXT.model_dump(mode="json"),
                )
            )
        # a conversation begun long ago whose sender still writes: kept
        session.add(IvrSession(call_id="text:+525599990000", created_at=OLD, updated_at=RECENT))
        session.commit()


def check_purged(engine: Engine) -> None:
    with Session(engine) as session:
        sessions = set(session.exec(select(IvrSession.call_id)))
        callbacks = set(session.exec(select(CallbackRequest.call_id)))
    assert sessions == {"CA-recent", "text:+52551111recent", "text:+525599990000"}
    assert callbacks == {"CA-recent"}
    old, recent = handoff_for(engine, "CA-old"), handoff_for(engine, "CA-recent")
    assert old is not None and recent is not None
    assert old.transcript == [] and old.reference is None
    assert (old.path, old.alcaldia, old.reason) == (CONTEXT.path, "Tlalpan", CONTEXT.reason)
    assert recent == CONTEXT


def purge(engine: Engine) -> dict[str, int]:
    seed(engine)
    purged = purge_database(engine, before=NOW - timedelta(days=90))
    check_purged(engine)
    assert purge_database(engine, before=NOW - timedelta(days=90)) == dict.fromkeys(purged, 0)
    return purged


def test_old_sessions_call_backs_and_transcripts_go_on_sqlite(engine: Engine) -> None:
    assert purge(engine) == PURGED


@pytest.mark.postgres
def test_old_sessions_call_backs_and_transcripts_go_on_postgres(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    upgrade(engine)
    try:
        assert purge(engine) == PURGED
    finally:
        engine.dispose()


async def test_the_job_counts_from_its_clock_and_runs_every_sweep(engine: Engine) -> None:
    seed(engine)
    swept: list[datetime] = []

    async def sweep(*, before: datetime) -> int:
        swept.append(before)
        return 3

    job = RetentionJob(engine=engine, days=90, clock=lambda: NOW, sweeps={"redis": sweep})
    assert await job.run() == {**PURGED, "redis": 3}
    assert swept == [NOW - timedelta(days=90)]
    check_purged(engine)


@pytest.mark.redis
async def test_redis_call_state_and_events_past_the_period_go(redis_url: str) -> None:
    import redis.asyncio as redis

    client = redis.from_url(redis_url, decode_responses=True)
    store = RedisCallStore(url=redis_url)
    stream = "suac:test:retention"
    try:
        await client.delete(stream, *[k async for k in client.scan_iter(f"{KEY_PREFIX}*")])
        await store.create("CA-live", state="{}", response="<Response/>")
        # a hash written again after it expired has no expiry: kept only until the period ends
        await client.hset(f"{KEY_PREFIX}CA-old", mapping={"state": SAID})
        await client.hset(f"{KEY_PREFIX}CA-old", "created_at", OLD.isoformat())
        await client.hset(f"{KEY_PREFIX}CA-recent", mapping={"state": SAID})
        await client.hset(f"{KEY_PREFIX}CA-recent", "created_at", RECENT.isoformat())
        await client.hset(f"{KEY_PREFIX}CA-undated", mapping={"state": SAID})
        before = NOW - timedelta(days=90)
        assert await forget_old_calls(redis_url, before=before) == 2
        assert not await client.exists(f"{KEY_PREFIX}CA-old", f"{KEY_PREFIX}CA-undated")
        assert await client.hget(f"{KEY_PREFIX}CA-recent", "state") == SAID
        assert 0 < await client.ttl(f"{KEY_PREFIX}CA-recent") <= 24 * 3600
        assert await client.hget(f"{KEY_PREFIX}CA-live", "seq") == "1"

        old_id = f"{int(OLD.timestamp() * 1000)}-0"
        recent_id = f"{int(RECENT.timestamp() * 1000)}-0"
        await client.xadd(stream, {"event": SAID}, id=old_id)
        await client.xadd(stream, {"event": SAID}, id=recent_id)
        assert await trim_event_stream(redis_url, before=before, stream=stream) == 1
        assert [entry_id for entry_id, _ in await client.xrange(stream)] == [recent_id]
    finally:
        await client.delete(stream, *[k async for k in client.scan_iter(f"{KEY_PREFIX}*")])
        await client.aclose()
        await store.close()


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path, _env_file=None, retention_days=30, retention_sweep_seconds=0.2
    )
    app = create_app(settings, roles={"web", "worker"})
    with TestClient(app) as client:
        yield client


def test_the_worker_sweeps_once_per_deployment_under_a_lease(worker: TestClient) -> None:
    container = worker.app.state.container
    engine = container.engine
    with Session(engine) as session:
        gone = utcnow() - timedelta(days=31)
        session.add(IvrSession(call_id="CA-gone", created_at=gone, updated_at=gone))
        session.commit()

    async def other_holder_takes_the_lease() -> bool:
        leases = Leases(engine=engine)
        return await leases.acquire("retention", holder="elsewhere", ttl=timedelta(hours=1))

    for _ in range(100):
        with Session(engine) as session:
            if session.get(IvrSession, "CA-gone") is None:
                break
        worker.portal.call(asyncio.sleep, 0.05)
    else:
        pytest.fail("the worker never swept the expired session")
    assert worker.portal.call(other_holder_takes_the_lease) is False  # the worker holds it


def test_the_period_is_a_setting_of_90_days_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(_env_file=None).retention_days == 90
    monkeypatch.setenv("SUAC_RETENTION_DAYS", "30")
    assert Settings(_env_file=None).retention_days == 30
    monkeypatch.setenv("SUAC_RETENTION_DAYS", "0")
    with pytest.raises(ValueError, match="retention_days"):
        Settings(_env_file=None)


async def test_recorded_answers_past_the_period_go_from_the_telephony_host(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, _env_file=None, asterisk={"recordings_dir": str(tmp_path / "rec")}
    )
    folder = tmp_path / "rec" / UTTERANCES_DIR
    folder.mkdir(parents=True)
    old, recent = folder / "CA-old-3.wav", folder / "CA-recent-3.wav"
    for path, at in ((old, utcnow() - timedelta(days=91)), (recent, utcnow())):
        path.write_bytes(b"RIFF")
        os.utime(path, (at.timestamp(), at.timestamp()))
    assert await utterance_retention_job(settings).run() == {"utterances": 1}
    assert not old.exists() and recent.exists()
    missing = Settings(_env_file=None, asterisk={"recordings_dir": str(tmp_path / "none")})
    assert await utterance_retention_job(missing).run() == {"utterances": 0}
