"""Twilio agents: the service is their telephony side. Their presence is shared through the
database; the dispatcher rings an available agent's own phone for each queued caller, once,
and a failed or unanswered ring puts the agent back with the caller still queued."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from twilio_rest import FakeTwilioApi

from ivr.telephony import Telephony
from ivr.twilio.agent_dispatch import AgentDispatcher, TwilioAgents
from ivr.twilio.commands import TWILIO, TwilioCall
from ivr.twilio.queue_state import TwilioQueueTracker
from models.agent_presence import NotInQueue, Presence
from models.bus import InProcessBus
from models.commands import CommandClient
from models.config import Settings
from models.events import (
    BaseEvent,
    CallConnected,
    CallEnded,
    CallQueued,
    CallStarted,
    QueueSnapshot,
)
from models.periodic import Leases
from models.users import Role
from suac.web import create_app
from tests.agent_console.console_support import add_staff, post_form, sign_in
from tests.agent_console.test_agent_state import state_of, until

AGENT = "+525512345678"
CALLER = "CA" + "c" * 32
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


class Published:
    """A notifier that keeps what it is given."""

    def __init__(self) -> None:
        self.events: list[BaseEvent] = []

    async def publish(self, event: BaseEvent) -> None:
        self.events.append(event)


async def test_presence_changes_once_and_says_what_changed(engine: Engine) -> None:
    now = [T0]
    presence = Presence(engine=engine, rest=timedelta(seconds=10), clock=lambda: now[0])
    with pytest.raises(NotInQueue, match="Primero entre a la cola."):
        await presence.pause(AGENT, reason="Comida")
    assert await presence.get(AGENT) is None  # nothing half-written
    assert [e.state for e in await presence.sign_in(AGENT, queue="locatel")] == ["available"]
    assert await presence.sign_in(AGENT, queue="locatel") == []
    (paused,) = await presence.pause(AGENT, reason="Comida")
    assert (paused.state, paused.reason, paused.source) == ("paused", "Comida", "twilio")
    assert await presence.claim("locatel", 1) == ([], [])  # a paused agent is not rung
    await presence.unpause(AGENT)
    rung, events = await presence.claim("locatel", 2)
    assert (rung, [e.state for e in events]) == ([AGENT], ["ringing"])
    assert await presence.ringing("locatel") == 1
    await presence.dialled(AGENT, "CA1")
    assert [e.state for e in await presence.ended("CA1")] == ["available"]  # rang out
    assert await presence.claim("locatel", 1) == ([], [])  # resting
    now[0] += timedelta(seconds=11)
    assert (await presence.claim("locatel", 1))[0] == [AGENT]
    assert [e.state for e in await presence.connected(AGENT, CALLER)] == ["in_use"]
    assert await presence.ended("CA1") == []  # the agent's own leg: not the call
    assert [e.state for e in await presence.ended(CALLER)] == ["available"]
    now[0] += timedelta(seconds=11)
    await presence.claim("locatel", 1)
    assert await presence.release_stale(now[0] - timedelta(seconds=5)) == []
    now[0] += timedelta(seconds=90)
    assert [e.state for e in await presence.release_stale(now[0] - timedelta(seconds=60))] == [
        "available"
    ]
    assert [e.state for e in await presence.sign_out(AGENT)] == ["logged_out"]


async def test_two_dispatchers_ring_one_agent_per_caller(engine: Engine) -> None:
    dialled: list[tuple[str, str]] = []

    async def dial_next(queue: str, agent: str) -> TwilioCall:
        dialled.append((queue, agent))
        return TwilioCall(call_sid=f"CA{len(dialled)}", status="queued")

    client = CommandClient()
    client.serve_locally(TWILIO, {"dial_next": dial_next})
    telephony = Telephony(client=client, servers=[], timeout=5)
    presence = Presence(engine=engine, rest=timedelta(seconds=10))
    agents = TwilioAgents(presence=presence, notifier=Published())
    for phone in (AGENT, "+525587654321", "sip:agente03@locatel.example"):
        await agents.sign_in(phone, queue="locatel")
    dispatchers = [
        AgentDispatcher(
            bus=InProcessBus(),
            agents=agents,
            telephony=telephony,
            leases=Leases(engine=engine),
            holder=holder,
            ring_seconds=90,
        )
        for holder in ("host:1:worker", "host:2:worker")
    ]
    rung = await asyncio.gather(*(d.dispatch("locatel", waiting=2) for d in dispatchers))
    for dispatcher in dispatchers:
        await dispatcher.settle()
    assert sorted(len(r) for r in rung) == [0, 2]
    assert len(dialled) == 2 and len({agent for _, agent in dialled}) == 2
    again = await asyncio.gather(*(d.dispatch("locatel", waiting=2) for d in dispatchers))
    assert again == [[], []] and len(dialled) == 2  # both callers have an agent ringing


async def test_the_twilio_queue_lists_the_signed_in_agents(engine: Engine) -> None:
    presence = Presence(engine=engine, rest=timedelta(seconds=10))
    await presence.sign_in(AGENT, queue="locatel")
    published = Published()
    tracker = TwilioQueueTracker(
        bus=InProcessBus(), notifier=published, interval=60, presence=presence
    )
    await tracker.start()
    await tracker.stop()
    assert [(m.agent, m.state) for m in tracker.queues["locatel"].snapshot(T0).members] == [
        (AGENT, "available")
    ]
    (paused,) = await presence.pause(AGENT, reason="Comida")
    await tracker.handle(paused)
    await tracker.handle(CallStarted(call_id=CALLER, transport="twilio"))
    await tracker.handle(CallConnected(call_id=CALLER, queue="locatel", agent=AGENT))
    await tracker.handle(CallEnded(call_id=CALLER))
    snapshot = published.events[-1]
    assert isinstance(snapshot, QueueSnapshot)
    assert [(m.agent, m.state, m.reason) for m in snapshot.members] == [(AGENT, "paused", "Comida")]
    (out,) = await presence.sign_out(AGENT)
    await tracker.handle(out)
    assert tracker.queues["locatel"].snapshot(T0).members == []


def twilio_settings(data_dir: Path, api: FakeTwilioApi) -> Settings:
    return Settings(
        data_dir=data_dir,
        public_base_url="http://locatel.example",
        twilio={"account_sid": "AC" + "1" * 32, "auth_token": "x", "api_base_url": api.url},
        ivr={"callback_from": "+525500000311"},
        asterisk={"queue_refresh_seconds": 0.2, "queue": {"wrapup_seconds": 1}},
        _env_file=None,
    )


@pytest.fixture
def client(tmp_path: Path, twilio_api: FakeTwilioApi) -> Iterator[TestClient]:
    with TestClient(create_app(twilio_settings(tmp_path, twilio_api))) as client:
        add_staff(client.app.state.container.engine, "dora", Role.AGENT, phone=AGENT)  # type: ignore[attr-defined]
        sign_in(client, "dora")
        yield client


def publisher(client: TestClient) -> Callable[[BaseEvent], None]:
    bus = client.app.state.container.bus  # type: ignore[attr-defined]
    return lambda event: client.portal.call(bus.publish, event)  # type: ignore[union-attr]


def shown(client: TestClient) -> str:
    return state_of(client.get("/consola").text)[0]


def queue_a_caller(client: TestClient) -> None:
    publish = publisher(client)
    publish(CallStarted(call_id=CALLER, transport="twilio", caller="+525511112222"))
    publish(CallQueued(call_id=CALLER, queue="locatel", position=1))


def test_the_agents_own_phone_is_rung_for_the_next_caller(
    client: TestClient, twilio_api: FakeTwilioApi
) -> None:
    assert shown(client) == "Fuera de la cola"
    post_form(client, "/consola/cola/entrar", {})
    assert shown(client) == "Disponible"
    twilio_api.queues = {"locatel": 1}
    queue_a_caller(client)
    until(lambda: twilio_api.calls, "the agent's phone rung")
    (call,) = twilio_api.calls
    assert (call["To"], call["From"]) == (AGENT, "+525500000311")
    url = urlparse(call["Url"])
    assert (url.path, parse_qs(url.query)) == (
        "/twilio/voice/agent",
        {"queue": ["locatel"], "agent": [AGENT]},
    )
    assert shown(client) == "Timbrando"
    publish = publisher(client)
    publish(CallConnected(call_id=CALLER, queue="locatel", agent=AGENT, wait_seconds=4))
    until(lambda: shown(client) == "En llamada", "the call put through")
    publish(CallEnded(call_id=CALLER, status="completed"))
    until(lambda: shown(client) == "Disponible", "the end of the call")
    time.sleep(0.5)  # the queue is republished meanwhile: nobody waits, nobody else is rung
    assert len(twilio_api.calls) == 1


def test_a_failed_or_unanswered_ring_puts_the_agent_back_and_the_caller_waits(
    client: TestClient, twilio_api: FakeTwilioApi
) -> None:
    post_form(client, "/consola/cola/entrar", {})
    twilio_api.queues = {"locatel": 1}
    twilio_api.failures = [500]  # Twilio refuses the first call to the agent
    queue_a_caller(client)
    until(lambda: twilio_api.failures == [], "the refusal")
    until(lambda: shown(client) == "Disponible", "the agent put back")
    assert twilio_api.calls == []
    # after the rest the caller, still queued, is offered to the agent again; it rings out
    until(lambda: len(twilio_api.calls) == 1, "a second ring")
    until(lambda: shown(client) == "Timbrando", "the second ring")
    presence = client.app.state.container.twilio_agents.presence  # type: ignore[attr-defined]
    until(lambda: client.portal.call(presence.get, AGENT).call_id, "the ring's SID")  # type: ignore[union-attr]
    ring_sid = client.portal.call(presence.get, AGENT).call_id  # type: ignore[union-attr]
    publisher(client)(CallEnded(call_id=ring_sid, status="no-answer"))
    until(lambda: shown(client) == "Disponible", "the agent back after the ring-out")
    until(lambda: len(twilio_api.calls) == 2, "the caller offered again")
