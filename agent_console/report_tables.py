"""The contact-centre reports' tables, built once for the page and the CSV so both show the
same figures as the same text.

A figure is formatted once: counts as whole numbers, rates as percentages with one decimal
(``83.3``), ASA and AHT in seconds with one decimal (``14.7``), agents' times as
``h:mm:ss`` (``8:05:09``), a figure with no base (a rate of no call) as "" (the page shows
"—"). Decimals use a point, as Mexico writes them::

    by_interval = interval_tallies(report, Interval.HOUR, None)
    tables = call_tables(report, Interval.HOUR, None, by_interval)
    tables[0].rows[0].label, tables[0].rows[0].cells[:2]   # 'locatel', ['120', '98']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from models.metrics import AgentTally, Interval, MetricsReport, MetricsRules, Tally
from models.metrics.definitions import quarter_utc

T = TypeVar("T")
QUARTER = timedelta(minutes=15)
NO_REASON = "Sin motivo"


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    """A figure's heading (page and CSV), its explanation and how it is read of a tally."""

    head: str
    value: Callable[[T], str]
    help: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    """A table's line: what it is (``key``: an interval's start, a queue, an agent's phone),
    its label and its figures as text."""

    key: str
    label: str
    cells: list[str]


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table; ``name`` tells the CSV's lines of one table from another's."""

    name: str
    title: str
    first: str  # the heading of the rows' labels
    heads: Sequence[Column[Any]]
    rows: list[Row]
    total: Row | None = None


def count(value: int) -> str:
    """A count."""
    return str(value)


def percent(share: float | None) -> str:
    """A share as a percentage with one decimal; "" without a base."""
    return "" if share is None else f"{100 * share:.1f}"


def seconds(value: float | None) -> str:
    """Seconds with one decimal; "" without a base."""
    return "" if value is None else f"{value:.1f}"


def duration(millis: int) -> str:
    """Milliseconds as ``h:mm:ss`` (whole seconds, rounded down)."""
    minutes, secs = divmod(millis // 1000, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def call_columns(rules: MetricsRules) -> list[Column[Tally]]:
    """The call figures, their headings naming the rules' thresholds."""
    t, short = f"{rules.service_level_seconds:g}", f"{rules.short_abandon_seconds:g}"
    return [
        Column("Ofrecidas", lambda x: count(x.offered), "Llamadas que entraron a la cola"),
        Column("Atendidas", lambda x: count(x.answered), "Conectadas con un agente"),
        Column(f"Atendidas ≤ {t} s", lambda x: count(x.answered_within)),
        Column("Abandonadas", lambda x: count(x.abandoned), "El llamante colgó mientras esperaba"),
        Column(f"Abandonos cortos (< {short} s)", lambda x: count(x.short_abandoned)),
        Column("Tiempo agotado", lambda x: count(x.timeouts), "Salieron al agotar la espera"),
        Column("Cola sin agentes", lambda x: count(x.empty_exits), "Salieron por no haber agentes"),
        Column("Salida por tecla", lambda x: count(x.key_exits), "El llamante eligió salir"),
        Column(
            "Otras salidas",
            lambda x: count(x.left + x.unanswered),
            "Retiradas de la cola, o cortadas sin causa conocida",
        ),
        Column("En espera", lambda x: count(x.waiting), "Aún en la cola al consultar"),
        Column("Nivel de servicio (%)", lambda x: percent(x.service_level)),
        Column("Abandono (%)", lambda x: percent(x.abandon_rate)),
        Column("ASA (s)", lambda x: seconds(x.asa), "Espera media de las atendidas"),
        Column("AHT (s)", lambda x: seconds(x.aht), "Conversación + espera + cierre, promedio"),
    ]


def agent_columns(reasons: Sequence[str]) -> list[Column[AgentTally]]:
    """The agent figures, with one paused time per pause reason."""

    def paused(reason: str) -> Callable[[AgentTally], str]:
        return lambda x: duration(x.paused_ms.get(reason, 0))

    return [
        Column("Conectado (h:mm:ss)", lambda x: duration(x.logged_in_ms), "Tiempo en sesión"),
        Column("En pausa (h:mm:ss)", lambda x: duration(x.paused_total_ms), "Todas las causas"),
        *(Column(f"Pausa: {reason or NO_REASON}", paused(reason)) for reason in reasons),
        Column("Atendidas", lambda x: count(x.handled), "Llamadas terminadas por el agente"),
        Column("AHT (s)", lambda x: seconds(x.aht), "Conversación + espera + cierre, promedio"),
        Column("Timbres perdidos", lambda x: count(x.missed_rings), "Le sonó y no contestó"),
        Column(
            "Ocupación (%)",
            lambda x: percent(x.occupancy),
            "Tiempo en llamadas y cierre ÷ tiempo conectado sin pausa",
        ),
    ]


