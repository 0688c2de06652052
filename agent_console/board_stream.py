"""The public board's live stream: each request event (registered, assigned, answered,
closed…) becomes the request's public row, sent to the streams whose filters it passes.

- ``fila`` — ``{folio, received, html}``: the row as the page's table shows it (the same
  macro), for ``board.js`` to put in place by reception time;
- ``quitar`` — ``{folio}``: a request of the stream's alcaldía and category whose new status
  leaves the stream's status filter.

The row is read once per event in each web process, whoever listens, and holds only the
public columns (``models.public_board.PublicRow``)::

    async for message in board_messages(hub, BoardFilter(alcaldia="Tlalpan"), rows=rows):
        ...   # {"event": "fila", "data": "{...}"}
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy import Engine

from agent_console.live import LiveHub
from agent_console.public_cache import PublicCache
from agent_console.templating import TEMPLATES, local_time
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.events import Event, RequestRegistered, RequestStatusChanged
from models.public_board import BoardFilter, PublicRow, public_row

ROWS = "public/board_rows.html"
RequestEvent = RequestRegistered | RequestStatusChanged


def age(received_at: datetime, now: datetime) -> str:
    """How long ago a request arrived, as the board says it (a date after a week).

    >>> from datetime import UTC, timedelta
    >>> now = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
    >>> [age(now - timedelta(minutes=m), now) for m in (0.5, 1, 59, 60, 1439)]
    ['hace un momento', 'hace 1 min', 'hace 59 min', 'hace 1 h', 'hace 23 h']
    >>> [age(now - timedelta(days=d), now) for d in (1, 2.9, 14)]
    ['hace 1 día', 'hace 2 días', '17/11/2026']
    """
    minutes = int((now - received_at).total_seconds() // 60)
    if minutes < 1:
        return "hace un momento"
    if minutes < 60:
        return f"hace {minutes} min"
    if minutes < 24 * 60:
        return f"hace {minutes // 60} h"
    days = minutes // (24 * 60)
    if days < 7:
        return "hace 1 día" if days == 1 else f"hace {days} días"
    return local_time(received_at, "%d/%m/%Y")


TEMPLATES.env.filters["age"] = age


@dataclass(frozen=True)
class LiveRow:
    """A request's public row and the ``fila`` message's data that shows it."""

    row: PublicRow
    data: str


def _row_data(row: PublicRow) -> str:
    """The ``fila`` data: the table's row for ``row`` (the page's macro), its age from now."""
    macros = TEMPLATES.env.get_template(ROWS).module
    html = str(macros.row(row, utcnow()))  # type: ignore[attr-defined]
    data = {"folio": row.folio, "received": row.received_at.timestamp(), "html": html}
    return json.dumps(data, ensure_ascii=False)


class LiveRows:
    """The public rows of the requests events name, read and rendered once per event in
    this process, whoever listens."""

    def __init__(self, *, engine: Engine) -> None:
        self._engine = engine
        self._recent = PublicCache(seconds=10, size=256)

    @classmethod
    def of(cls, app: FastAPI) -> LiveRows:
        """The application's reader, made on first use."""
        rows: LiveRows | None = getattr(app.state, "board_rows", None)
        if rows is None:
            rows = app.state.board_rows = cls(engine=app.state.container.engine)
        return rows

    async def row(self, event: RequestEvent) -> LiveRow | None:
        """The request's public row as it is now (None if it cannot be read)."""

        def load() -> PublicRow | None:
            with session_scope(self._engine, readonly=True) as session:
                return public_row(session, event.folio)

        async def read() -> LiveRow | None:
            row = await run_blocking(self._engine, load)
            return LiveRow(row, _row_data(row)) if row is not None else None

        return await self._recent.get(event.event_id, read)


def _wanted(board_filter: BoardFilter, event: Event) -> bool:
    """Request events that may concern the stream (a registration says where and what)."""
    if isinstance(event, RequestRegistered):
        return board_filter.alcaldia in (None, event.alcaldia) and board_filter.catalogue_code in (
            None,
            event.catalogue_code,
        )
    return isinstance(event, RequestStatusChanged)


async def board_messages(
    hub: LiveHub, board_filter: BoardFilter, *, rows: LiveRows
) -> AsyncIterator[dict[str, str]]:
    """The stream's messages (sse-starlette's dict form), from now until the client leaves."""
    place_filter = board_filter.any_status()
    async with hub.listen(lambda event: _wanted(board_filter, event)) as events:
        async for event in events:
            if not isinstance(event, RequestEvent):
                continue
            live = await rows.row(event)
            if live is None:
                continue
            if board_filter.accepts(live.row):
                yield {"event": "fila", "data": live.data}
            elif isinstance(event, RequestStatusChanged) and place_filter.accepts(live.row):
                yield {"event": "quitar", "data": json.dumps({"folio": live.row.folio})}
