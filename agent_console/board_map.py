"""The public board's maps, drawn here as SVG (no tiles, no CDN, no script):

- a tile cartogram of the 16 alcaldías, one square each in roughly its place, shaded by its
  requests;
- the rounded cells (``models.public_board.cells``) inside the City's bounding box, shaded by
  their requests, with the alcaldías' initials near their centres for orientation.

As the charts of ``charts.py``, each map is an ``<svg role="img">`` whose ``<desc>`` reads
its figures, coloured through classes (``map-q0`` … ``map-q4``) of ``board.css``::

    alcaldia_map({"Tlalpan": 12, "Coyoacán": 3})   # Markup to put in a template as it is

Each filter's maps are counted and drawn at most every ``MAP_SECONDS`` per web process, one
filter at a time, in a worker thread: counting 30 days of 100,000 requests takes a few hundred
milliseconds on SQLite, which must not stall the event loop (``run_blocking`` runs SQLite
inline)::

    maps = await BoardMaps.of(app).get(BoardFilter(alcaldia="Tlalpan"))
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from anyio import to_thread
from fastapi import FastAPI
from markupsafe import Markup, escape
from sqlalchemy import Engine

from agent_console.public_cache import PublicCache
from models.authorities import ALCALDIAS
from models.db import session_scope
from models.db_types import utcnow
from models.public_board import (
    CELL_MINIMUM,
    CELLS_PER_DEGREE,
    MAP_SECONDS,
    BoardFilter,
    BoardMap,
    Cell,
    board_map,
)

# alcaldía → (column, row) of its tile, its initials, and about where its centre lies
PLACES: dict[str, tuple[int, int, str, float, float]] = {
    "Azcapotzalco": (1, 0, "AZC", 19.487, -99.186),
    "Gustavo A. Madero": (2, 0, "GAM", 19.505, -99.110),
    "Miguel Hidalgo": (1, 1, "MH", 19.430, -99.205),
    "Cuauhtémoc": (2, 1, "CUH", 19.433, -99.150),
    "Venustiano Carranza": (3, 1, "VC", 19.430, -99.100),
    "Cuajimalpa de Morelos": (0, 2, "CUJ", 19.355, -99.300),
    "Álvaro Obregón": (1, 2, "AO", 19.360, -99.225),
    "Benito Juárez": (2, 2, "BJ", 19.380, -99.160),
    "Iztacalco": (3, 2, "IZC", 19.395, -99.100),
    "La Magdalena Contreras": (1, 3, "MC", 19.300, -99.245),
    "Coyoacán": (2, 3, "COY", 19.330, -99.160),
    "Iztapalapa": (3, 3, "IZP", 19.355, -99.060),
    "Tlalpan": (1, 4, "TLP", 19.200, -99.200),
    "Xochimilco": (2, 4, "XOC", 19.245, -99.100),
    "Tláhuac": (3, 4, "TLH", 19.275, -99.005),
    "Milpa Alta": (2, 5, "MA", 19.180, -99.025),
}
TILE, GAP, MARGIN = 78, 4, 6
LEVELS = 4  # shades besides ``map-q0`` (none)
NORTH, SOUTH, WEST, EAST = 19.60, 19.04, -99.37, -98.94  # the City's bounding box
PIXELS_PER_DEGREE = 800
LONGITUDE_SHRINK = math.cos(math.radians(19.4))  # a degree of longitude is shorter here


def level(count: int, highest: int) -> int:
    """The shade of ``count`` against the ``highest`` one: 0 for none, else 1 to ``LEVELS``.

    >>> [level(n, 40) for n in (0, 1, 10, 11, 40)]
    [0, 1, 1, 2, 4]
    """
    return 0 if count <= 0 else max(1, math.ceil(LEVELS * count / max(highest, 1)))


def _svg(
    css: str, width: float, height: float, ident: str, title: str, desc: str, body: str
) -> Markup:
    return Markup(
        f'<svg class="map {css}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" id="{ident}">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def _requests(count: int) -> str:
    return f"{count} solicitud" if count == 1 else f"{count} solicitudes"


def alcaldia_map(counts: Mapping[str, int]) -> Markup:
    """The tile cartogram of the alcaldías shaded by ``counts``."""
    highest = max(counts.values(), default=0)
    tiles = []
    for name, (column, row, initials, _lat, _lon) in PLACES.items():
        count = counts.get(name, 0)
        x, y = MARGIN + column * (TILE + GAP), MARGIN + row * (TILE + GAP)
        tiles.append(
            f'<g aria-hidden="true"><rect class="map-q{level(count, highest)}" x="{x}" y="{y}" '
            f'width="{TILE}" height="{TILE}" rx="4"/>'
            f'<text class="map-name" x="{x + TILE / 2}" y="{y + 30}">{initials}</text>'
            f'<text class="map-count" x="{x + TILE / 2}" y="{y + 56}">{count}</text></g>'
        )
    desc = "; ".join(f"{name}: {_requests(counts.get(name, 0))}" for name in ALCALDIAS) + "."
    side = 2 * MARGIN - GAP
    return _svg(
        "map-tiles",
        4 * (TILE + GAP) + side,
        6 * (TILE + GAP) + side,
        "mapa-alcaldias",
        "Solicitudes por alcaldía",
        desc,
        "".join(tiles),
    )


def _point(latitude: float, longitude: float) -> tuple[float, float]:
    x = (longitude - WEST) * PIXELS_PER_DEGREE * LONGITUDE_SHRINK
    return x, (NORTH - latitude) * PIXELS_PER_DEGREE


def cell_map(cells: Sequence[Cell], *, minimum: int) -> Markup:
    """The rounded cells that have at least ``minimum`` requests, shaded by their count."""
    inside = [c for c in cells if SOUTH <= c.latitude <= NORTH and WEST <= c.longitude <= EAST]
    highest = max((c.count for c in inside), default=0)
    half = 0.5 / CELLS_PER_DEGREE
    width, height = _point(SOUTH, EAST)
    shapes = [f'<rect class="map-frame" x="0" y="0" width="{width:.1f}" height="{height:.1f}"/>']
    for cell in inside:
        x0, y0 = _point(cell.latitude + half, cell.longitude - half)
        x1, y1 = _point(cell.latitude - half, cell.longitude + half)
        shapes.append(
            f'<rect class="map-q{level(cell.count, highest)}" x="{x0:.1f}" y="{y0:.1f}" '
            f'width="{x1 - x0:.1f}" height="{y1 - y0:.1f}"/>'
        )
    for _column, _row, initials, latitude, longitude in PLACES.values():
        x, y = _point(latitude, longitude)
        shapes.append(f'<text class="map-place" x="{x:.1f}" y="{y:.1f}">{initials}</text>')
    if inside:
        top = max(inside, key=lambda c: c.count)
        zones = "1 zona" if len(inside) == 1 else f"{len(inside)} zonas"
        desc = (
            f"{zones} de un kilómetro con {minimum} solicitudes o más; la de más "
            f"solicitudes, cerca de {top.latitude:.2f}, {top.longitude:.2f}: "
            f"{_requests(top.count)}."
        )
    else:
        desc = f"Ninguna zona de un kilómetro reúne {minimum} solicitudes o más."
    body = f'<g aria-hidden="true">{"".join(shapes)}</g>'
    title = "Solicitudes por zona de un kilómetro"
    return _svg("map-cells", width, height, "mapa-zonas", title, desc, body)


@dataclass(frozen=True)
class Maps:
    """A filter's counts and their two maps."""

    counts: BoardMap
    tiles: Markup
    zones: Markup


class BoardMaps:
    """The board's maps of one web process, by filter."""

    def __init__(self, *, engine: Engine) -> None:
        self._engine = engine
        self._cache = PublicCache(seconds=MAP_SECONDS, size=128)
        self._counting = asyncio.Semaphore(1)  # a flood of distinct filters waits in line

    @classmethod
    def of(cls, app: FastAPI) -> BoardMaps:
        """The application's maps, made on first use."""
        maps: BoardMaps | None = getattr(app.state, "board_maps", None)
        if maps is None:
            maps = app.state.board_maps = cls(engine=app.state.container.engine)
        return maps

    async def get(self, board_filter: BoardFilter) -> Maps:
        """The maps of ``board_filter``, at most ``MAP_SECONDS`` old."""

        def draw() -> Maps:
            with session_scope(self._engine, readonly=True) as session:
                counts = board_map(session, board_filter, now=utcnow())
            zones = cell_map(counts.cells, minimum=CELL_MINIMUM)
            return Maps(counts, alcaldia_map(counts.alcaldias), zones)

        async def count() -> Maps:
            async with self._counting:
                return await to_thread.run_sync(draw)

        return await self._cache.get(board_filter, count)
