"""The contact-centre metrics' definitions, written once for live and historical figures.

A call is reduced to a :class:`CallFact` by :func:`fact_of` (from an in-memory record fed
with events, or a stored call record's row), and facts are summed into a :class:`Tally`.
Every figure is computed from tallies, so the wallboard and the reports agree for the same
calls:

- **offered**: calls that joined a queue; a call belongs to the interval (15 minutes, hour,
  day, local time) in which it joined, so a call that spans midnight counts on its first day.
- **answered**: connected to an agent. **Abandoned**: the caller hung up while waiting;
  time-outs, empty-queue exits, key exits and calls taken out of the queue are counted apart
  and never as abandons. **Short abandon**: abandoned after a wait strictly below
  ``short_abandon_seconds`` (4.9 s is short, 5 s is not).
- **service level** = answered within T ÷ (answered + abandoned after T − short abandons),
  T = ``service_level_seconds``, inclusive (answered at exactly T is inside). "Abandoned after
  T − short abandons" is read as a set: the calls abandoned after more than T seconds that are
  not short abandons (nothing is subtracted that was never added; with T ≥ the short-abandon
  threshold it is simply the calls abandoned after T).
- **abandonment rate** = (abandoned − short) ÷ (offered − short); short abandons are
  reported apart.
- **ASA** = total wait of answered calls ÷ answered.
- **handled**: answered calls whose conversation is over (hung up or transferred);
  **AHT** = (talk + hold + wrap-up) ÷ handled, talk from the answer to the end or transfer
  minus hold, wrap-up as the console measured it (``CallWrappedUp``, 0 until it is reported);
  Asterisk's moving averages (``Holdtime``, ``TalkTime``) are never used.

Waits and times are taken to the millisecond.

    >>> rules = MetricsRules(short_abandon_seconds=5, service_level_seconds=20)
    >>> rules.is_short_abandon(4_900), rules.is_short_abandon(5_000), rules.within_service(20_000)
    (True, False, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from models.config import Settings


class Outcome(StrEnum):
    """How a queued call stands or left the queue."""

    WAITING = "waiting"
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    TIMEOUT = "timeout"  # the queue's maximum wait passed
    EMPTY = "empty"  # no agent left in the queue
    KEY = "key"  # the caller pressed an exit key
    LEFT = "left"  # taken out of the queue on purpose (redirected)
    UNANSWERED = "unanswered"  # the call ended in the queue without a reason (link lost)


QUARTER_SECONDS = 900
EXITS = {o.value: o for o in (Outcome.TIMEOUT, Outcome.EMPTY, Outcome.KEY, Outcome.LEFT)}


@dataclass(frozen=True, slots=True)
class MetricsRules:
    """The thresholds and the local time zone of the intervals."""

    short_abandon_seconds: float = 5.0
    service_level_seconds: float = 20.0
    time_zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/Mexico_City"))

    @property
    def short_abandon_ms(self) -> int:
        """The short-abandon threshold in milliseconds, the unit waits are compared in."""
        return ms(self.short_abandon_seconds)

    @property
    def service_level_ms(self) -> int:
        """The service-level threshold in milliseconds."""
        return ms(self.service_level_seconds)

    def is_short_abandon(self, wait_ms: int) -> bool:
        """Abandoned before the short-abandon threshold (strictly)."""
        return wait_ms < self.short_abandon_ms

    def within_service(self, wait_ms: int) -> bool:
        """Answered within the service-level threshold (inclusive)."""
        return wait_ms <= self.service_level_ms

    def after_service(self, wait_ms: int) -> bool:
        """Abandoned after the service-level threshold, and not a short abandon."""
        return wait_ms > self.service_level_ms and not self.is_short_abandon(wait_ms)

    def quarter_of(self, at: datetime) -> datetime:
        """The local 15-minute interval ``at`` falls in (its start, aware, local time)."""
        return self.local(quarter_utc(at))

    def local(self, at: datetime) -> datetime:
        """``at`` in local time."""
        return at.astimezone(self.time_zone)


def quarter_utc(at: datetime) -> datetime:
    """The start (UTC) of the 15-minute interval ``at`` falls in; the same instant as the
    local one, every time zone's offset being a multiple of 15 minutes."""
    stamp = at.timestamp()
    return datetime.fromtimestamp(stamp - stamp % QUARTER_SECONDS, UTC)


