"""The web process with Redis gone: callers go on at their usual pace, ``/readyz`` says what
failed, and everything comes back when Redis does."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from tests_support import PrivateRedis

from ivr.twilio.simulator import SimulatedCall
from models.config import Settings, TwilioSettings
from suac.web import create_app

pytestmark = pytest.mark.redis
PUBLIC, TOKEN = "https://locatel.example.mx", "test-auth-token"


def _settings(tmp_path: Path, redis: PrivateRedis) -> Settings:
    return Settings(
        data_dir=tmp_path,
        redis_url=redis.url,
        public_base_url=PUBLIC,
        twilio=TwilioSettings(auth_token=TOKEN),
        _env_file=None,
    )


def _client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def _ready(client: httpx.AsyncClient) -> tuple[int, dict]:
    response = await client.get("/readyz")
    return response.status_code, response.json()["checks"]


async def _ready_again(client: httpx.AsyncClient) -> tuple[int, dict]:
    """``/readyz`` once it says ready again (or its last answer, after 10 s)."""
    for _ in range(100):
        status, checks = await _ready(client)
        if status == 200:
            break
        await asyncio.sleep(0.1)
    return status, checks


async def test_callers_go_on_while_redis_is_down_and_readyz_tells(
    tmp_path: Path, private_redis: PrivateRedis
) -> None:
    app = create_app(_settings(tmp_path, private_redis))
    async with app.router.lifespan_context(app), _client(app) as client:
        status, checks = await _ready(client)
        assert status == 200 and checks["redis"] == "ok" and checks["base_de_datos"] == "ok"

        private_redis.stop()
        call = SimulatedCall(http=client, public_base_url=PUBLIC, auth_token=TOKEN)
        for step in (call.start, lambda: call.press("1")):
            started = time.monotonic()
            page = await step()
            assert page.status_code == 200 and page.action
            assert time.monotonic() - started < 1.5
        status, checks = await _ready(client)
        assert status == 503 and checks["redis"].startswith("falla")
        assert checks["base_de_datos"] == "ok"

        private_redis.start()
        status, checks = await _ready_again(client)
        assert status == 200, checks


async def test_a_process_started_while_redis_is_down_serves_and_catches_up(
    tmp_path: Path, private_redis: PrivateRedis
) -> None:
    """A restart during an outage does not keep the service down until Redis is back."""
    private_redis.stop()
    app = create_app(_settings(tmp_path, private_redis))
    async with app.router.lifespan_context(app), _client(app) as client:
        call = SimulatedCall(http=client, public_base_url=PUBLIC, auth_token=TOKEN)
        assert (await call.start()).status_code == 200
        status, checks = await _ready(client)
        assert status == 503 and checks["redis"].startswith("falla")
        private_redis.start()
        status, checks = await _ready_again(client)
        assert status == 200 and checks["redis"] == "ok"
