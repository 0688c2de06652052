"""Several processes on PostgreSQL and Redis, as production runs them: three web processes and
two workers. One status change sends exactly one SMS; a worker killed in the middle of a job
leaves it to the other, which does it once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from sqlmodel import Session, select
from twilio_rest import FakeTwilioApi

from ivr.twilio.sms_text import to_gsm7
from models.config import Settings, TwilioSettings, WorkerSettings
from models.db import make_engine, upgrade
from models.folio import format_folio
from models.lifecycle import STATUS_LABELS
from models.outbox import Job
from models.requests import Channel, RequestCreate, Status
from suac.container import build_container

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
CITIZEN = "+525512345678"
ACCOUNT = "AC" + "2" * 32


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"not reached in {seconds} s: {what}")


class Deployment:
    """Processes started with the same settings; each one's output kept in a file."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env, self.folder = env, folder
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("wb")
        command = [sys.executable, "-m", "suac.cli", *args]
        process = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def web(self, name: str) -> str:
        port = free_port()
        self.start(name, "serve", "--role", "web", "--port", str(port))
        url = f"http://127.0.0.1:{port}"
        process = self.processes[name]
        try:
            wait_until(lambda: process.poll() is not None or _alive(url), 90, f"{name} answering")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{self.log(name)}") from None
        assert process.poll() is None, self.log(name)
        return url

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


def _alive(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def deployment_settings(
    tmp_path: Path, postgres_url: str, redis_url: str, twilio_api: FakeTwilioApi
) -> Settings:
    url = redis_url.rsplit("/", 1)[0] + "/14"
    redis.Redis.from_url(url).flushdb()
    upgrade(make_engine(postgres_url))
    return Settings(
        data_dir=tmp_path,
        database_url=postgres_url,
        redis_url=url,
        twilio=TwilioSettings(
            account_sid=ACCOUNT, auth_token="x", api_base_url=twilio_api.url, sms_sender="LOCATEL"
        ),
        worker=WorkerSettings(poll_seconds=0.2, lease_seconds=3, relay_seconds=0.5),
        _env_file=None,
    )


@pytest.fixture
def deployment(deployment_settings: Settings, tmp_path: Path) -> Iterator[Deployment]:
    s = deployment_settings
    env = {
        **os.environ,
        "SUAC_DATA_DIR": str(tmp_path),
        "SUAC_DATABASE_URL": s.database_url,
        "SUAC_REDIS_URL": s.redis_url,
        "SUAC_TWILIO__ACCOUNT_SID": ACCOUNT,
        "SUAC_TWILIO__AUTH_TOKEN": "x",
        "SUAC_TWILIO__API_BASE_URL": s.twilio.api_base_url,
        "SUAC_TWILIO__SMS_SENDER": "LOCATEL",
        "SUAC_WORKER__POLL_SECONDS": "0.2",
        "SUAC_WORKER__LEASE_SECONDS": "3",
        "SUAC_WORKER__RELAY_SECONDS": "0.5",
    }
    running = Deployment(env, tmp_path)
    yield running
    running.stop()


def jobs_of(settings: Settings, kind: str) -> list[Job]:
    with Session(make_engine(settings.database_url)) as session:
        return list(session.exec(select(Job).where(Job.kind == kind)))


async def _register_and_start_progress(settings: Settings) -> str:
    container = await build_container(settings)
    try:
        request = await container.requests.register(
            RequestCreate(
                catalogue_code="AGU-001",
                channel=Channel.AGENT,
                alcaldia="Coyoacán",
                citizen_phone=CITIZEN,
            ),
            actor="agente:prueba",
        )
        await container.requests.start_progress(request.folio, actor="coyoacan:luis")
        return request.folio
    finally:
        await container.close()


async def test_one_status_change_sends_one_sms_with_three_webs_and_two_workers(
    deployment: Deployment, deployment_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    webs = [deployment.web(f"web{i}") for i in range(3)]
    for i in range(2):
        deployment.start(f"worker{i}", "worker")
    folio = await _register_and_start_progress(deployment_settings)
    wait_until(lambda: twilio_api.messages, 30, "the status SMS")
    time.sleep(3)  # every process had the time to send a duplicate, if it would
    assert len(twilio_api.messages) == 1, [deployment.log(n) for n in deployment.processes]
    (sms,) = twilio_api.messages
    assert sms["To"] == CITIZEN and format_folio(folio) in sms["Body"]
    assert to_gsm7(STATUS_LABELS[Status.IN_PROGRESS]) in sms["Body"]
    (job,) = jobs_of(deployment_settings, "message.status")
    assert job.status == "done" and '"sid": "SM' in job.outcome
    for url in webs:
        ready = httpx.get(f"{url}/readyz", timeout=5).json()
        assert ready["checks"]["base_de_datos"] == "ok" and ready["checks"]["redis"] == "ok"


async def test_a_worker_killed_mid_job_leaves_it_to_the_other_which_sends_once(
    deployment: Deployment, deployment_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    twilio_api.hang_next = 1  # the first worker's request never gets an answer
    first = deployment.start("worker0", "worker")
    await _register_and_start_progress(deployment_settings)
    wait_until(lambda: twilio_api.hanging == 1, 60, "the first worker inside the job")
    (job,) = jobs_of(deployment_settings, "message.status")
    assert job.status == "running" and f":{first.pid}:" in (job.claimed_by or "")
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    second = deployment.start("worker1", "worker")
    wait_until(lambda: twilio_api.messages, 60, "the second worker sending the SMS")
    time.sleep(2)
    assert len(twilio_api.messages) == 1
    (job,) = jobs_of(deployment_settings, "message.status")
    assert job.status == "done" and f":{second.pid}:" in (job.claimed_by or "")
    assert job.attempts == 2
