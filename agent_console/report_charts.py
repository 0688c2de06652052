"""The call report's charts over its intervals (with :mod:`agent_console.charts`): offered,
answered and abandoned calls, service level, and the average wait of answered calls::

    charts = call_charts(report, Interval.QUARTER, queue="locatel")  # three SVG Markups
"""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup

from agent_console.charts import Series, bar_chart, line_chart, percent
from agent_console.report_tables import interval_starts
from models.metrics import Interval, MetricsReport, Tally


def chart_label(at: datetime, interval: Interval, one_day: bool) -> str:
    """An interval's short name on an axis: ``10:15`` within a day, ``02/03 10:15`` over
    several, ``02/03`` for a day."""
    if interval is Interval.DAY:
        return at.strftime("%d/%m")
    return at.strftime("%H:%M" if one_day else "%d/%m %H:%M")


def call_charts(report: MetricsReport, interval: Interval, queue: str | None) -> list[Markup]:
    """The charts of every interval of the report (of one queue, or all)."""
    starts = interval_starts(report.start, report.end, interval, report.rules)
    one_day = (report.end - report.start).days <= 1
    labels = [chart_label(at, interval, one_day) for at in starts]
    by_interval = report.intervals(interval, queue)
    tallies = [by_interval.get(at, Tally()) for at in starts]
    return [
        bar_chart(
            "Llamadas ofrecidas, atendidas y abandonadas",
            labels=labels,
            series=[
                Series("Ofrecidas", [t.offered for t in tallies]),
                Series("Atendidas", [t.answered for t in tallies]),
                Series("Abandonadas", [t.abandoned for t in tallies]),
            ],
            chart_id="grafica-llamadas",
        ),
        line_chart(
            "Nivel de servicio",
            labels=labels,
            series=[Series("Nivel de servicio", [t.service_level for t in tallies])],
            chart_id="grafica-nivel",
            fmt=percent,
            top=1.0,
        ),
        line_chart(
            "Espera media de las atendidas (segundos)",
            labels=labels,
            series=[Series("ASA (s)", [t.asa for t in tallies])],
            chart_id="grafica-espera",
        ),
    ]
