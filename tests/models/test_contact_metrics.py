"""The metrics' definitions against hand-computed cases, live and from the stored records.

Seven calls join queue ``locatel`` on 2 March 2026 between 10:00 and 10:14 (local):

| call | what happens                                   | counts as                            |
|------|------------------------------------------------|--------------------------------------|
| A    | answered after exactly 20 s, talk 60, wrap 15  | answered within T, handled           |
| B    | answered after 21 s, talk 30, no wrap-up       | answered outside T, handled          |
| C    | abandoned after 4.9 s                          | short abandon                        |
| D    | abandoned after 5 s                            | abandon, not short, not after T      |
| E    | abandoned after 30 s                           | abandon after T                      |
| F    | left at the queue's time-out (300 s)           | time-out, never an abandon           |
| G    | answered after 3 s, 10 s on hold, transferred  | answered within T, handled (50 talk) |
|      | 60 s after the answer, wrap 5                  |                                      |

Service level = 2 ÷ (3 + 1) = 0.5; abandonment = (3 − 1) ÷ (7 − 1); ASA = 44 ÷ 3;
AHT = ((60 + 15) + 30 + (50 + 10 + 5)) ÷ 3 = 170 ÷ 3.
"""

from __future__ import annotations

import doctest
from datetime import timedelta

import pytest
from metrics_support import RULES, at, both, day_of, figures, local
from sqlalchemy import Engine

import models.metrics.agents
import models.metrics.definitions
from ivr.asterisk.call_tracker import CallTracker
from models.call_facts import apply_event
from models.calls import CallRecord
from models.events import (
    AgentStateChanged,
    BaseEvent,
    CallAbandoned,
    CallAgentRinging,
    CallConnected,
    CallEnded,
    CallHeld,
    CallLeftQueue,
    CallQueued,
    CallStarted,
    CallTransferred,
    CallWrappedUp,
)
from models.metrics import Interval, Outcome, fact_of
from models.metrics.agents import AgentTally

ANA, BETO = "PJSIP/1001", "PJSIP/1002"


def queued(call: str, when, queue: str = "locatel") -> list[BaseEvent]:  # noqa: ANN001
    return [
        at(CallStarted(call_id=call, transport="asterisk", caller="+525512345678"), when),
        at(CallQueued(call_id=call, queue=queue, position=1), when),
    ]


def answered(call: str, when, wait: float, talk: float, agent: str = ANA) -> list[BaseEvent]:  # noqa: ANN001
    answer = when + timedelta(seconds=wait)
    return [
        *queued(call, when),
        at(CallConnected(call_id=call, queue="locatel", agent=agent, wait_seconds=wait), answer),
        at(CallEnded(call_id=call, ended_by="caller"), answer + timedelta(seconds=talk)),
    ]


def abandoned(call: str, when, wait: float) -> list[BaseEvent]:  # noqa: ANN001
    gone = when + timedelta(seconds=wait)
    return [
        *queued(call, when),
        at(CallAbandoned(call_id=call, queue="locatel", wait_seconds=wait), gone),
        at(CallEnded(call_id=call), gone),
    ]


def wrapped(call: str, when, seconds: float, agent: str = ANA) -> BaseEvent:  # noqa: ANN001
    event = CallWrappedUp(call_id=call, agent=agent, disposition="Otro", wrapup_seconds=seconds)
    return at(event, when)


def transferred(when) -> list[BaseEvent]:  # noqa: ANN001
    answer = when + timedelta(seconds=3)
    return [
        *queued("G", when),
        at(CallConnected(call_id="G", queue="locatel", agent=BETO, wait_seconds=3), answer),
        at(CallHeld(call_id="G", on_hold=True), answer + timedelta(seconds=10)),
        at(CallHeld(call_id="G", on_hold=False), answer + timedelta(seconds=20)),
        at(CallTransferred(call_id="G", target="5555@agentes"), answer + timedelta(seconds=60)),
        at(CallEnded(call_id="G"), answer + timedelta(seconds=200)),
        wrapped("G", answer + timedelta(seconds=205), 5, BETO),
    ]


