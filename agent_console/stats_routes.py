"""The public statistics, with no sign-in: each authority's and each alcaldía's figures for a
period (``/estadisticas?desde=AAAA-MM-DD&hasta=AAAA-MM-DD``, the last 30 days by default), the
same figures as CSV and JSON (``/estadisticas.csv``, ``/estadisticas.json``) and the page that
defines every figure (``/estadisticas/definiciones``). Each period's figures are computed once
per ``public.cache_seconds`` by every web process (``app.state.public_cache``) and may be
kept as long by browsers and proxies. Nothing shown names a citizen.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlencode

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from agent_console.charts import Series, bar_chart, percent
from agent_console.period_form import PeriodForm
from agent_console.public_cache import kept_response
from agent_console.templating import render_public
from models.authority_performance import Period, authority_names
from models.business_days import DEADLINE_BUSINESS_DAYS
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.public_stats import COLUMNS, PublicStatistics, StatRow, public_statistics

router = APIRouter(include_in_schema=False)

PAGE = "/estadisticas"
DEFINITIONS = PAGE + "/definiciones"
MAX_DAYS = 366
DEFAULT_DAYS = 30
CHART_BARS = 6  # authorities per chart, so every label (a code) can be read


def _today(request: Request) -> date:
    return utcnow().astimezone(request.app.state.container.calendar.zone).date()


def presets(today: date) -> list[tuple[str, Period]]:
    """The periods offered as links: the last 30 days, this month, last month, this year."""
    month = today.replace(day=1)
    last_month = (month - timedelta(days=1)).replace(day=1)
    return [
        (f"Últimos {DEFAULT_DAYS} días", Period(today - timedelta(DEFAULT_DAYS - 1), today)),
        ("Este mes", Period(month, today)),
        ("Mes anterior", Period(last_month, month - timedelta(days=1))),
        ("Este año", Period(today.replace(month=1, day=1), today)),
    ]


def _query(period: Period) -> str:
    return urlencode({"desde": period.first.isoformat(), "hasta": period.last.isoformat()})


def _form(request: Request) -> PeriodForm:
    default = presets(_today(request))[0][1]
    return PeriodForm.read(request.query_params, default=default, max_days=MAX_DAYS)


async def _statistics(request: Request, period: Period) -> PublicStatistics:
    """The period's figures, computed once per cache lifetime by this process, in a worker
    thread even on SQLite (a year of requests takes seconds: the other pages keep going)."""
    container = request.app.state.container

    def work() -> PublicStatistics:
        with session_scope(container.engine, readonly=True) as session:
            return public_statistics(session, container.calendar, period)

    async def compute() -> PublicStatistics:
        return await to_thread.run_sync(work, limiter=_one_at_a_time(request))

    key = ("estadisticas", period.first, period.last)
    result: PublicStatistics = await request.app.state.public_cache.get(key, compute)
    return result


def _one_at_a_time(request: Request) -> CapacityLimiter:
    """The process's single slot for computing statistics: a flood of distinct periods waits
    in line instead of loading the database with many at once."""
    state = request.app.state
    if getattr(state, "statistics_limiter", None) is None:
        state.statistics_limiter = CapacityLimiter(1)
    limiter: CapacityLimiter = state.statistics_limiter
    return limiter


async def _served(
    request: Request, key: tuple[object, ...], build: Callable[[], Awaitable[Response]]
) -> Response:
    """``build``'s response, built once per cache lifetime and served to everyone asking."""
    return await kept_response(request.app.state.public_cache, key, build)


def _min_requests(request: Request) -> int:
    minimum: int = request.app.state.container.settings.public.ranking_min_requests
    return minimum


def _charts(stats: PublicStatistics, ranking: list[StatRow]) -> dict[str, Any]:
    """The ranked authorities' on-time share, and the busiest authorities' volumes."""
    best = ranking[:CHART_BARS]
    busiest = sorted(
        (row for row in stats.authorities if row.key), key=lambda row: -row.figures.received
    )[:CHART_BARS]
    return {
        "ranked": len(best),
        "on_time": bar_chart(
            "Porcentaje respondido en plazo",
            labels=[row.key or "" for row in best],
            series=[Series("En plazo", [row.figures.on_time_share for row in best])],
            chart_id="grafica-en-plazo",
            fmt=percent,
            top=1.0,
        ),
        "volume": bar_chart(
            "Solicitudes de las autoridades con más recibidas",
            labels=[row.key or "" for row in busiest],
            series=[
                Series(name, [getattr(row.figures, attribute) for row in busiest])
                for name, attribute in (
                    ("Recibidas", "received"),
                    ("Respondidas", "answered"),
                    ("En plazo", "on_time"),
                    ("Vencidas", "overdue"),
                )
            ],
            chart_id="grafica-volumen",
            whole=True,
        ),
    }


