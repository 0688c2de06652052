"""``GET /metrics`` after driving the system: the queues' live state from a snapshot on the
bus, today's calls by outcome and service level from the recorded calls, the job queue and a
failed job, Twilio webhook latencies, AMI action latencies and each link's state; the
optional bearer token; and no personal data."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from ivr.asterisk.link_metrics import AmiLinks
from models.config import Settings
from models.db_types import utcnow
from models.events import (
    CallAbandoned,
    CallConnected,
    CallLeftQueue,
    CallQueued,
    CallStarted,
    QueuedCaller,
    QueueMember,
    QueueSnapshot,
)
from models.job_worker import JobWorker
from models.jobs import JobQueue, JobSpec
from models.telemetry import Exposition
from models.telemetry_collectors import JobDepth
from suac.metrics_server import MetricsServer
from suac.web import create_app
from tests.asterisk.fake_ami import FakeAmi
from tests.asterisk.harness import Harness


@pytest.fixture
async def fake_ami() -> AsyncIterator[FakeAmi]:
    peer = FakeAmi()
    await peer.start()
    yield peer
    await peer.close()


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    """Every sample of a scrape: (name, sorted labels) → value."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scrape: Samples, name: str, **labels: str) -> float | None:
    return scrape.get((name, tuple(sorted(labels.items()))))


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """Every role in one process (the embedded default): the recorder writes the calls."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def publish(client: TestClient, *events: object) -> None:
    notifier = client.app.state.container.notifier
    for event in events:
        client.portal.call(notifier.publish, event)


def scrape(client: TestClient, **headers: str) -> Samples:
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return samples(answer.text)


def test_queue_gauges_from_the_latest_snapshot(client: TestClient) -> None:
    now = utcnow()
    snapshot = QueueSnapshot(
        queue="locatel",
        transport="twilio",
        waiting=2,
        callers=[
            QueuedCaller(
                call_id="CA1",
                caller="+525512345678",
                position=1,
                since=now - timedelta(seconds=40),
                wait_seconds=40,
            ),
            QueuedCaller(
                call_id="CA2",
                caller="+525587654321",
                position=2,
                since=now - timedelta(seconds=5),
                wait_seconds=5,
            ),
        ],
        members=[
            QueueMember(agent="ana", state="available", since=now, seconds_in_state=0),
            QueueMember(
                agent="beto", state="paused", reason="Comida", since=now, seconds_in_state=0
            ),
            QueueMember(agent="caro", state="in_use", since=now, seconds_in_state=0),
        ],
    )
    publish(client, snapshot)
    labels = {"queue": "locatel", "transport": "twilio"}
    deadline = time.monotonic() + 5
    while value(got := scrape(client), "suac_queue_waiting_calls", **labels) is None:
        assert time.monotonic() < deadline, "the snapshot never reached the gauges"
        time.sleep(0.05)
    assert value(got, "suac_queue_waiting_calls", **labels) == 2
    assert 40 <= value(got, "suac_queue_longest_wait_seconds", **labels) < 45  # type: ignore[operator]
    for state, count in {"available": 1, "paused": 1, "in_use": 1, "ringing": 0}.items():
        assert value(got, "suac_queue_agents", **labels, state=state) == count
    text = client.get("/metrics").text
    assert "5512345678" not in text and "5587654321" not in text  # no caller's number


def test_todays_calls_by_outcome_and_service_level(client: TestClient) -> None:
    start = utcnow() - timedelta(minutes=2)
    at = lambda seconds: start + timedelta(seconds=seconds)  # noqa: E731
    events = []
    for call_id in ("A", "B", "C"):
        events += [
            CallStarted(call_id=call_id, transport="twilio", occurred_at=at(0)),
            CallQueued(call_id=call_id, queue="locatel", occurred_at=at(1)),
        ]
    events += [
        CallConnected(
            call_id="A", queue="locatel", agent="ana", wait_seconds=12, occurred_at=at(13)
        ),
        CallAbandoned(call_id="B", queue="locatel", wait_seconds=30, occurred_at=at(31)),
        CallLeftQueue(
            call_id="C", queue="locatel", reason="timeout", wait_seconds=60, occurred_at=at(61)
        ),
    ]
    publish(client, *events)
    deadline = time.monotonic() + 10
    while value(got := scrape(client), "suac_calls_today", queue="locatel", figure="timeouts") != 1:
        assert time.monotonic() < deadline, "the recorder never wrote the calls"
        time.sleep(0.1)
    figures = {
        "offered": 3,
        "answered": 1,
        "answered_within": 1,
        "abandoned": 1,
        "short_abandoned": 0,
        "abandoned_after": 1,
        "timeouts": 1,
        "waiting": 0,
    }
    for figure, expected in figures.items():
        assert value(got, "suac_calls_today", queue="locatel", figure=figure) == expected, figure
    # answered within 20 s ÷ (answered + abandoned after 20 s − short abandons) = 1 ÷ 2
    assert value(got, "suac_service_level_today", queue="locatel") == 0.5
    assert value(got, "suac_abandon_rate_today", queue="locatel") == pytest.approx(1 / 3)
    assert value(got, "suac_answer_speed_today_seconds", queue="locatel") == 12


def test_webhook_latency_by_route_and_status(client: TestClient) -> None:
    labels = {"route": "/twilio/voice", "status": "403"}
    before = REGISTRY.get_sample_value("suac_twilio_webhook_seconds_count", labels) or 0
    assert client.post("/twilio/voice", data={"CallSid": "CA1"}).status_code == 403  # unsigned
    got = scrape(client)
    assert value(got, "suac_twilio_webhook_seconds_count", **labels) == before + 1
    unknown = {"route": "other", "status": "404"}
    before = REGISTRY.get_sample_value("suac_twilio_webhook_seconds_count", unknown) or 0
    client.post("/twilio/no-existe-123")
    assert value(scrape(client), "suac_twilio_webhook_seconds_count", **unknown) == before + 1


async def test_job_depth_and_failures(engine) -> None:  # noqa: ANN001

    queue = JobQueue(engine=engine)
    labels = {"kind": "prueba.falla", "outcome": "retry"}
    before = REGISTRY.get_sample_value("suac_job_failures_total", labels) or 0

    async def fails(_job, _progress) -> None:  # noqa: ANN001
        raise RuntimeError("Twilio no contestó")

    await queue.submit(JobSpec(kind="prueba.falla", payload={}))
    await queue.submit(JobSpec(kind="prueba.espera", payload={}))
    worker = JobWorker(queue=queue, handlers={"prueba.falla": fails}, name="w1", poll_seconds=0.05)
    job = await queue.claim(worker="w1", kinds={"prueba.falla"})
    assert job is not None
    await worker.run_one(job)
    assert REGISTRY.get_sample_value("suac_job_failures_total", labels) == before + 1
    body, _ = Exposition(collectors=[JobDepth(engine)]).render()
    got = samples(body.decode())
    assert value(got, "suac_jobs", status="pending") == 2  # the failed one waits for its retry
    assert value(got, "suac_jobs_due") == 1  # … in 2 s; the other is due now
    assert value(got, "suac_jobs", status="failed") == 0


async def test_ami_latency_and_link_state(fake_ami: FakeAmi) -> None:
    labels = {"server": "locatel", "action": "Login"}
    before = REGISTRY.get_sample_value("suac_ami_action_seconds_count", labels) or 0
    async with Harness(port=fake_ami.port, secret=fake_ami.secret) as harness:
        links = AmiLinks(harness.bridge)
        async with asyncio.timeout(5):
            await harness.link.connected.wait()
        up = {
            s.labels["server"]: s.value
            for f in links.collect()
            for s in f.samples
            if s.name == "suac_ami_link_up"
        }
        assert up == {"locatel": 1.0}
        assert REGISTRY.get_sample_value("suac_ami_action_seconds_count", labels) == before + 1
        await fake_ami.drop()
        async with asyncio.timeout(5):
            while harness.link.connected.is_set():
                await asyncio.sleep(0.01)
        up = {
            s.labels["server"]: s.value
            for f in links.collect()
            for s in f.samples
            if s.name == "suac_ami_link_up"
        }
        assert up == {"locatel": 0.0}


def test_bearer_token_when_configured(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None, metrics_token=SecretStr("s3cr3t"))
    with TestClient(create_app(settings, roles={"web"})) as client:
        assert client.get("/metrics").status_code == 401
        wrong = client.get("/metrics", headers={"authorization": "Bearer otro"})
        assert wrong.status_code == 401
        assert "token de métricas" in wrong.text
        assert (
            "suac_jobs" in client.get("/metrics", headers={"authorization": "Bearer s3cr3t"}).text
        )


async def test_a_process_without_the_web_role_serves_its_own(engine) -> None:  # noqa: ANN001

    server = MetricsServer(
        address="127.0.0.1:0", exposition=Exposition(collectors=[JobDepth(engine)])
    )
    await server.start()
    try:
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"http://127.0.0.1:{server.port}/metrics")
        got = samples(answer.text)
        assert value(got, "suac_jobs", status="failed") == 0
        assert "# TYPE suac_job_failures_total counter" in answer.text  # the process's own
    finally:
        await server.stop()