def timed_out(when) -> list[BaseEvent]:  # noqa: ANN001
    gone = when + timedelta(seconds=300)
    exit_ = CallLeftQueue(call_id="F", queue="locatel", reason="timeout", wait_seconds=300)
    return [*queued("F", when), at(exit_, gone), at(CallEnded(call_id="F"), gone)]


def seven_calls() -> list[BaseEvent]:
    t = local(2, 10)
    return [
        *answered("A", t, 20, 60),
        wrapped("A", t + timedelta(seconds=95), 15),
        *answered("B", t + timedelta(minutes=1), 21, 30),
        *abandoned("C", t + timedelta(minutes=2), 4.9),
        *abandoned("D", t + timedelta(minutes=3), 5.0),
        *abandoned("E", t + timedelta(minutes=4), 30),
        *timed_out(t + timedelta(minutes=5)),
        *transferred(t + timedelta(minutes=6)),
    ]


def test_the_documented_examples_hold() -> None:
    for module in (models.metrics.definitions, models.metrics.agents):
        results = doctest.testmod(module)  # type: ignore[arg-type]
        assert results.attempted > 0 and results.failed == 0


def test_thresholds_are_strict_for_short_abandons_and_inclusive_for_service() -> None:
    assert RULES.is_short_abandon(4_999) and not RULES.is_short_abandon(5_000)
    assert RULES.within_service(20_000) and not RULES.within_service(20_001)
    assert not RULES.after_service(20_000) and RULES.after_service(20_001)


def test_seven_calls_by_hand(engine: Engine) -> None:
    start, end = day_of(local(2, 10))
    live, stored = both(engine, seven_calls(), start, end, now=local(2, 12))
    assert figures(live) == figures(stored)
    tally = stored.overall()
    assert (tally.offered, tally.answered, tally.answered_within) == (7, 3, 2)
    assert (tally.abandoned, tally.short_abandoned, tally.abandoned_after) == (3, 1, 1)
    assert (tally.timeouts, tally.empty_exits, tally.key_exits, tally.waiting) == (1, 0, 0, 0)
    assert tally.service_level == 0.5
    assert tally.abandon_rate == pytest.approx(2 / 6)
    assert tally.asa == pytest.approx(44 / 3)
    assert tally.handled == 3 and tally.aht == pytest.approx(170 / 3)
    assert (tally.talk_ms, tally.hold_ms, tally.wrapup_ms) == (140_000, 10_000, 20_000)
    agents = stored.agent_totals()
    assert (agents[ANA].handled, agents[ANA].handle_ms) == (2, 105_000)
    assert (agents[BETO].handled, agents[BETO].aht) == (1, 65.0)
    assert list(stored.intervals(Interval.QUARTER)) == [local(2, 10)]


def test_a_time_out_from_asterisk_is_no_abandon_and_a_hang_up_is() -> None:
    tracker = CallTracker(source="asterisk:prueba")

    def call(linkedid: str, status: str) -> list[str]:
        leg = {"Uniqueid": linkedid, "Linkedid": linkedid, "Channel": "PJSIP/troncal-1"}
        frames = [
            {"Event": "Newchannel", **leg, "CallerIDNum": "5512345678"},
            {"Event": "QueueCallerJoin", **leg, "Queue": "locatel", "Position": "1"},
            {"Event": "QueueCallerAbandon", **leg, "Queue": "locatel", "HoldTime": "300"},
            {"Event": "Hangup", **leg, "Cause": "16", "ChanVariable": f"QUEUESTATUS={status}"},
        ]
        events = [event for frame in frames for event in tracker.feed(frame)]
        record = CallRecord(call_id=linkedid, transport="")
        for event in events:
            apply_event(record, event)
        fact = fact_of(record)
        assert fact is not None and fact.wait_ms == 300_000
        return [*(e.type for e in events), fact.outcome, record.status]

    assert call("1.1", "TIMEOUT") == [
        "call.started",
        "call.queued",
        "call.left_queue",
        "call.ended",
        Outcome.TIMEOUT,
        "unanswered",
    ]
    assert call("2.2", "") == [
        "call.started",
        "call.queued",
        "call.abandoned",
        "call.ended",
        Outcome.ABANDONED,
        "abandoned",
    ]