@router.get(PAGE)
async def statistics_page(request: Request) -> Response:
    """The statistics of the period asked; a bad period explained next to its field (422)."""
    form = _form(request)
    context: dict[str, Any] = {
        "section": "estadisticas",
        "form": form,
        "presets": [(label, _query(period)) for label, period in presets(_today(request))],
        "min_requests": _min_requests(request),
        "definitions": DEFINITIONS,
    }
    if form.period is None:
        return render_public(request, "public/stats.html", context, status=422)
    period = form.period
    context["form"] = PeriodForm(period.first.isoformat(), period.last.isoformat(), period=period)

    async def build() -> Response:
        stats = await _statistics(request, period)
        ranking = stats.ranking(context["min_requests"])
        context.update(stats=stats, ranking=ranking, charts=_charts(stats, ranking))
        return render_public(request, "public/stats.html", context)

    return await _served(request, ("estadisticas.html", period.first, period.last), build)


def _download_headers(request: Request, name: str | None = None) -> dict[str, str]:
    seconds = request.app.state.container.settings.public.cache_seconds
    headers = {"cache-control": f"public, max-age={seconds}"}
    if name:
        headers["content-disposition"] = f'attachment; filename="{name}"'
    return headers


def _invalid(request: Request, form: PeriodForm) -> JSONResponse:
    return JSONResponse(
        {"errores": form.errors}, status_code=422, headers=_download_headers(request)
    )


@router.get(PAGE + ".csv")
async def statistics_csv(request: Request) -> Response:
    """The page's figures, one line per authority, per alcaldía and the total."""
    form = _form(request)
    if form.period is None:
        return _invalid(request, form)
    period = form.period

    async def build() -> Response:
        stats = await _statistics(request, period)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(stats.rows(with_total=True))
        return Response(
            buffer.getvalue().encode("utf-8-sig"),  # the mark tells spreadsheets it is UTF-8
            media_type="text/csv; charset=utf-8",
            headers=_download_headers(request, f"estadisticas-{period.first}_{period.last}.csv"),
        )

    return await _served(request, ("estadisticas.csv", period.first, period.last), build)


@router.get(PAGE + ".json")
async def statistics_json(request: Request) -> Response:
    """The page's figures: the rows, the ranking with its minimum, the top categories."""
    form = _form(request)
    if form.period is None:
        return _invalid(request, form)
    minimum, period = _min_requests(request), form.period

    async def build() -> Response:
        stats = await _statistics(request, period)
        body = stats.document(minimum) | {"definiciones": DEFINITIONS}
        return JSONResponse(body, headers=_download_headers(request))

    return await _served(request, ("estadisticas.json", period.first, period.last), build)


@router.get(DEFINITIONS)
async def definitions_page(request: Request) -> Response:
    """What every figure means, with an anchor each, and the calendars behind the deadline
    (this year's and next year's non-working days, the City's and each authority's own)."""
    year = _today(request).year
    return await _served(
        request, ("estadisticas.definiciones", year), partial(_definitions, request, year)
    )


async def _definitions(request: Request, year: int) -> Response:
    container = request.app.state.container
    calendar = container.calendar

    def days(chosen: set[date]) -> list[str]:
        """This year's and next year's days of ``chosen``, as the page writes them."""
        wanted = sorted(day for day in chosen if day.year in (year, year + 1))
        return [day.strftime("%d/%m/%Y") for day in wanted]

    own = {
        code: (days(departures.extra), days(departures.working))
        for code, departures in calendar.authorities.items()
    }
    own = {code: lists for code, lists in own.items() if any(lists)}

    def names() -> dict[str, str]:
        with session_scope(container.engine, readonly=True) as session:
            return authority_names(session, own)

    context = {
        "section": "estadisticas",
        "min_requests": _min_requests(request),
        "deadline_days": DEADLINE_BUSINESS_DAYS,
        "cutoff_hour": calendar.cutoff_hour,
        "city_days": days(calendar.city_wide),
        "own_days": own,
        "names": await run_blocking(container.engine, names),
    }
    return render_public(request, "public/stats_definitions.html", context)
