"""The contact centre's historical reports for supervisors and administrators.

``/supervision/reportes``: calls per queue and per interval (15 minutes, hour, day) of any
period of local days, with charts of the intervals; ``/supervision/reportes/agentes``: each
agent's time, pauses by reason, handled calls, AHT, missed rings and occupancy, and one
agent per interval. Each has a ``.csv`` twin with the page's own figures. The figures are
:func:`~models.metrics.historical_report`'s, grouped in SQL; this module only lays them out.
No citizen's data is shown (queues, agents' names and phones, counts and times), so nothing
is written to the personal-data log.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import col, select

from agent_console.auth import SupervisorStaff
from agent_console.report_charts import call_charts
from agent_console.report_csv import csv_response
from agent_console.report_form import INTERVALS, ReportForm
from agent_console.report_tables import (
    Table,
    agent_label,
    agent_tables,
    call_tables,
    interval_tallies,
    pause_reasons,
)
from agent_console.templating import render
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.metrics import MetricsReport, historical_report, rules_of
from models.users import User

router = APIRouter(include_in_schema=False)

CALLS = "/supervision/reportes"
AGENTS = CALLS + "/agentes"


def _form(request: Request) -> ReportForm:
    zone = rules_of(request.app.state.container.settings).time_zone
    return ReportForm.read(request.query_params, today=utcnow().astimezone(zone).date(), zone=zone)


async def _report(request: Request, form: ReportForm) -> MetricsReport:
    container = request.app.state.container
    engine, rules = container.engine, rules_of(container.settings)
    start, end = form.bounds()
    report: MetricsReport = await run_blocking(
        engine, lambda: historical_report(engine, start, end, rules)
    )
    return report


async def _staff_names(request: Request) -> dict[str, str]:
    """Staff's full names by phone (an active account's name wins)."""
    engine = request.app.state.container.engine

    def work() -> dict[str, str]:
        with session_scope(engine, readonly=True) as session:
            query = select(User.phone, User.full_name, User.active).where(col(User.phone) != None)  # noqa: E711
            rows = sorted(session.exec(query).all(), key=lambda row: row[2])
            return {str(phone): name for phone, name, _active in rows}

    names: dict[str, str] = await run_blocking(engine, work)
    return names


def _context(request: Request, form: ReportForm, **more: Any) -> dict[str, Any]:
    rules = rules_of(request.app.state.container.settings)
    return {"form": form, "intervals": INTERVALS.values(), "rules": rules, **more}


def _filename(kind: str, form: ReportForm, *parts: str) -> str:
    pieces = [kind, form.period_form.desde, form.period_form.hasta, form.intervalo, *parts]
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in "_".join(p for p in pieces if p))
    return f"{safe}.csv"


# --- calls ------------------------------------------------------------------------------------


def _queues(request: Request, form: ReportForm, report: MetricsReport | None) -> list[str]:
    """The queues to choose from: the agents' queue, those of the period, the one asked."""
    known = {request.app.state.container.settings.ivr.agent_queue, form.cola}
    return sorted((known | set(report.queues() if report else ())) - {""})


@router.get(CALLS)
async def calls_page(request: Request, _staff: SupervisorStaff) -> Response:
    """Calls per queue and per interval of the period asked; bad fields explained (422)."""
    form = _form(request)
    if not form.valid:
        context = _context(request, form, queues=_queues(request, form, None))
        return render(request, "supervisor/reports.html", context, status=422)
    report = await _report(request, form)
    queue = form.cola or None
    by_interval = interval_tallies(report, form.interval, queue)
    tables = call_tables(report, form.interval, queue, by_interval)
    charts = call_charts(by_interval, form.interval)
    queues = _queues(request, form, report)
    context = _context(request, form, queues=queues, tables=tables, charts=charts)
    return render(request, "supervisor/reports.html", context)


@router.get(CALLS + ".csv")
async def calls_csv(request: Request, _staff: SupervisorStaff) -> Response:
    """The calls page's tables as CSV."""
    form = _form(request)
    if not form.valid:
        return await calls_page(request, _staff)
    report = await _report(request, form)
    queue = form.cola or None
    by_interval = interval_tallies(report, form.interval, queue)
    tables = call_tables(report, form.interval, queue, by_interval)
    return csv_response(tables, _filename("reporte-llamadas", form, form.cola))


# --- agents -----------------------------------------------------------------------------------


def _agents(names: dict[str, str], tables: list[Table], chosen: str) -> list[Any]:
    """The agents to choose from: (phone, label) of staff with a phone and of the period
    (the agents' table's rows)."""
    phones = set(names) | {row.key for table in tables[:1] for row in table.rows} | {chosen}
    return sorted(((p, agent_label(p, names)) for p in phones - {""}), key=lambda o: o[1])


async def _agent_tables(request: Request, form: ReportForm) -> tuple[dict[str, str], list[Table]]:
    report = await _report(request, form)
    names = await _staff_names(request)
    reasons = pause_reasons(report, request.app.state.container.settings.console.pause_reasons)
    return names, agent_tables(report, form.interval, form.agente or None, names, reasons)


@router.get(AGENTS)
async def agents_page(request: Request, _staff: SupervisorStaff) -> Response:
    """Each agent's figures for the period, and one agent's per interval (422: bad fields)."""
    form = _form(request)
    if not form.valid:
        agents = _agents(await _staff_names(request), [], form.agente)
        context = _context(request, form, agents=agents)
        return render(request, "supervisor/reports_agents.html", context, status=422)
    names, tables = await _agent_tables(request, form)
    context = _context(request, form, agents=_agents(names, tables, form.agente), tables=tables)
    return render(request, "supervisor/reports_agents.html", context)


@router.get(AGENTS + ".csv")
async def agents_csv(request: Request, _staff: SupervisorStaff) -> Response:
    """The agents page's tables as CSV."""
    form = _form(request)
    if not form.valid:
        return await agents_page(request, _staff)
    _names, tables = await _agent_tables(request, form)
    return csv_response(tables, _filename("reporte-agentes", form, form.agente))