def ms(seconds: float) -> int:
    """Seconds as whole milliseconds (half up): waits are compared, and times summed, in
    them, so sums are exact whatever the order of adding."""
    return math.floor(seconds * 1000 + 0.5)


class Interval(StrEnum):
    """The report intervals; hours and days are unions of 15-minute intervals."""

    QUARTER = "15min"
    HOUR = "hour"
    DAY = "day"

    def start_of(self, quarter: datetime) -> datetime:
        """The start of the interval a 15-minute interval (local start) belongs to."""
        if self is Interval.QUARTER:
            return quarter
        if self is Interval.HOUR:
            return quarter.replace(minute=0)
        return quarter.replace(hour=0, minute=0)


class CallFields(Protocol):
    """What the definitions read of a call: a ``CallRecord`` or a row of its columns."""

    @property
    def queue(self) -> str | None: ...
    @property
    def queued_at(self) -> datetime | None: ...
    @property
    def answered_at(self) -> datetime | None: ...
    @property
    def abandoned_at(self) -> datetime | None: ...
    @property
    def wait_seconds(self) -> float | None: ...
    @property
    def queue_exit(self) -> str | None: ...
    @property
    def agent(self) -> str | None: ...
    @property
    def hold_seconds(self) -> float: ...
    @property
    def transferred_at(self) -> datetime | None: ...
    @property
    def ended_at(self) -> datetime | None: ...
    @property
    def wrapup_seconds(self) -> float | None: ...
    @property
    def missed_agents(self) -> list[str] | None: ...


@dataclass(frozen=True, slots=True)
class CallFact:
    """One queued call as the metrics see it (times in milliseconds)."""

    queue: str
    joined_at: datetime
    outcome: Outcome
    wait_ms: int = 0  # until answered or gone (a call still waiting: 0)
    agent: str = ""
    handled: bool = False  # answered and the conversation is over
    talk_ms: int = 0
    hold_ms: int = 0
    wrapup_ms: int = 0
    missed_agents: tuple[str, ...] = ()


def _seconds(since: datetime, until: datetime | None) -> float:
    return max((until - since).total_seconds(), 0.0) if until is not None else 0.0


def _outcome(call: CallFields) -> Outcome:
    if call.answered_at is not None:
        return Outcome.ANSWERED
    if call.abandoned_at is not None or call.queue_exit == Outcome.ABANDONED:
        return Outcome.ABANDONED
    if call.queue_exit in EXITS:
        return EXITS[call.queue_exit]
    return Outcome.UNANSWERED if call.ended_at is not None else Outcome.WAITING


def fact_of(call: CallFields) -> CallFact | None:
    """The fact of a call, or None when it never joined a queue.

    The wait is the transport's own figure when it gave one, else the time from joining to
    the answer or the abandon.
    """
    if call.queued_at is None:
        return None
    outcome = _outcome(call)
    left_at = call.answered_at or call.abandoned_at
    wait = call.wait_seconds if call.wait_seconds is not None else _seconds(call.queued_at, left_at)
    missed = tuple(call.missed_agents or ())
    if call.answered_at is None:
        return CallFact(call.queue or "", call.queued_at, outcome, ms(wait), missed_agents=missed)
    over_at = call.transferred_at or call.ended_at
    hold = call.hold_seconds or 0.0
    return CallFact(
        queue=call.queue or "",
        joined_at=call.queued_at,
        outcome=outcome,
        wait_ms=ms(wait),
        agent=call.agent or "",
        handled=over_at is not None,
        talk_ms=ms(max(_seconds(call.answered_at, over_at) - hold, 0.0)),
        hold_ms=ms(hold),
        wrapup_ms=ms(call.wrapup_seconds or 0.0),
        missed_agents=missed,
    )


