"""Calls and agents' states as both fronts publish them, for the wallboard's tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.events import (
    AgentStateChanged,
    BaseEvent,
    CallAbandoned,
    CallConnected,
    CallEnded,
    CallLeftQueue,
    CallQueued,
    CallStarted,
    CallTransport,
    CallWrappedUp,
)

QUEUE = "locatel"
ANA, BETO, DIEGO = "PJSIP/1001", "+525511112222", "PJSIP/1002"  # Asterisk, Twilio, Asterisk


def at(start: datetime, seconds: float) -> datetime:
    return start + timedelta(seconds=seconds)


def queued(call_id: str, transport: CallTransport, start: datetime) -> list[BaseEvent]:
    """A caller reaches the queue at ``start``."""
    return [
        CallStarted(
            call_id=call_id, transport=transport, caller="+525550001111", occurred_at=start
        ),
        CallQueued(call_id=call_id, queue=QUEUE, position=1, occurred_at=start),
    ]


def answered(
    call_id: str,
    transport: CallTransport,
    agent: str,
    start: datetime,
    *,
    wait: float,
    talk: float,
    wrapup: float | None = None,
) -> list[BaseEvent]:
    """A call answered after ``wait`` s, talked ``talk`` s, wrapped up when given."""
    events = [
        *queued(call_id, transport, start),
        AgentStateChanged(agent=agent, queue=QUEUE, state="in_use", occurred_at=at(start, wait)),
        CallConnected(
            call_id=call_id,
            queue=QUEUE,
            agent=agent,
            wait_seconds=wait,
            occurred_at=at(start, wait),
        ),
        CallEnded(call_id=call_id, status="answered", occurred_at=at(start, wait + talk)),
        AgentStateChanged(
            agent=agent, queue=QUEUE, state="available", occurred_at=at(start, wait + talk)
        ),
    ]
    if wrapup is not None:
        events.append(wrapped_up(call_id, agent, at(start, wait + talk + wrapup), wrapup))
    return events


def wrapped_up(call_id: str, agent: str, when: datetime, seconds: float) -> CallWrappedUp:
    return CallWrappedUp(
        call_id=call_id,
        agent=agent,
        disposition="registrada",
        wrapup_seconds=seconds,
        occurred_at=when,
    )


def abandoned(
    call_id: str, transport: CallTransport, start: datetime, wait: float
) -> list[BaseEvent]:
    """The caller hangs up after ``wait`` s in the queue."""
    return [
        *queued(call_id, transport, start),
        CallAbandoned(call_id=call_id, queue=QUEUE, wait_seconds=wait, occurred_at=at(start, wait)),
        CallEnded(call_id=call_id, status="abandoned", occurred_at=at(start, wait)),
    ]


def floor(start: datetime) -> list[BaseEvent]:
    """Both fronts' morning: three agents, six calls.

    Ana (Asterisk) answers A1 after 12 s and has not wrapped it up; Beto (Twilio) answers T1
    after 30 s and wraps up in 20 s; Diego pauses for lunch; A2 abandons after 3 s (short),
    T2 after 40 s; A3 times out; W still waits. Offered 6, answered 2, abandoned 2 (1 short),
    1 other exit, 1 waiting; service level 1 ÷ (2 + 1) = 33 %; ASA 21 s; AHT (60 + 80) ÷ 2 =
    70 s; abandonment (2 − 1) ÷ (6 − 1) = 20 %.
    """
    return [
        *(
            AgentStateChanged(agent=agent, queue=QUEUE, state="available", occurred_at=start)
            for agent in (ANA, BETO, DIEGO)
        ),
        AgentStateChanged(
            agent=DIEGO, queue=QUEUE, state="paused", reason="Comida", occurred_at=at(start, 5)
        ),
        *answered("A1", "asterisk", ANA, at(start, 1), wait=12, talk=60),
        *answered("T1", "twilio", BETO, at(start, 2), wait=30, talk=60, wrapup=20),
        *abandoned("A2", "asterisk", at(start, 3), 3),
        *abandoned("T2", "twilio", at(start, 4), 40),
        *queued("A3", "asterisk", at(start, 5)),
        CallLeftQueue(
            call_id="A3", queue=QUEUE, reason="timeout", wait_seconds=60, occurred_at=at(start, 65)
        ),
        *queued("W", "asterisk", at(start, 90)),
    ]
