"""Against a real Asterisk 22 (``../shared/asterisk/server``) running the rendered
configuration: the telephony role's commands get Asterisk's own answers, and the live queue
state shows what they did."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from models.config import Settings
from models.events import QueueSnapshot
from suac.container import Container, build_container
from suac.roles import TELEPHONY, Runtime

from .real_asterisk import RealAsterisk


@pytest.fixture(scope="module")
def asterisk_env(pbx: RealAsterisk) -> dict[str, str]:
    """The settings of the real Asterisk shared by the call modules."""
    return pbx.env


@pytest.fixture
async def telephony(
    asterisk_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Container]:
    for name, value in asterisk_env.items():
        monkeypatch.setenv(name, value)
    container = await build_container(Settings(_env_file=None))
    runtime = Runtime(container, roles={TELEPHONY})
    await runtime.start()
    await asyncio.wait_for(container.asterisk.bridge.links["real"].connected.wait(), 15)
    yield container
    await runtime.stop()
    await container.close()


async def test_pause_with_reason_reaches_asterisk_and_the_queue_state(
    telephony: Container,
) -> None:
    async with telephony.bus.subscribe() as events:
        added = await telephony.telephony.add_member("PJSIP/1002", name="Beto")
        assert (added.ok, added.message) == (True, "Added interface to queue")
        paused = await telephony.telephony.pause("PJSIP/1002", reason="comida")
        assert (paused.ok, paused.message) == (True, "Interface paused successfully")
        logged = await telephony.telephony.queue_log(
            "PAUSE", message="comida", interface="PJSIP/1002"
        )
        assert (logged.ok, logged.message) == (True, "Event added successfully")
        async with asyncio.timeout(15):
            async for event in events:
                if not isinstance(event, QueueSnapshot):
                    continue
                member = next((m for m in event.members if m.agent == "PJSIP/1002"), None)
                if member is not None and member.state == "paused":
                    break
        assert (member.reason, event.queue) == ("comida", "locatel")
        assert {m.agent for m in event.members} == {"PJSIP/1001", "PJSIP/1002"}
    unknown = await telephony.telephony.pause("PJSIP/1999", reason="comida")
    assert (unknown.ok, unknown.message) == (False, "Interface not found")
    removed = await telephony.telephony.remove_member("PJSIP/1002")
    assert (removed.ok, removed.message) == (True, "Removed interface from queue")
    static = await telephony.telephony.remove_member("PJSIP/1001")
    assert (static.ok, static.message) == (False, "Member not dynamic")