def interval_starts(
    start: datetime, end: datetime, interval: Interval, rules: MetricsRules
) -> list[datetime]:
    """Every interval's local start in ``[start, end)``, empty ones too."""
    starts: dict[datetime, None] = {}
    quarter = quarter_utc(start)
    while quarter < end:
        starts[interval.start_of(rules.local(quarter))] = None
        quarter += QUARTER
    return list(starts)


def interval_label(at: datetime, interval: Interval) -> str:
    """An interval's local start: ``2026-03-02 10:15``, or ``2026-03-02`` for a day."""
    return at.strftime("%Y-%m-%d" if interval is Interval.DAY else "%Y-%m-%d %H:%M")


def _row(key: str, label: str, tally: T, columns: Iterable[Column[T]]) -> Row:
    return Row(key, label, [column.value(tally) for column in columns])


def interval_tallies(
    report: MetricsReport, interval: Interval, queue: str | None
) -> list[tuple[datetime, Tally]]:
    """Every interval of the report (empty ones too) with its calls (of one queue, or all),
    rolled up once for the table and the charts."""
    tallies = report.intervals(interval, queue)
    starts = interval_starts(report.start, report.end, interval, report.rules)
    return [(at, tallies.get(at, Tally())) for at in starts]


def call_tables(
    report: MetricsReport,
    interval: Interval,
    queue: str | None,
    by_interval: list[tuple[datetime, Tally]],
) -> list[Table]:
    """Per queue (with the total of every queue), and per interval of the queue chosen
    (``by_interval``: :func:`interval_tallies`)."""
    columns = call_columns(report.rules)
    queues = [_row(name, name or "(sin cola)", t, columns) for name, t in report.queues().items()]
    by_queue = Table(
        "cola",
        "Por cola",
        "Cola",
        columns,
        queues,
        _row("", "Todas las colas", report.overall(), columns),
    )
    rows = [
        _row(label, label, tally, columns)
        for at, tally in by_interval
        for label in [interval_label(at, interval)]
    ]
    title = f"Por intervalo · {queue}" if queue else "Por intervalo · todas las colas"
    total = _row("", "Total", report.overall(queue), columns)
    return [by_queue, Table("intervalo", title, "Inicio", columns, rows, total)]


def pause_reasons(report: MetricsReport, configured: Sequence[str]) -> list[str]:
    """The configured pause reasons, then any other found in the period."""
    found = {reason for tally in report.agents.values() for reason in tally.paused_ms}
    return [*configured, *sorted(found - set(configured))]


def agent_label(phone: str, names: dict[str, str]) -> str:
    """An agent as staff know them: ``Ana Pérez · PJSIP/1001`` (the phone alone when no
    account has it)."""
    return f"{names[phone]} · {phone}" if phone in names else phone


def agent_tables(
    report: MetricsReport,
    interval: Interval,
    agent: str | None,
    names: dict[str, str],
    reasons: Sequence[str],
) -> list[Table]:
    """Per agent (named by their phone), and per interval of the agent chosen."""
    columns = agent_columns(reasons)
    totals = report.agent_totals()
    rows = [_row(phone, agent_label(phone, names), t, columns) for phone, t in totals.items()]
    tables = [Table("agente", "Por agente", "Agente", columns, rows)]
    if agent:
        tallies = report.agent_intervals(interval, agent)
        rows = [
            _row(label, label, tallies.get(at, AgentTally()), columns)
            for at in interval_starts(report.start, report.end, interval, report.rules)
            for label in [interval_label(at, interval)]
        ]
        total = _row("", "Total", totals.get(agent, AgentTally()), columns)
        title = f"Por intervalo · {agent_label(agent, names)}"
        tables.append(Table("intervalo", title, "Inicio", columns, rows, total))
    return tables
