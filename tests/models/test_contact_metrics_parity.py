"""Live equals historical: the AMI sessions recorded from Asterisk 22 (``../shared/asterisk``)
replayed through the call tracker, plus Twilio calls reported as the Twilio front reports
them, give the same figures from the live aggregator and from the stored records, on SQLite
and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from metrics_support import at, both, day_of, figures, local
from sqlalchemy import Engine

from ivr.asterisk.call_tracker import CallTracker
from ivr.flow.reports import CallReports, QueueExit
from ivr.prompts import PromptBook
from models.db import make_engine, upgrade
from models.events import AgentStateChanged, BaseEvent, CallHeld, CallStarted, CallWrappedUp
from models.metrics import Interval

TRANSCRIPTS = Path(__file__).resolve().parents[3] / "shared" / "asterisk"
SESSIONS = ("a_queue_answered", "b_queue_abandoned", "c_ivr_fastagi")
AGENT = "+525599990001"


def frames(raw: bytes) -> Iterator[dict[str, str | list[str]]]:
    """The AMI frames Asterisk sent (repeated headers such as ``ChanVariable`` as lists)."""
    for block in raw.split(b"\r\n\r\n"):
        headers: dict[str, str | list[str]] = {}
        for line in block.decode().split("\r\n"):
            name, sep, value = line.partition(": ")
            if not sep:
                continue
            if name in headers:
                previous = headers[name]
                headers[name] = [*(previous if isinstance(previous, list) else [previous]), value]
            else:
                headers[name] = value
        if "Event" in headers:
            yield headers


def asterisk_sessions() -> list[BaseEvent]:
    """Each recorded session through a tracker; its events one second apart from 10:00 on."""
    if not TRANSCRIPTS.is_dir():
        pytest.skip(f"transcripts not found in {TRANSCRIPTS}")
    out: list[BaseEvent] = []
    for number, name in enumerate(SESSIONS):
        tracker = CallTracker(source="asterisk:locatel")
        raw = (TRANSCRIPTS / f"{name}.ami.asterisk-to-client.raw.txt").read_bytes()
        events = [e for frame in frames(raw) for e in tracker.feed(frame)]  # type: ignore[arg-type]
        base = local(2, 10, 5 * number)
        out += [at(event, base + timedelta(seconds=k)) for k, event in enumerate(events)]
    return out


class Collector:
    """The notifier the Twilio front's reports publish through."""

    def __init__(self) -> None:
        self.events: list[BaseEvent] = []

    async def publish(self, event: BaseEvent) -> None:
        self.events.append(event)


async def twilio_calls() -> list[BaseEvent]:
    """Four Twilio calls as the front reports them: answered (held, wrapped up), a short
    abandon, one taken out of the queue and one still waiting; the Twilio agent's states,
    paused across 10:15."""
    collector = Collector()
    reports = CallReports(notifier=collector, prompts=PromptBook(), source="twilio")
    stamped: list[BaseEvent] = []

    async def step(when, action) -> None:  # noqa: ANN001
        seen = len(collector.events)
        await action
        stamped.extend(at(event, when) for event in collector.events[seen:])

    async def joined(call: str, when) -> None:  # noqa: ANN001
        await collector.publish(CallStarted(call_id=call, transport="twilio"))
        await step(when, reports.waiting(call, queue="locatel", position=1))

    t = local(2, 10, 20)
    await joined("CA1", t)
    await step(
        t + timedelta(seconds=12),
        reports.connected("CA1", queue="locatel", agent=AGENT, wait_seconds=12),
    )
    await step(t + timedelta(seconds=30), collector.publish(CallHeld(call_id="CA1", on_hold=True)))
    await step(t + timedelta(seconds=45), collector.publish(CallHeld(call_id="CA1", on_hold=False)))
    await step(
        t + timedelta(seconds=100),
        reports.left_queue(
            "CA1", queue="locatel", how=QueueExit.TALKED, wait_seconds=12, ended_by="agent"
        ),
    )
    wrap = CallWrappedUp(call_id="CA1", agent=AGENT, disposition="Otro", wrapup_seconds=40)
    await step(t + timedelta(seconds=140), collector.publish(wrap))
    await joined("CA2", t + timedelta(minutes=1))
    await step(
        t + timedelta(minutes=1, seconds=3),
        reports.left_queue("CA2", queue="locatel", how=QueueExit.ABANDONED, wait_seconds=3),
    )
    await joined("CA3", t + timedelta(minutes=2))
    await step(
        t + timedelta(minutes=2, seconds=40),
        reports.left_queue("CA3", queue="locatel", how=QueueExit.LEFT, wait_seconds=40),
    )
    await joined("CA4", local(2, 11, 50))
    for when, state, reason in (
        (local(2, 9, 55), "available", ""),
        (local(2, 10, 5), "paused", "Descanso"),
        (local(2, 10, 19), "available", ""),
        (local(2, 10, 20, 12), "in_use", ""),
        (local(2, 10, 22), "available", ""),
    ):
        stamped.append(
            at(AgentStateChanged(agent=AGENT, queue="locatel", state=state, reason=reason), when)
        )  # type: ignore[arg-type]
    return sorted(stamped, key=lambda event: event.occurred_at)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """The embedded SQLite database, then a real PostgreSQL one."""
    if request.param == "sqlite":
        yield request.getfixturevalue("engine")
        return
    engine = make_engine(request.getfixturevalue("postgres_url"))
    upgrade(engine)
    yield engine
    engine.dispose()


async def test_live_equals_historical(any_engine: Engine) -> None:
    events = asterisk_sessions() + await twilio_calls()
    start, end = day_of(local(2, 10))
    now = local(2, 12)
    live, stored = both(any_engine, events, start, end, now)
    assert figures(live) == figures(stored)
    tally = stored.overall()
    # Asterisk: two answered (2 s each), one abandoned after 7 s; Twilio: one answered after
    # 12 s, a 3-second abandon, one taken out, one waiting
    assert (tally.offered, tally.answered, tally.answered_within) == (7, 3, 3)
    assert (tally.abandoned, tally.short_abandoned, tally.left, tally.waiting) == (2, 1, 1, 1)
    assert tally.service_level == 1.0 and tally.asa == pytest.approx(16 / 3)
    assert tally.handled == 3
    agents = stored.agent_totals()
    assert agents[AGENT].handled == 1 and agents[AGENT].handle_ms == 128_000
    assert agents[AGENT].paused_ms == {"Descanso": 840_000}
    quarters = stored.agent_intervals(Interval.QUARTER, AGENT)
    assert quarters[local(2, 10)].paused_ms == {"Descanso": 600_000}
    assert quarters[local(2, 10, 15)].paused_ms == {"Descanso": 240_000}
    assert {"Local/agent1@agents", "Local/agent2@agents"} <= set(agents)
    assert live.overall() == stored.overall()
