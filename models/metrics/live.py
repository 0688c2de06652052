"""The live aggregator: today's figures at any moment, from the bus's events alone.

A pure state machine. Each call event is applied to an in-memory call record with the
recorder's own fold (:func:`models.call_facts.apply_event`), so the call's fact is the one
the stored record will give; the call's previous fact is taken out of the figures and the
new one counted in. Agents' state changes go through the same clock as the reports::

    live = LiveMetrics(rules)
    for event in events:
        live.apply(event)
    today = live.report(now)               # the local day so far
    today.overall().service_level, live.waiting(now)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.call_facts import apply_event, call_id_of
from models.calls import CallRecord
from models.events import AgentStateChanged, BaseEvent
from models.metrics.agents import AgentClock, AgentState
from models.metrics.definitions import CallFact, Interval, MetricsRules, Outcome, fact_of
from models.metrics.report import MetricsReport, check_period

ALWAYS = (datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC))


class LiveMetrics:
    """Figures of the calls and agents seen on the bus, kept for ``keep_days`` local days."""

    def __init__(self, rules: MetricsRules, *, keep_days: int = 2) -> None:
        self.rules = rules
        self._keep = timedelta(days=keep_days)
        self._records: dict[str, CallRecord] = {}
        self._facts: dict[str, CallFact] = {}
        self._book = MetricsReport(rules, ALWAYS[0], ALWAYS[1])  # every interval seen
        self._clock = AgentClock(rules, self._book.add_time)
        self._day: datetime | None = None
        self._answered: dict[str, str] = {}  # agent → the latest call it answered

    def apply(self, event: BaseEvent) -> bool:
        """Apply one event; True when it changed a figure or an agent's state."""
        if isinstance(event, AgentStateChanged):
            self._clock.change(event.agent, event.state, event.reason, event.occurred_at)
            return True
        call_id = call_id_of(event)
        if not call_id:
            return False
        self._roll(event.occurred_at)
        record = self._records.get(call_id)
        if record is None:
            record = CallRecord(call_id=call_id, transport="", started_at=event.occurred_at)
            self._records[call_id] = record
        if not apply_event(record, event):
            return False
        return self._count(record)

    def restore(self, record: CallRecord) -> bool:
        """Take a stored call record as this aggregator's own (a restarted process's day so
        far, see :mod:`models.metrics.restore`): the events it holds change nothing when they
        come again, later ones apply on top of it."""
        self._roll(record.started_at)
        self._records[record.call_id] = record
        return self._count(record)

    def _count(self, record: CallRecord) -> bool:
        """Count the call's new fact in place of its previous one."""
        call_id = record.call_id
        before, after = self._facts.get(call_id), fact_of(record)
        if record.agent and record.answered_at is not None:
            latest = self._records.get(self._answered.get(record.agent, ""))
            if latest is None or (latest.answered_at or record.answered_at) <= record.answered_at:
                self._answered[record.agent] = call_id
        if before == after:
            return False
        if before is not None:
            self._book.add_call(before, -1)
        if after is not None:
            self._book.add_call(after)
            self._facts[call_id] = after
        return True

    def _roll(self, at: datetime) -> None:
        """On a new local day, forget ended calls that started before the days kept."""
        day = Interval.DAY.start_of(self.rules.quarter_of(at))
        if self._day is not None and day <= self._day:
            return
        self._day = day
        oldest = day - self._keep
        for call_id, record in list(self._records.items()):
            if record.ended_at is not None and record.started_at < oldest:
                del self._records[call_id]
                self._facts.pop(call_id, None)
        for key in [key for key in self._book.calls if key[0] < oldest]:
            del self._book.calls[key]
        for key in [key for key in self._book.agents if key[0] < oldest]:
            del self._book.agents[key]

    def report(
        self, now: datetime, start: datetime | None = None, end: datetime | None = None
    ) -> MetricsReport:
        """The figures of ``[start, end)`` (default: the local day of ``now``), agents'
        current states counted up to ``now``."""
        quarter = self.rules.quarter_of(now)
        start = start or Interval.DAY.start_of(quarter)
        end = end or start + timedelta(days=1)
        check_period(start, end, self.rules)
        out = MetricsReport(self.rules, start, end)
        for key, tally in self._book.calls.items():
            if start <= key[0] < end:
                out.calls[key].merge(tally)
        for key, agent in self._book.agents.items():
            if start <= key[0] < end:
                out.agents[key].merge(agent)
        self._clock.open_time(min(now, end), out.add_time)
        return out

    def waiting(self, now: datetime) -> dict[str, tuple[int, float]]:
        """Per queue: callers waiting now and the longest current wait, seconds."""
        out: dict[str, tuple[int, float]] = {}
        for fact in self._facts.values():
            if fact.outcome is Outcome.WAITING:
                count, longest = out.get(fact.queue, (0, 0.0))
                wait = max((now - fact.joined_at).total_seconds(), 0.0)
                out[fact.queue] = (count + 1, max(longest, wait))
        return out

    def agent_states(self) -> dict[str, AgentState]:
        """Each agent's current state, pause reason and since when."""
        return dict(self._clock.current)

    def wrapping_up(self) -> dict[str, datetime]:
        """Agents whose latest answered call is over (ended or transferred) and not wrapped
        up yet at the console, with the moment it was over."""
        out: dict[str, datetime] = {}
        for agent, call_id in self._answered.items():
            record = self._records.get(call_id)
            if record is None or record.wrapped_up_at is not None:
                continue
            over = record.transferred_at or record.ended_at
            if over is not None:
                out[agent] = over
        return out
