"""The wallboard's live stream: the board's sections rendered again when the live figures
change, at most ``1 / MIN_INTERVAL`` times a second per stream and at least every
``REFRESH`` seconds (agents' times and occupancy move without events).

One rendering serves every open stream of the process (the same version, at most a second
old). Each message ``tablero`` is JSON: ``version``, ``at`` (and ``hora``, local),
``totals`` (offered, answered, abandoned, waiting) and ``sections`` (``colas``, ``agentes``,
``graficas``: HTML that ``wallboard.js`` puts in place of the page's own)::

    board = Wallboard.of(request.app)
    async for message in board.messages():
        ...   # {"event": "tablero", "data": "{...}"}
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

from fastapi import FastAPI
from sqlmodel import col, select

from agent_console.agent_queue import FRONT_LABELS
from agent_console.charts import percent
from agent_console.templating import TEMPLATES
from agent_console.wallboard import COLUMNS, Board, build_board
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.metrics.live_feed import LiveFeed
from models.users import Role, User

MIN_INTERVAL = 0.25  # seconds between two messages of a stream
REFRESH = 15.0  # seconds without a change before the figures are sent again
NAMES_SECONDS = 60.0  # the staff's names are read again after this
SECTIONS = "supervisor/wallboard_sections.html"
COLUMN_LABELS = {
    "available": "Disponibles",
    "ringing": "Timbrando",
    "in_use": "En llamada",
    "wrapup": "En cierre",
    "paused": "En pausa",
    "logged_out": "Fuera de la cola",
}
SPY_MODES = (("escuchar", "Escuchar"), ("susurrar", "Susurrar"), ("intervenir", "Intervenir"))


def clock(seconds: float | None) -> str:
    """Seconds as ``m:ss`` or ``h:mm:ss`` ("—" without a value).

    >>> clock(7.6), clock(125), clock(3725), clock(None)
    ('0:08', '2:05', '1:02:05', '—')
    """
    if seconds is None:
        return "—"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


TEMPLATES.env.filters.update(
    clock=clock,
    share=lambda value: "—" if value is None else percent(value),
    seconds=lambda value: f"{value:g} s",
)
TEMPLATES.env.globals["wallboard"] = SimpleNamespace(
    columns=COLUMNS, column_labels=COLUMN_LABELS, fronts=FRONT_LABELS, spy_modes=SPY_MODES
)


class Wallboard:
    """The board of one web process: its figures, the staff's names, the last rendering."""

    def __init__(self, app: FastAPI) -> None:
        container = app.state.container
        self.feed: LiveFeed = app.state.live_figures
        self._engine = container.engine
        self.home_queue: str = container.settings.ivr.agent_queue
        self._names: dict[str, str] = {}
        self._names_at = -NAMES_SECONDS
        self._rendered: dict[bool, tuple[int, float, str]] = {}  # may spy → version, when, text

    @classmethod
    def of(cls, app: FastAPI) -> Wallboard:
        """The application's wallboard, made on first use."""
        board: Wallboard | None = getattr(app.state, "wallboard", None)
        if board is None:
            board = app.state.wallboard = cls(app)
        return board

    async def names(self) -> dict[str, str]:
        """Phone → full name of the active agents and supervisors who have a phone."""
        if time.monotonic() - self._names_at >= NAMES_SECONDS:

            def load() -> dict[str, str]:
                query = select(User.phone, User.full_name).where(
                    col(User.active),
                    col(User.phone).is_not(None),
                    col(User.role).in_([Role.AGENT.value, Role.SUPERVISOR.value]),
                )
                with session_scope(self._engine, readonly=True) as session:
                    return {phone: name for phone, name in session.exec(query) if phone}

            self._names = await run_blocking(self._engine, load)
            self._names_at = time.monotonic()
        return self._names

    async def board(self) -> Board:
        """The board now."""
        names = await self.names()
        return build_board(self.feed, names, now=utcnow(), home_queue=self.home_queue)

    async def message(self, *, may_spy: bool) -> str:
        """The stream's message for the figures now (rendered once per version and second),
        with the listening buttons when the viewer ``may_spy``."""
        version, now = self.feed.version, time.monotonic()
        cached = self._rendered.get(may_spy)
        if cached is not None and cached[0] == version and now - cached[1] < 1.0:
            return cached[2]
        board = await self.board()
        sections = TEMPLATES.env.get_template(SECTIONS).module
        data: dict[str, Any] = {
            "version": version,
            "at": board.at.isoformat(),
            "hora": self.feed.rules.local(board.at).strftime("%H:%M:%S"),
            "totals": board.totals(),
            "sections": {
                "colas": str(sections.queues(board)),  # type: ignore[attr-defined]
                # without the form token: wallboard.js puts the page's own in
                "agentes": str(sections.agents(board, "", may_spy)),  # type: ignore[attr-defined]
                "graficas": str(sections.charts(board)),  # type: ignore[attr-defined]
            },
        }
        text = json.dumps(data, ensure_ascii=False)
        self._rendered[may_spy] = (version, now, text)
        return text

    async def messages(self, *, may_spy: bool) -> AsyncIterator[dict[str, str]]:
        """The stream's messages (sse-starlette's dict form) until the client leaves."""
        version = -1
        while True:
            version = await self.feed.changed(after=version, timeout=REFRESH)
            yield {"event": "tablero", "data": await self.message(may_spy=may_spy)}
            await asyncio.sleep(MIN_INTERVAL)
