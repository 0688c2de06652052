"""The agent's live stream: the state at once and on each change the telephony side reports,
the calls put through to the agent's phone, and nothing about anyone else."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from agent_console.agent_stream import agent_messages
from agent_console.live import LiveHub
from models.agent_status import AgentStatus, AgentStatusBook, follow
from models.bus import InProcessBus
from models.events import (
    AgentStateChanged,
    CallConnected,
    CallEnded,
    QueueMember,
    QueueSnapshot,
)

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
PHONE = "PJSIP/1001"


def member(agent: str, state: str, reason: str = "") -> QueueMember:
    return QueueMember(
        agent=agent,
        state=state,
        reason=reason,
        since=T0,
        seconds_in_state=0.0,  # type: ignore[arg-type]
    )


def test_follow_reads_events_and_snapshots_of_the_agents_queue() -> None:
    snapshot = QueueSnapshot(queue="locatel", members=[member(PHONE, "paused", "Comida")])
    paused = follow(None, PHONE, snapshot, transport="asterisk")
    assert paused == AgentStatus("paused", "Comida", "locatel", T0)
    assert follow(paused, PHONE, snapshot, transport="asterisk") is None  # unchanged
    assert follow(paused, PHONE, QueueSnapshot(queue="otra"), transport="asterisk") is None
    twilio_queue = QueueSnapshot(queue="locatel", transport="twilio")  # same name, other front
    assert follow(paused, PHONE, twilio_queue, transport="asterisk") is None
    out = follow(
        paused, PHONE, QueueSnapshot(queue="locatel", occurred_at=T0), transport="asterisk"
    )
    assert out == AgentStatus("logged_out", "", "locatel", T0)
    never_seen = QueueSnapshot(queue="locatel")
    assert follow(None, PHONE, never_seen, transport="asterisk", home_queue="otra") is None
    other = AgentStateChanged(agent="PJSIP/1002", queue="locatel", state="available")
    assert follow(out, PHONE, other, transport="asterisk") is None


async def test_the_book_knows_each_agent_from_the_bus() -> None:
    book = AgentStatusBook(bus=InProcessBus())

    def state() -> str | None:
        status = book.get(PHONE, transport="asterisk", home_queue="locatel")
        return status.state if status is not None else None

    assert state() is None  # nothing heard yet
    await book.handle(QueueSnapshot(queue="locatel", members=[member("PJSIP/1002", "available")]))
    assert state() == "logged_out"
    await book.handle(AgentStateChanged(agent=PHONE, queue="locatel", state="available"))
    assert state() == "available"
    await book.handle(QueueSnapshot(queue="locatel", members=[member(PHONE, "in_use")]))
    assert state() == "in_use"
    await book.handle(QueueSnapshot(queue="locatel", transport="twilio"))  # not its front
    assert state() == "in_use"
    await book.handle(QueueSnapshot(queue="locatel"))
    assert state() == "logged_out"


async def test_the_stream_sends_only_this_agents_state_and_calls() -> None:
    bus = InProcessBus()
    hub = LiveHub(bus=bus)
    await hub.start()
    received: list[tuple[str, dict]] = []

    async def current() -> AgentStatus:
        return AgentStatus("available", "", "locatel", T0)

    async def read() -> None:
        async for message in agent_messages(
            hub, phone=PHONE, transport="asterisk", queue="locatel", current=current
        ):
            received.append((message["event"], json.loads(message["data"])))

    reader = asyncio.create_task(read())
    try:
        while hub.listeners == 0:
            await asyncio.sleep(0.01)
        later = T0 + timedelta(minutes=3)
        for event in (
            AgentStateChanged(agent="PJSIP/1002", queue="locatel", state="paused", reason="x"),
            CallConnected(call_id="otra", queue="locatel", agent="PJSIP/1002"),
            CallEnded(call_id="otra"),
            AgentStateChanged(
                agent=PHONE, queue="locatel", state="paused", reason="Comida", occurred_at=later
            ),
            QueueSnapshot(queue="locatel", members=[member(PHONE, "paused", "Comida")]),
            QueueSnapshot(queue="locatel", transport="twilio"),  # the other front's queue
            CallConnected(call_id="1700000000.1", queue="locatel", agent=PHONE),
            CallEnded(call_id="1700000000.1"),
            QueueSnapshot(queue="locatel", occurred_at=later),
        ):
            await bus.publish(event)
        async with asyncio.timeout(5):
            while len(received) < 5:
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
    finally:
        reader.cancel()
        await hub.stop()
    assert received == [
        (
            "estado",
            {
                "state": "available",
                "label": "Disponible",
                "reason": "",
                "queue": "locatel",
                "since": T0.isoformat(),
            },
        ),
        (
            "estado",
            {
                "state": "paused",
                "label": "En pausa",
                "reason": "Comida",
                "queue": "locatel",
                "since": later.isoformat(),
            },
        ),
        ("llamada", {"call_id": "1700000000.1", "queue": "locatel", "event": "connected"}),
        ("llamada", {"call_id": "1700000000.1", "queue": "locatel", "event": "ended"}),
        (
            "estado",
            {
                "state": "logged_out",
                "label": "Fuera de la cola",
                "reason": "",
                "queue": "locatel",
                "since": later.isoformat(),
            },
        ),
    ]