@dataclass(slots=True)
class Tally:
    """Counts and sums (milliseconds) of calls; additive, so intervals, queues and days roll
    up by adding, and a call that changes is taken out and counted again."""

    offered: int = 0
    answered: int = 0
    answered_within: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    abandoned_after: int = 0  # after more than T, and not short
    timeouts: int = 0
    empty_exits: int = 0
    key_exits: int = 0
    left: int = 0
    unanswered: int = 0
    waiting: int = 0
    answered_wait_ms: int = 0
    handled: int = 0
    talk_ms: int = 0
    hold_ms: int = 0
    wrapup_ms: int = 0

    def add(self, fact: CallFact, rules: MetricsRules, sign: int = 1) -> None:
        """Count ``fact`` in (``sign=-1``: take it out again)."""
        wait = fact.wait_ms
        self.count(
            CallGroup(
                outcome=fact.outcome,
                short=rules.is_short_abandon(wait),
                within=rules.within_service(wait),
                after=rules.after_service(wait),
                handled=fact.handled,
                calls=sign,
                wait_ms=sign * wait,
                talk_ms=sign * fact.talk_ms,
                hold_ms=sign * fact.hold_ms,
                wrapup_ms=sign * fact.wrapup_ms,
            )
        )

    def count(self, group: CallGroup) -> None:
        """Count a group of calls alike (one call, or a report query's row)."""
        n = group.calls
        self.offered += n
        match group.outcome:
            case Outcome.ANSWERED:
                self.answered += n
                self.answered_within += n * group.within
                self.answered_wait_ms += group.wait_ms
            case Outcome.ABANDONED:
                self.abandoned += n
                self.short_abandoned += n * group.short
                self.abandoned_after += n * group.after
            case Outcome.TIMEOUT:
                self.timeouts += n
            case Outcome.EMPTY:
                self.empty_exits += n
            case Outcome.KEY:
                self.key_exits += n
            case Outcome.LEFT:
                self.left += n
            case Outcome.UNANSWERED:
                self.unanswered += n
            case Outcome.WAITING:
                self.waiting += n
        if group.handled:
            self.handled += n
            self.talk_ms += group.talk_ms
            self.hold_ms += group.hold_ms
            self.wrapup_ms += group.wrapup_ms

    def merge(self, other: Tally) -> Tally:
        """Add ``other`` into this tally; returns it."""
        for name in _TALLY_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def handle_seconds(self) -> float:
        """Talk + hold + wrap-up of the handled calls."""
        return (self.talk_ms + self.hold_ms + self.wrapup_ms) / 1000

    @property
    def service_level(self) -> float | None:
        """Answered within T ÷ (answered + abandoned after T − short abandons); None: no call."""
        base = self.answered + self.abandoned_after
        return self.answered_within / base if base else None

    @property
    def abandon_rate(self) -> float | None:
        """(Abandoned − short) ÷ (offered − short)."""
        base = self.offered - self.short_abandoned
        return (self.abandoned - self.short_abandoned) / base if base else None

    @property
    def asa(self) -> float | None:
        """Average speed of answer, seconds."""
        return self.answered_wait_ms / 1000 / self.answered if self.answered else None

    @property
    def aht(self) -> float | None:
        """Average handle time (talk + hold + wrap-up), seconds."""
        return self.handle_seconds / self.handled if self.handled else None


@dataclass(frozen=True, slots=True)
class CallGroup:
    """Calls alike for the definitions (outcome, where their wait falls, handled), with
    their number and summed times: one call, or a row of a report's query."""

    outcome: Outcome
    short: bool
    within: bool
    after: bool
    handled: bool
    calls: int
    wait_ms: int
    talk_ms: int
    hold_ms: int
    wrapup_ms: int


_TALLY_FIELDS = tuple(f.name for f in fields(Tally))


def rules_of(settings: Settings) -> MetricsRules:
    """The rules the settings give (``SUAC_METRICS__…`` and ``SUAC_TIME_ZONE``)."""
    return MetricsRules(
        short_abandon_seconds=settings.metrics.short_abandon_seconds,
        service_level_seconds=settings.metrics.service_level_seconds,
        time_zone=ZoneInfo(settings.time_zone),
    )
