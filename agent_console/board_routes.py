"""The public live board (``/tablero``): the latest requests, filterable by alcaldía, category
and status with a plain form, kept current by its stream (``/tablero/eventos``), with the
maps of the last days' requests by alcaldía and by one-kilometre zone; the same in JSON
(``/api/public/tablero``). No sign-in, nothing personal (see ``models.public_board``).

Each filter's page and JSON are built once per ``public.cache_seconds`` in each web process
and served as kept bytes (``app.state.public_cache``), its maps counted once per
``MAP_SECONDS`` (``board_map.BoardMaps``); browsers and proxies may keep them as long as
``public.cache_seconds``::

    GET /tablero?alcaldia=Tlalpan&categoria=ALU-001&estado=assigned
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sse_starlette.sse import EventSourceResponse

from agent_console.board_map import BoardMaps
from agent_console.board_stream import LiveRows, board_messages
from agent_console.public_cache import kept_response
from agent_console.templating import render_public
from models.authorities import ALCALDIAS
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.error_answers import error_responses
from models.lifecycle import STATUS_LABELS
from models.public_board import (
    CELL_MINIMUM,
    CELLS_PER_DEGREE,
    LATEST,
    MAP_DAYS,
    MAP_SECONDS,
    BoardFilter,
    Cell,
    PublicRow,
    UnknownBoardFilter,
    category_choices,
    latest_rows,
)

router = APIRouter()
PAGE = "/tablero"
Categories = list[tuple[str, list[tuple[str, str]]]]


class PublicBoard(BaseModel):
    """The board in JSON: the latest rows, and the map's counts since ``since`` (cells of
    ``cell_degrees``, only those with ``cell_minimum`` requests or more)."""

    rows: list[PublicRow]
    alcaldias: dict[str, int]
    cells: list[Cell]
    since: datetime
    cell_degrees: float
    cell_minimum: int


async def _categories(request: Request) -> Categories:
    engine = request.app.state.container.engine

    def load() -> Categories:
        with session_scope(engine, readonly=True) as session:
            return category_choices(session)

    async def compute() -> Categories:
        return await run_blocking(engine, load)

    result: Categories = await request.app.state.public_cache.get(("tablero-categorias",), compute)
    return result


async def _filter(request: Request, alcaldia: str, categoria: str, estado: str) -> BoardFilter:
    codes = {code for _tema, entries in await _categories(request) for code, _name in entries}
    return BoardFilter.parse(
        alcaldia=alcaldia, categoria=categoria, estado=estado, categories=codes
    )


async def _rows(request: Request, board_filter: BoardFilter) -> list[PublicRow]:
    engine = request.app.state.container.engine

    def load() -> list[PublicRow]:
        with session_scope(engine, readonly=True) as session:
            return latest_rows(session, board_filter)

    return await run_blocking(engine, load)


@router.get(PAGE, include_in_schema=False)
async def board_page(
    request: Request, alcaldia: str = "", categoria: str = "", estado: str = ""
) -> Response:
    """The board for the form's filters (an unknown value is explained beside its field)."""
    context: dict[str, Any] = {
        "section": "tablero",
        "alcaldias": ALCALDIAS,
        "categories": await _categories(request),
        "statuses": STATUS_LABELS,
        "chosen": {"alcaldia": alcaldia, "categoria": categoria, "estado": estado},
        "latest": LATEST,
        "map_days": MAP_DAYS,
        "map_minutes": MAP_SECONDS // 60,
        "cell_minimum": CELL_MINIMUM,
    }
    try:
        board_filter = await _filter(request, alcaldia, categoria, estado)
    except UnknownBoardFilter as error:
        context["error"] = error.message
        return render_public(request, "public/board.html", context, status=error.status_code)
    query = urlencode(board_filter.query())

    async def build() -> Response:
        context.update(
            rows=await _rows(request, board_filter),
            maps=await BoardMaps.of(request.app).get(board_filter),
            now=utcnow(),
            stream=f"{PAGE}/eventos" + (f"?{query}" if query else ""),
        )
        return render_public(request, "public/board.html", context)

    cache = request.app.state.public_cache
    return await kept_response(cache, ("tablero.html", board_filter), build)


@router.get(f"{PAGE}/eventos", include_in_schema=False)
async def board_events(
    request: Request, alcaldia: str = "", categoria: str = "", estado: str = ""
) -> Response:
    """The board's server-sent events (``fila``, ``quitar``) for the same filters as the page;
    a page load goes to the board."""
    board_filter = await _filter(request, alcaldia, categoria, estado)
    if "text/event-stream" not in request.headers.get("accept", ""):
        query = urlencode(board_filter.query())
        return RedirectResponse(PAGE + (f"?{query}" if query else ""), status_code=303)
    hub = request.app.state.live
    return EventSourceResponse(board_messages(hub, board_filter, rows=LiveRows.of(request.app)))


@router.get(
    "/api/public/tablero",
    response_model=PublicBoard,
    tags=["público"],
    responses=error_responses(422),
)
async def board_json(
    request: Request, alcaldia: str = "", categoria: str = "", estado: str = ""
) -> Response:
    """The public board: the latest requests (no personal data, no description, no address)
    and the last days' requests by alcaldía and by rounded zone; filters as the page's
    (``alcaldia``, ``categoria``: a catalogue code, ``estado``: a status)."""
    board_filter = await _filter(request, alcaldia, categoria, estado)

    async def build() -> Response:
        counts = (await BoardMaps.of(request.app).get(board_filter)).counts
        board = PublicBoard(
            rows=await _rows(request, board_filter),
            alcaldias=dict(counts.alcaldias),
            cells=counts.cells,
            since=counts.since,
            cell_degrees=1 / CELLS_PER_DEGREE,
            cell_minimum=CELL_MINIMUM,
        )
        seconds = request.app.state.container.settings.public.cache_seconds
        headers = {"cache-control": f"public, max-age={seconds}"}
        return Response(board.model_dump_json(), media_type="application/json", headers=headers)

    cache = request.app.state.public_cache
    return await kept_response(cache, ("tablero.json", board_filter), build)
