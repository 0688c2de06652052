"""A period's figures: call tallies per (15-minute interval, queue), agent tallies per
(15-minute interval, agent), rolled up per queue, per hour or day, per agent or overall.

Both the live aggregator and the historical reports fill one of these with the same
:func:`~models.metrics.definitions.fact_of` facts and the same agent clock::

    report = historical_report(engine, start, end, rules)
    report.overall().service_level              # 0.83
    report.intervals(Interval.HOUR, queue="locatel")   # {start: Tally, ...}
    report.agent_totals()["PJSIP/1001"].aht     # 245.5
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from models.metrics.agents import AgentTally
from models.metrics.definitions import CallFact, Interval, MetricsRules, Tally

CallKey = tuple[datetime, str]  # (15-minute interval's local start, queue)
AgentKey = tuple[datetime, str]  # (15-minute interval's local start, agent)


def check_period(start: datetime, end: datetime, rules: MetricsRules) -> None:
    """A period is aware, non-empty and starts and ends on 15-minute boundaries."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("naive datetimes are refused: give a time zone")
    if not start < end:
        raise ValueError("a period ends after it starts")
    for at in (start, end):
        if rules.quarter_of(at) != at:
            raise ValueError("a period starts and ends on a 15-minute boundary")


@dataclass
class MetricsReport:
    """The figures of ``[start, end)``."""

    rules: MetricsRules
    start: datetime
    end: datetime
    calls: dict[CallKey, Tally] = field(default_factory=lambda: defaultdict(Tally))
    agents: dict[AgentKey, AgentTally] = field(default_factory=lambda: defaultdict(AgentTally))

    def add_call(self, fact: CallFact, sign: int = 1) -> None:
        """Count a call in the interval it joined its queue (``sign=-1`` takes it out)."""
        quarter = self.rules.quarter_of(fact.joined_at)
        self.calls[quarter, fact.queue].add(fact, self.rules, sign)
        if fact.agent:
            self.agents[quarter, fact.agent].add_call(fact, sign)
        for agent in fact.missed_agents:
            self.agents[quarter, agent].missed_rings += sign

    def add_time(self, quarter: datetime, agent: str, state: str, reason: str, millis: int) -> None:
        """An agent's time in a state, in one 15-minute interval inside the period."""
        if self.start <= quarter < self.end and millis > 0:
            self.agents[quarter, agent].add_time(state, reason, millis)

    # --- roll-ups ---------------------------------------------------------------------------

    def overall(self, queue: str | None = None) -> Tally:
        """Every call of the period (of one queue)."""
        total = Tally()
        for (_, name), tally in self.calls.items():
            if queue is None or name == queue:
                total.merge(tally)
        return total

    def queues(self) -> dict[str, Tally]:
        """Per queue, by name."""
        names = sorted({name for (_, name), tally in self.calls.items() if tally.offered})
        return {name: self.overall(name) for name in names}

    def intervals(self, interval: Interval, queue: str | None = None) -> dict[datetime, Tally]:
        """Per interval (local start, in order), of every queue or one."""
        out: dict[datetime, Tally] = defaultdict(Tally)
        for (quarter, name), tally in self.calls.items():
            if queue is None or name == queue:
                out[interval.start_of(quarter)].merge(tally)
        return dict(sorted(out.items()))

    def agent_totals(self) -> dict[str, AgentTally]:
        """Per agent, by name."""
        out: dict[str, AgentTally] = defaultdict(AgentTally)
        for (_, agent), tally in self.agents.items():
            out[agent].merge(tally)
        return dict(sorted(out.items()))

    def agent_intervals(self, interval: Interval, agent: str) -> dict[datetime, AgentTally]:
        """One agent per interval (local start, in order)."""
        out: dict[datetime, AgentTally] = defaultdict(AgentTally)
        for (quarter, name), tally in self.agents.items():
            if name == agent:
                out[interval.start_of(quarter)].merge(tally)
        return dict(sorted(out.items()))
