"""Agents' time and calls: logged-in and paused time per interval, handled calls, occupancy.

An agent's time follows its latest reported state (``AgentStateChanged``, whichever queue
reported it): **logged in** is every state but ``logged_out``; **paused** is the ``paused``
state, by reason. A state's time is split at 15-minute boundaries, so an agent paused from
10:10 to 10:20 has 5 paused minutes in the 10:00 interval and 5 in the 10:15 one.
**Occupancy** = time on handled calls (talk + hold + wrap-up) ÷ (logged-in − paused time),
the calls counted in the interval they joined the queue::

    >>> from datetime import UTC, datetime
    >>> rules = MetricsRules()
    >>> spans = list(split(datetime(2026, 3, 2, 16, 10, tzinfo=UTC),
    ...                    datetime(2026, 3, 2, 16, 20, tzinfo=UTC), rules))
    >>> [(start.strftime("%H:%M"), seconds) for start, seconds in spans]
    [('10:00', 300000), ('10:15', 300000)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from models.metrics.definitions import CallFact, MetricsRules, ms, quarter_utc

LOGGED_OUT = "logged_out"
PAUSED = "paused"
QUARTER = timedelta(minutes=15)


@dataclass(slots=True)
class AgentTally:
    """An agent's figures (times in milliseconds); additive like a call tally."""

    logged_in_ms: int = 0
    paused_ms: dict[str, int] = field(default_factory=dict)  # by reason
    handled: int = 0
    handle_ms: int = 0  # talk + hold + wrap-up of the handled calls
    missed_rings: int = 0

    def add_call(self, fact: CallFact, sign: int = 1) -> None:
        """A call this agent handled."""
        if fact.handled:
            self.handled += sign
            self.handle_ms += sign * (fact.talk_ms + fact.hold_ms + fact.wrapup_ms)

    def add_time(self, state: str, reason: str, millis: int) -> None:
        """``millis`` spent in ``state`` (with a pause ``reason``)."""
        if state == LOGGED_OUT or millis <= 0:  # logged-out time is no figure
            return
        self.logged_in_ms += millis
        if state == PAUSED:
            self.paused_ms[reason] = self.paused_ms.get(reason, 0) + millis

    def merge(self, other: AgentTally) -> AgentTally:
        """Add ``other`` into this tally; returns it."""
        self.logged_in_ms += other.logged_in_ms
        for reason, millis in other.paused_ms.items():
            self.paused_ms[reason] = self.paused_ms.get(reason, 0) + millis
        self.handled += other.handled
        self.handle_ms += other.handle_ms
        self.missed_rings += other.missed_rings
        return self

    @property
    def paused_total_ms(self) -> int:
        """Paused time, every reason."""
        return sum(self.paused_ms.values())

    @property
    def aht(self) -> float | None:
        """Average handle time, seconds."""
        return self.handle_ms / 1000 / self.handled if self.handled else None

    @property
    def occupancy(self) -> float | None:
        """Time on calls and wrap-up ÷ logged-in time not paused."""
        available = self.logged_in_ms - self.paused_total_ms
        return self.handle_ms / available if available > 0 else None


def split(since: datetime, until: datetime, rules: MetricsRules) -> Iterator[tuple[datetime, int]]:
    """``[since, until)`` cut at 15-minute boundaries: (interval's local start, milliseconds)."""
    start, quarter = since, quarter_utc(since)
    while start < until:
        following = quarter + QUARTER
        end = min(following, until)
        yield rules.local(quarter), ms((end - start).total_seconds())
        start, quarter = end, following


@dataclass(frozen=True, slots=True)
class AgentState:
    """An agent's current state and since when."""

    state: str
    reason: str
    since: datetime


TimeSink = Callable[[datetime, str, str, str, int], None]  # (quarter, agent, state, reason, ms)


class AgentClock:
    """Turns each agent's state changes into time per interval, given to ``sink``."""

    def __init__(self, rules: MetricsRules, sink: TimeSink) -> None:
        self.rules, self._sink = rules, sink
        self.current: dict[str, AgentState] = {}

    def change(self, agent: str, state: str, reason: str, at: datetime) -> None:
        """The agent is in ``state`` from ``at`` on; the previous state's time is counted.
        A repeated state changes nothing; a late report (before the current state) only
        sets the state."""
        reason = reason if state == PAUSED else ""
        before = self.current.get(agent)
        if before is not None and (before.state, before.reason) == (state, reason):
            return
        since = at if before is None else max(at, before.since)
        if before is not None:
            self._count(agent, before, since, self._sink)
        self.current[agent] = AgentState(state, reason, since)

    def _count(self, agent: str, state: AgentState, until: datetime, sink: TimeSink) -> None:
        if state.state == LOGGED_OUT:  # no figure: not cut into intervals
            return
        for quarter, millis in split(state.since, until, self.rules):
            sink(quarter, agent, state.state, state.reason, millis)

    def open_time(self, until: datetime, sink: TimeSink) -> None:
        """Give ``sink`` the time of every current state up to ``until`` (not kept)."""
        for agent, state in self.current.items():
            self._count(agent, state, until, sink)
