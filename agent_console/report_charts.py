"""The call report's charts over its intervals (with :mod:`agent_console.charts`): offered,
answered and abandoned calls, service level, and the average wait of answered calls::

    charts = call_charts(interval_tallies(report, Interval.QUARTER, "locatel"), Interval.QUARTER)
"""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup

from agent_console.charts import Series, bar_chart, line_chart, percent
from models.metrics import Interval, Tally


def chart_label(at: datetime, interval: Interval, one_day: bool) -> str:
    """An interval's short name on an axis: ``10:15`` within a day, ``02/03 10:15`` over
    several, ``02/03`` for a day."""
    if interval is Interval.DAY:
        return at.strftime("%d/%m")
    return at.strftime("%H:%M" if one_day else "%d/%m %H:%M")


def call_charts(by_interval: list[tuple[datetime, Tally]], interval: Interval) -> list[Markup]:
    """The charts of every interval (``by_interval``: ``report_tables.interval_tallies``)."""
    one_day = len({at.date() for at, _ in by_interval}) <= 1
    labels = [chart_label(at, interval, one_day) for at, _ in by_interval]
    tallies = [tally for _, tally in by_interval]
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
            whole=True,
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
