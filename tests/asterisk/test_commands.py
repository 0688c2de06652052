"""Asterisk commands across processes: a telephony process (``suac asterisk run``) owns the
scripted AMI peer; this test process, a web process without the telephony role, pauses a
member through Redis and gets Asterisk's answer; with the owner gone, a clear error at once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ivr.asterisk.commands import asterisk_target
from models.commands import NoOwner, key
from models.config import Settings
from models.db import make_engine, upgrade
from models.events import QueueSnapshot
from suac.container import Container, build_container

from .fake_ami import FakeAmi

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def server_name() -> str:
    return f"mp{uuid.uuid4().hex[:6]}"


@pytest.fixture
def env(
    tmp_path: Path, postgres_url: str, redis_url: str, fake_ami: FakeAmi, server_name: str
) -> dict[str, str]:
    """The settings every process of the deployment gets."""
    upgrade(make_engine(postgres_url))
    server = {"name": server_name, "port": fake_ami.port, "username": "suac"}
    settings = {
        "SUAC_DATA_DIR": str(tmp_path),
        "SUAC_DATABASE_URL": postgres_url,
        "SUAC_REDIS_URL": redis_url,
        "SUAC_ASTERISK__SERVERS": json.dumps([{**server, "secret": fake_ami.secret}]),
        "SUAC_ASTERISK__AGI_PORT": "0",
        "SUAC_ASTERISK__SPEECH": "dtmf",
        "SUAC_ASTERISK__PROMPTS_DIR": str(tmp_path / "voz"),
        "SUAC_ASTERISK__RECORDINGS_DIR": str(tmp_path / "grabaciones"),
        "SUAC_ASTERISK__ACTION_TIMEOUT_SECONDS": "3",
        "SUAC_ASTERISK__QUEUE_REFRESH_SECONDS": "0.5",
    }
    return {k: v for k, v in os.environ.items() if not k.startswith("SUAC_")} | settings


@pytest.fixture
async def web(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Container]:
    """This process's container, built from the same settings; no role started."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    container = await build_container(Settings(_env_file=None))
    yield container
    await container.close()


async def test_a_web_process_pauses_a_member_owned_by_the_telephony_process(
    fake_ami: FakeAmi, env: dict[str, str], web: Container, server_name: str, tmp_path: Path
) -> None:
    fake_ami.members = [{"Queue": "locatel", "Interface": "PJSIP/1001", "Status": "1"}]
    with pytest.raises(
        NoOwner, match=f"Ningún proceso de telefonía atiende el servidor Asterisk «{server_name}»"
    ):
        await web.telephony.pause("PJSIP/1001", reason="comida")
    log = (tmp_path / "telephony.log").open("wb")
    telephony = subprocess.Popen(
        [sys.executable, "-m", "suac.cli", "asterisk", "run"],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        owner = key(asterisk_target(server_name).key, "owner")
        async with asyncio.timeout(60):
            while not await web.telephony.client.redis.exists(owner):
                assert telephony.poll() is None, (tmp_path / "telephony.log").read_text()
                await asyncio.sleep(0.1)
        async with web.bus.subscribe() as events:
            result = await web.telephony.pause("PJSIP/1001", reason="comida")
            assert (result.ok, result.message) == (True, "Interface paused successfully")
            assert fake_ami.members[0]["Paused"] == "1"
            assert fake_ami.received[-1]["Reason"] == "comida"
            refused = await web.telephony.pause("PJSIP/1009", reason="comida")
            assert (refused.ok, refused.message) == (False, "Interface not found")
            async with asyncio.timeout(10):  # the owner publishes the queue's state
                async for event in events:
                    if isinstance(event, QueueSnapshot) and event.members:
                        member = event.members[0]
                        if member.state == "paused":
                            break
            assert (member.agent, member.reason, event.source) == (
                "PJSIP/1001",
                "comida",
                f"asterisk:{server_name}",
            )
    finally:
        telephony.send_signal(signal.SIGTERM)
        await asyncio.to_thread(telephony.wait, 20)
    started = time.monotonic()
    with pytest.raises(NoOwner):
        await web.telephony.unpause("PJSIP/1001")
    assert time.monotonic() - started < 1.0
    assert fake_ami.members[0]["Paused"] == "1"
