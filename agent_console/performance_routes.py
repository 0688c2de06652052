"""The authorities' performance for supervisors and administrators: the report for a period
(per authority and unit, per alcaldía, per category), its CSV export, and the overdue list
behind each figure. No page shows a citizen's data (folios, categories, places' alcaldías,
dates and statuses only), so none is written to the personal-data log.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from agent_console.auth import SupervisorStaff
from agent_console.period_form import PeriodForm
from agent_console.templating import render
from models.authority_performance import PerformanceReport, Period, Row, performance_report
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.overdue_list import OverdueFilter, overdue_page

router = APIRouter(include_in_schema=False)

MAX_DAYS = 366
PAGE = "/supervision/autoridades"


def _period_form(request: Request) -> PeriodForm:
    """The period asked; this month up to today when none is given."""
    today = utcnow().astimezone(request.app.state.container.calendar.zone).date()
    default = Period(today.replace(day=1), today)
    return PeriodForm.read(request.query_params, default=default, max_days=MAX_DAYS)


async def _report(request: Request, period: Period) -> PerformanceReport:
    container = request.app.state.container

    def work() -> PerformanceReport:
        with session_scope(container.engine, readonly=True) as session:
            return performance_report(session, container.calendar, period)

    result: PerformanceReport = await run_blocking(container.engine, work)
    return result


@router.get(PAGE)
async def performance_page(request: Request, _staff: SupervisorStaff) -> Response:
    """The report for the period asked (this month by default); bad dates explained (422)."""
    form = _period_form(request)
    if form.period is None:
        return render(request, "supervisor/performance.html", {"form": form}, status=422)
    report = await _report(request, form.period)
    return render(request, "supervisor/performance.html", {"form": form, "report": report})


CSV_COLUMNS = (
    "tabla",
    "codigo",
    "nombre",
    "dependencia",
    "recibidas",
    "respondidas",
    "en_plazo",
    "porcentaje_en_plazo",
    "vencidas_hoy",
    "mediana_dias_habiles",
    "rechazadas",
    "reasignadas_a_otra",
)


def _csv_rows(report: PerformanceReport) -> Iterator[list[Any]]:
    def line(table: str, row: Row, parent: str = "") -> list[Any]:
        f = row.figures
        share = "" if f.on_time_share is None else f"{100 * f.on_time_share:.1f}"
        median = "" if f.median_days is None else f"{f.median_days:g}"
        return [table, row.key or "", row.label, parent, f.received, f.answered, f.on_time] + [
            share,
            f.overdue,
            median,
            f.rejected,
            f.reassigned_away,
        ]

    for authority in report.authorities:
        yield line("dependencia", authority)
        for unit in authority.units:
            yield line("unidad", unit, authority.key or "")
    for row in report.alcaldias:
        yield line("alcaldia", row)
    for row in report.categories:
        yield line("categoria", row)


@router.get(PAGE + ".csv")
async def performance_csv(request: Request, _staff: SupervisorStaff) -> Response:
    """The same figures as the page, one line per authority, unit, alcaldía and category."""
    form = _period_form(request)
    if form.period is None:
        return render(request, "supervisor/performance.html", {"form": form}, status=422)
    report = await _report(request, form.period)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_rows(report))
    name = f"desempeno-autoridades-{form.desde}_{form.hasta}.csv"
    return Response(
        buffer.getvalue().encode("utf-8-sig"),  # the mark tells spreadsheets it is UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


OVERDUE_FIELDS = {
    "dependencia": "authority_code",
    "unidad": "unit_code",
    "alcaldia": "alcaldia",
    "categoria": "catalogue_code",
}


@router.get(PAGE + "/vencidas")
async def overdue_list(request: Request, _staff: SupervisorStaff) -> Response:
    """The requests of the period still open past their deadline, for one row of the report."""
    form = _period_form(request)
    chosen = {name: request.query_params.get(name, "").strip() or None for name in OVERDUE_FIELDS}
    context: dict[str, Any] = {"form": form, "chosen": chosen}
    if form.period is None:
        return render(request, "supervisor/performance_overdue.html", context, status=422)
    try:
        number = max(1, int(request.query_params.get("pagina", "1")))
    except ValueError:
        number = 1
    which = OverdueFilter(**{OVERDUE_FIELDS[k]: v for k, v in chosen.items()})
    container = request.app.state.container
    period = form.period

    def work() -> Any:
        with session_scope(container.engine, readonly=True) as session:
            return overdue_page(session, container.calendar, period, which, page=number)

    context["page"] = page = await run_blocking(container.engine, work)
    context["now"] = datetime.now(container.calendar.zone)
    context["link"] = lambda target: f"{PAGE}/vencidas?" + form.query(**chosen, pagina=target)
    context["pages"] = range(1, page.pages + 1)
    return render(request, "supervisor/performance_overdue.html", context)