def test_a_call_spanning_midnight_counts_on_the_day_it_arrived(engine: Engine) -> None:
    events = answered("M", local(2, 23, 59, 50), wait=15, talk=120)
    first, second = day_of(local(2, 23)), day_of(local(3, 0))
    live, stored = both(engine, events, *first, now=local(3, 1))
    assert figures(live) == figures(stored)
    assert (stored.overall().offered, stored.overall().handled) == (1, 1)
    assert list(stored.intervals(Interval.DAY)) == [local(2, 0)]
    assert list(stored.intervals(Interval.QUARTER)) == [local(2, 23, 45)]
    live_next, stored_next = both(engine, [], *second, now=local(3, 1))
    assert stored_next.overall().offered == live_next.overall().offered == 0


def test_an_agent_paused_across_an_interval_boundary(engine: Engine) -> None:
    def state(name: str, when, reason: str = "") -> BaseEvent:  # noqa: ANN001
        return at(AgentStateChanged(agent=ANA, queue="locatel", state=name, reason=reason), when)

    events = [
        state("available", local(2, 9, 50)),
        state("paused", local(2, 10, 10), "Comida"),
        state("available", local(2, 10, 20)),
        *answered("P", local(2, 10, 25), wait=2, talk=60),
        wrapped("P", local(2, 10, 27), 30),
        state("logged_out", local(2, 10, 40)),
    ]
    start, end = local(2, 10), local(2, 11)
    live, stored = both(engine, events, start, end, now=local(2, 12))
    assert figures(live) == figures(stored)
    quarters = {
        when.strftime("%H:%M"): (t.logged_in_ms, t.paused_ms)
        for when, t in stored.agent_intervals(Interval.QUARTER, ANA).items()
    }
    assert quarters == {
        "10:00": (900_000, {"Comida": 300_000}),
        "10:15": (900_000, {"Comida": 300_000}),
        "10:30": (600_000, {}),
    }
    total = stored.agent_totals()[ANA]
    assert (total.logged_in_ms, total.paused_total_ms, total.handled) == (2_400_000, 600_000, 1)
    assert total.occupancy == pytest.approx(90 / 1800)


def test_missed_rings_belong_to_the_agent_who_missed_them(engine: Engine) -> None:
    t = local(2, 11)
    ring = CallAgentRinging(call_id="R", queue="locatel", agent=BETO, answered=False)
    events = [*queued("R", t), at(ring, t + timedelta(seconds=15))]
    events += answered("R", t, wait=30, talk=10)[2:]
    start, end = day_of(t)
    live, stored = both(engine, events, start, end, now=local(2, 12))
    assert figures(live) == figures(stored)
    agents = stored.agent_totals()
    assert (agents[BETO].missed_rings, agents[ANA].missed_rings, agents[ANA].handled) == (1, 0, 1)


def test_live_figures_follow_a_call_as_it_changes() -> None:
    live = models.metrics.LiveMetrics(RULES)
    t = local(2, 10)
    for event in queued("W", t):
        live.apply(event)
    assert live.waiting(t + timedelta(seconds=8)) == {"locatel": (1, 8.0)}
    assert live.report(t).overall().waiting == 1
    connected = at(CallConnected(call_id="W", queue="locatel", agent=ANA, wait_seconds=9), t)
    assert live.apply(connected)
    tally = live.report(t).overall()
    assert (tally.offered, tally.waiting, tally.answered, tally.handled) == (1, 0, 1, 0)
    assert live.waiting(t) == {}
    assert not live.apply(connected)  # the same event again changes nothing
    assert live.report(t).overall() == tally


def test_periods_are_checked() -> None:
    live = models.metrics.LiveMetrics(RULES)
    with pytest.raises(ValueError, match="15-minute"):
        live.report(local(2, 10), local(2, 10, 5), local(2, 11))
    with pytest.raises(ValueError, match="after it starts"):
        live.report(local(2, 10), local(2, 11), local(2, 10))
    assert AgentTally().occupancy is None
