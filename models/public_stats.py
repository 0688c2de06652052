"""The public statistics: each authority's and each alcaldía's figures for a period.

The figures are those of the supervisors' performance report (``models.authority_performance``:
requests received in the period, answered, answered within the 5 business days of the holder's
own calendar, still open, overdue now, median business days to answer), with each row's most
frequent categories. Nothing here names a citizen: only authorities, alcaldías, categories
and counts. The same rows feed the page, its CSV and JSON downloads, and the open data files::

    stats = public_statistics(session, calendar, Period(date(2026, 11, 1), date(2026, 11, 30)))
    stats.ranking(min_requests=30)[0].label
    statistics_rows(engine, start=date(2026, 11, 1), end=date(2026, 11, 30))
    # [{"ambito": "autoridad", "clave": "SACMEX", "recibidas": 41, …}, …]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from models.authority_performance import Figures, Period, Row, category_names, performance_report
from models.business_days import BusinessCalendar
from models.db import session_scope
from models.db_types import utcnow

AUTHORITY, ALCALDIA, TOTAL = "autoridad", "alcaldia", "total"
TOP_CATEGORIES = 3  # per row
TOP_OVERALL = 10  # in the period as a whole
COLUMNS = (
    "ambito",
    "clave",
    "nombre",
    "periodo_desde",
    "periodo_hasta",
    "recibidas",
    "respondidas",
    "respondidas_en_plazo",
    "porcentaje_en_plazo",
    "abiertas",
    "vencidas",
    "rechazadas",
    "mediana_dias_habiles",
    *(
        f"categoria_{n}_{part}"
        for n in range(1, TOP_CATEGORIES + 1)
        for part in ("clave", "nombre", "recibidas")
    ),
)


@dataclass(frozen=True)
class TopCategory:
    """A category and the requests of it a row received."""

    code: str
    name: str
    received: int


@dataclass(frozen=True)
class StatRow:
    """One authority, alcaldía or the total (``scope``), with its figures."""

    scope: str
    key: str | None
    label: str
    figures: Figures
    top: tuple[TopCategory, ...]

    @property
    def on_time_percent(self) -> float | None:
        """Answered within the limit, as a percentage of received (one decimal)."""
        share = self.figures.on_time_share
        return None if share is None else round(100 * share, 1)

    def as_dict(self, period: Period) -> dict[str, object]:
        """The row under the ``COLUMNS`` names, plain values (JSON and CSV alike)."""
        f = self.figures
        values: list[object] = [
            self.scope,
            self.key,
            self.label,
            period.first.isoformat(),
            period.last.isoformat(),
            f.received,
            f.answered,
            f.on_time,
            self.on_time_percent,
            f.still_open,
            f.overdue,
            f.rejected,
            f.median_days,
        ]
        for n in range(TOP_CATEGORIES):
            one = self.top[n] if n < len(self.top) else None
            values += [one.code, one.name, one.received] if one else [None, None, None]
        return dict(zip(COLUMNS, values, strict=True))


@dataclass(frozen=True)
class PublicStatistics:
    """The period's rows, the total and the most frequent categories."""

    period: Period
    generated_at: datetime
    authorities: list[StatRow]
    alcaldias: list[StatRow]
    total: StatRow
    categories: tuple[TopCategory, ...]

    def rows(self, *, with_total: bool = False) -> list[dict[str, object]]:
        """Every authority's then every alcaldía's row (then the total's) as plain dicts."""
        rows = [*self.authorities, *self.alcaldias, *([self.total] if with_total else [])]
        return [row.as_dict(self.period) for row in rows]

    def document(self, min_requests: int) -> dict[str, object]:
        """Everything in plain values (the JSON download): the period, when it was computed,
        the rows and the total, the ranking with its minimum, the most frequent categories."""
        return {
            "periodo": {
                "desde": self.period.first.isoformat(),
                "hasta": self.period.last.isoformat(),
            },
            "generado_en": self.generated_at.isoformat(),
            "minimo_para_ranking": min_requests,
            "filas": self.rows(with_total=True),
            "ranking": [
                {
                    "lugar": place,
                    "clave": row.key,
                    "nombre": row.label,
                    "recibidas": row.figures.received,
                    "porcentaje_en_plazo": row.on_time_percent,
                    "mediana_dias_habiles": row.figures.median_days,
                }
                for place, row in enumerate(self.ranking(min_requests), start=1)
            ],
            "categorias_principales": [
                {"clave": one.code, "nombre": one.name, "recibidas": one.received}
                for one in self.categories
            ],
        }

    def ranking(self, min_requests: int) -> list[StatRow]:
        """The authorities with at least ``min_requests`` received, best on-time share first
        (then the shorter median, then the name)."""
        eligible = [
            row
            for row in self.authorities
            if row.key is not None and row.figures.received >= max(min_requests, 1)
        ]

        def order(row: StatRow) -> tuple[float, float, str]:
            median = row.figures.median_days
            share = row.figures.on_time_share or 0.0
            return (-share, float("inf") if median is None else median, row.label)

        return sorted(eligible, key=order)


def _top(figures: Figures, names: dict[str, str], how_many: int) -> tuple[TopCategory, ...]:
    """The most received categories, ties by code."""
    counts = sorted(figures.categories.items(), key=lambda item: (-item[1], item[0]))
    return tuple(
        TopCategory(code, names.get(code, code), received) for code, received in counts[:how_many]
    )


def public_statistics(
    session: Session, calendar: BusinessCalendar, period: Period, *, now: datetime | None = None
) -> PublicStatistics:
    """The statistics of the requests received in ``period`` (open and overdue as of ``now``)."""
    report = performance_report(session, calendar, period, now=now or utcnow(), reassignments=False)
    names = category_names(session, set(report.total.categories))

    def rows(scope: str, source: list[Row]) -> list[StatRow]:
        return [StatRow(scope, r.key, r.label, r.figures, top(r.figures)) for r in source]

    def top(figures: Figures) -> tuple[TopCategory, ...]:
        return _top(figures, names, TOP_CATEGORIES)

    return PublicStatistics(
        period=period,
        generated_at=report.generated_at,
        authorities=rows(AUTHORITY, report.authorities),
        alcaldias=rows(ALCALDIA, report.alcaldias),
        total=StatRow(TOTAL, None, "Total", report.total, top(report.total)),
        categories=_top(report.total, names, TOP_OVERALL),
    )


def statistics_rows(
    engine: Engine,
    *,
    start: date,
    end: date,
    calendar: BusinessCalendar | None = None,
    now: datetime | None = None,
) -> list[dict[str, object]]:
    """One plain dict per authority and per alcaldía (``ambito``) for the requests received
    from ``start`` to ``end`` (local days, both included), under the ``COLUMNS`` names.
    ``calendar``: the deployment's (``container.calendar``); the shipped one by default."""
    with session_scope(engine, readonly=True) as session:
        stats = public_statistics(
            session, calendar or BusinessCalendar.default(), Period(start, end), now=now
        )
    return stats.rows()
