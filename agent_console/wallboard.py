"""The supervisors' wallboard: what it shows, built from the web process's live figures
(:class:`models.metrics.live_feed.LiveFeed`) and the staff's names, never from a query of
the calls.

Per queue and overall: callers waiting and the longest wait, agents by state, and today's
figures (the definitions of :mod:`models.metrics.definitions`); per agent: name, front,
state with its reason and since when, handled calls, AHT and occupancy; charts of the last
hours per 15 minutes::

    board = build_board(feed, names, now=utcnow(), home_queue="locatel")
    board.overall.tally.service_level, [row.state for row in board.agents]
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from markupsafe import Markup

from agent_console.agent_queue import front_of
from agent_console.charts import Series, bar_chart, line_chart, percent
from models.agent_status import STATE_LABELS
from models.metrics import Interval, Tally
from models.metrics.agents import AgentTally
from models.metrics.live_feed import LiveFeed

WRAPUP = "wrapup"  # on the wallboard only: the console's wrap-up of the agent's last call
LABELS = {**STATE_LABELS, WRAPUP: "En cierre"}
# the wallboard's columns of agents, in order; a state not listed counts as logged out
COLUMNS = ("available", "ringing", "in_use", WRAPUP, "paused", "logged_out")
QUARTER = timedelta(minutes=15)


@dataclass
class QueueRow:
    """A queue (or every queue) now and today."""

    name: str
    tally: Tally
    waiting: int = 0
    oldest: datetime | None = None  # when the longest-waiting caller joined
    agents: Counter[str] = field(default_factory=Counter)

    def longest(self, now: datetime) -> float:
        """The longest current wait, seconds."""
        return max((now - self.oldest).total_seconds(), 0.0) if self.oldest else 0.0


@dataclass
class AgentRow:
    """An agent's line: who, where, in which state since when, and today's figures."""

    phone: str
    name: str
    queue: str
    state: str
    reason: str
    since: datetime | None
    today: AgentTally

    @property
    def front(self) -> str:
        """``asterisk``, ``twilio`` or ""."""
        return front_of(self.phone)

    @property
    def label(self) -> str:
        """The state in Spanish."""
        return LABELS.get(self.state, self.state)

    @property
    def column(self) -> str:
        """The wallboard's column the agent counts in."""
        return self.state if self.state in COLUMNS else "logged_out"


@dataclass
class Board:
    """Everything the wallboard shows at ``at``."""

    at: datetime
    overall: QueueRow
    queues: list[QueueRow]
    agents: list[AgentRow]
    charts: list[Markup]

    def totals(self) -> dict[str, int]:
        """The headline counts (the stream sends them beside the page's sections)."""
        tally = self.overall.tally
        return {
            "offered": tally.offered,
            "answered": tally.answered,
            "abandoned": tally.abandoned,
            "waiting": self.overall.waiting,
        }


def build_board(feed: LiveFeed, names: dict[str, str], *, now: datetime, home_queue: str) -> Board:
    """The wallboard at ``now``; ``names``: phone → full name of the staff with a phone (each
    is listed, logged out until a state is reported), ``home_queue``: theirs until then."""
    live = feed.live
    today = live.report(now)
    agents = _agents(feed, names, today.agent_totals(), home_queue)
    queues: dict[str, QueueRow] = {
        name: QueueRow(name, tally) for name, tally in today.queues().items()
    }
    overall = QueueRow("Todas las colas", today.overall())
    for name, (count, longest) in live.waiting(now).items():
        row = queues.setdefault(name, QueueRow(name, Tally()))
        row.waiting, row.oldest = count, now - timedelta(seconds=longest)
        overall.waiting += count
        if overall.oldest is None or row.oldest < overall.oldest:
            overall.oldest = row.oldest
    for agent in agents:
        queues.setdefault(agent.queue, QueueRow(agent.queue, Tally())).agents[agent.column] += 1
        overall.agents[agent.column] += 1
    ordered = [queues[name] for name in sorted(queues)]
    return Board(now, overall, ordered, agents, charts(feed, now))


def _agents(
    feed: LiveFeed, names: dict[str, str], today: dict[str, AgentTally], home_queue: str
) -> list[AgentRow]:
    states, wrapping = feed.live.agent_states(), feed.live.wrapping_up()
    rows = []
    phones: set[str] = set(names) | set(states)
    for phone in sorted(phones, key=lambda p: ((names.get(p) or p).lower(), p)):
        current = states.get(phone)
        state, reason = (current.state, current.reason) if current else ("logged_out", "")
        since = current.since if current else None
        if state == "available" and phone in wrapping:
            state, since = WRAPUP, max(wrapping[phone], since) if since else wrapping[phone]
        rows.append(
            AgentRow(
                phone=phone,
                name=names.get(phone, phone),
                queue=feed.queues.get(phone, home_queue),
                state=state,
                reason=reason,
                since=since,
                today=today.get(phone, AgentTally()),
            )
        )
    return rows


def charts(feed: LiveFeed, now: datetime) -> list[Markup]:
    """Offered, answered and abandoned calls, service level and ASA per 15 minutes over
    the wallboard's last hours (the current quarter included)."""
    rules = feed.rules
    count = max(int(feed.history / QUARTER), 1)
    end = rules.quarter_of(now) + QUARTER
    start = end - QUARTER * count
    intervals = feed.live.report(now, start, end).intervals(Interval.QUARTER)
    quarters = [start + QUARTER * n for n in range(count)]
    tallies = [intervals.get(rules.local(q), Tally()) for q in quarters]
    labels = [rules.local(q).strftime("%H:%M") for q in quarters]
    hours = f"{count / 4:g} h"
    return [
        bar_chart(
            f"Llamadas por cuarto de hora, últimas {hours}",
            labels=labels,
            series=[
                Series("Ofrecidas", [t.offered for t in tallies]),
                Series("Atendidas", [t.answered for t in tallies]),
                Series("Abandonadas", [t.abandoned for t in tallies]),
            ],
            chart_id="grafica-llamadas",
            whole=True,
        ),
        line_chart(
            f"Nivel de servicio, últimas {hours}",
            labels=labels,
            series=[Series("Nivel de servicio", [t.service_level for t in tallies])],
            chart_id="grafica-nivel",
            fmt=percent,
            top=1.0,
        ),
        line_chart(
            f"ASA (espera de las atendidas, s), últimas {hours}",
            labels=labels,
            series=[Series("ASA", [t.asa for t in tallies])],
            chart_id="grafica-espera",
        ),
    ]
