"""The public live board (``/tablero``): the latest requests, filterable by alcaldía, category
and status with a plain form, kept current by its stream (``/tablero/eventos``), with the
maps of the last days' requests by alcaldía and by one-kilometre zone; the same in JSON
(``/api/public/tablero``). No sign-in, nothing personal (see ``models.public_board``).

Each filter's view is computed once per ``public.cache_seconds`` in each web process
(``app.state.public_cache``), and the answers may be cached as long by browsers and proxies::

    GET /tablero?alcaldia=Tlalpan&categoria=ALU-001&estado=assigned
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel
from sse_starlette.sse import EventSourceResponse

from agent_console.board_map import alcaldia_map, cell_map
from agent_console.board_stream import LiveRows, board_messages
from agent_console.templating import render_public
from models.authorities import ALCALDIAS
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.lifecycle import STATUS_LABELS
from models.public_board import (
    CELL_MINIMUM,
    CELLS_PER_DEGREE,
    LATEST,
    MAP_DAYS,
    BoardFilter,
    BoardView,
    Cell,
    PublicRow,
    UnknownBoardFilter,
    board_view,
    category_choices,
)

router = APIRouter()
PAGE = "/tablero"
Filter = Annotated[str, Query(max_length=80)]
Categories = list[tuple[str, list[tuple[str, str]]]]


@dataclass(frozen=True)
class Screen:
    """A filter's view with its maps drawn."""

    view: BoardView
    tiles: Markup
    zones: Markup


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


async def _screen(request: Request, board_filter: BoardFilter) -> Screen:
    engine = request.app.state.container.engine

    def load() -> BoardView:
        with session_scope(engine, readonly=True) as session:
            return board_view(session, board_filter, now=utcnow())

    async def compute() -> Screen:
        view = await run_blocking(engine, load)
        zones = cell_map(view.cells, minimum=CELL_MINIMUM)
        return Screen(view, alcaldia_map(view.alcaldias), zones)

    result: Screen = await request.app.state.public_cache.get(("tablero", board_filter), compute)
    return result


@router.get(PAGE, include_in_schema=False)
async def board_page(
    request: Request, alcaldia: Filter = "", categoria: Filter = "", estado: Filter = ""
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
        "cell_minimum": CELL_MINIMUM,
    }
    try:
        board_filter = await _filter(request, alcaldia, categoria, estado)
    except UnknownBoardFilter as error:
        context["error"] = error.message
        return render_public(request, "public/board.html", context, status=error.status_code)
    query = urlencode(board_filter.query())
    context.update(
        screen=await _screen(request, board_filter),
        now=utcnow(),
        stream=f"{PAGE}/eventos" + (f"?{query}" if query else ""),
    )
    return render_public(request, "public/board.html", context)


@router.get(f"{PAGE}/eventos", include_in_schema=False)
async def board_events(
    request: Request, alcaldia: Filter = "", categoria: Filter = "", estado: Filter = ""
) -> Response:
    """The board's server-sent events (``fila``, ``quitar``) for the same filters as the page;
    a page load goes to the board."""
    board_filter = await _filter(request, alcaldia, categoria, estado)
    if "text/event-stream" not in request.headers.get("accept", ""):
        query = urlencode(board_filter.query())
        return RedirectResponse(PAGE + (f"?{query}" if query else ""), status_code=303)
    hub = request.app.state.live
    return EventSourceResponse(board_messages(hub, board_filter, rows=LiveRows.of(request.app)))


@router.get("/api/public/tablero", response_model=PublicBoard, tags=["público"])
async def board_json(
    request: Request,
    response: Response,
    alcaldia: Filter = "",
    categoria: Filter = "",
    estado: Filter = "",
) -> PublicBoard:
    """The public board: the latest requests (no personal data, no description, no address)
    and the last days' requests by alcaldía and by rounded zone; filters as the page's
    (``alcaldia``, ``categoria``: a catalogue code, ``estado``: a status)."""
    board_filter = await _filter(request, alcaldia, categoria, estado)
    view = (await _screen(request, board_filter)).view
    seconds = request.app.state.container.settings.public.cache_seconds
    response.headers["cache-control"] = f"public, max-age={seconds}"
    return PublicBoard(
        rows=view.rows,
        alcaldias=dict(view.alcaldias),
        cells=view.cells,
        since=view.since,
        cell_degrees=1 / CELLS_PER_DEGREE,
        cell_minimum=CELL_MINIMUM,
    )
