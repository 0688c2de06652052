"""The supervisors' live wallboard (``/supervision/tablero``), its stream and the page of
definitions (``/supervision/ayuda``). The board shows staff names and phones and the
figures, never a citizen's data, so nothing is written to the personal-data log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sse_starlette.sse import EventSourceResponse

from agent_console.auth import Staff, SupervisorStaff
from agent_console.templating import render
from agent_console.wallboard_stream import Wallboard
from models.metrics.definitions import QUARTER_SECONDS
from models.users import Role

router = APIRouter(prefix="/supervision", include_in_schema=False)
PAGE = "/supervision/tablero"


def may_spy(staff: Staff) -> bool:
    """Only supervisors listen, whisper or barge (administrators see the board only)."""
    return staff.role == Role.SUPERVISOR


@router.get("/tablero")
async def wallboard(request: Request, staff: SupervisorStaff) -> HTMLResponse:
    """The wallboard as it stands; ``wallboard.js`` keeps it current from the stream."""
    board = await Wallboard.of(request.app).board()
    context = {"board": board, "may_spy": may_spy(staff)}
    return render(request, "supervisor/wallboard.html", context)


@router.get("/tablero/eventos")
async def wallboard_events(request: Request, staff: SupervisorStaff) -> Response:
    """The wallboard's server-sent events (``tablero``); a page load goes to the board."""
    if "text/event-stream" not in request.headers.get("accept", ""):
        return RedirectResponse(PAGE, status_code=303)
    return EventSourceResponse(Wallboard.of(request.app).messages(may_spy=may_spy(staff)))


@router.get("/ayuda")
async def definitions(request: Request, staff: SupervisorStaff) -> HTMLResponse:
    """The figures' definitions and formulas, with the thresholds this service uses."""
    settings = request.app.state.container.settings
    context = {
        "service_seconds": settings.metrics.service_level_seconds,
        "short_seconds": settings.metrics.short_abandon_seconds,
        "hours": f"{settings.metrics.wallboard_hours:g}",
        "quarter_minutes": QUARTER_SECONDS // 60,
        "time_zone": settings.time_zone,
    }
    return render(request, "supervisor/help.html", context)
