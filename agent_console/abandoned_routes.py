"""Today's abandoned callers (``/consola/abandonadas``), called back with one click.

The list is server-rendered; ``abandoned.js`` refreshes it when the page's stream says a call
was abandoned, answered or ended, or a call-back started, and posts the call-back with
``fetch`` so the list stays in place. Without JavaScript the form posts and the page comes
back with the attempt's result. Every view of the list logs the callers' numbers shown.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sse_starlette.sse import EventSourceResponse

from agent_console.abandoned_callback import AbandonedDesk
from agent_console.auth import AgentStaff, Staff
from agent_console.templating import render
from models.abandoned import AbandonedCaller
from models.access_log import record_view
from models.callback_attempts import AttemptResult, CallbackAttempt
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.errors import DomainError
from models.events import CallAbandoned, CallConnected, CallEnded, CallStarted, Event

router = APIRouter(prefix="/consola/abandonadas", include_in_schema=False)
PAGE = "/consola/abandonadas"
RESULT_LABELS = {
    AttemptResult.PLACING: "Marcando…",
    AttemptResult.PLACED: "Llamada realizada",
    AttemptResult.FAILED: "Falló",
}


def _desk(request: Request) -> AbandonedDesk:
    container = request.app.state.container
    return AbandonedDesk(
        engine=container.engine,
        telephony=container.telephony,
        notifier=container.notifier,
        settings=container.settings,
    )


async def _callers(request: Request, staff: Staff) -> list[AbandonedCaller]:
    """The list, with one personal-data log row per caller shown."""
    callers = await _desk(request).callers()
    engine = request.app.state.container.engine

    def log() -> None:
        with session_scope(engine) as session:
            for caller in callers:
                record_view(
                    session,
                    username=staff.username,
                    role=staff.role,
                    page=PAGE,
                    call_id=caller.latest.call_id,
                )

    if callers:
        await run_blocking(engine, log)
    return callers


def _context(callers: list[AbandonedCaller]) -> dict[str, object]:
    return {"callers": callers, "results": RESULT_LABELS, "now": utcnow()}


@router.get("")
async def abandoned_page(request: Request, staff: AgentStaff, intento: int = 0) -> Response:
    """The page: today's abandoned callers, and the result of the last call-back made here."""
    callers = await _callers(request, staff)
    attempt = await _attempt(request, intento) if intento else None
    return render(request, "agent/abandoned.html", {**_context(callers), "attempt": attempt})


async def _attempt(request: Request, attempt_id: int) -> CallbackAttempt | None:
    engine = request.app.state.container.engine

    def load() -> CallbackAttempt | None:
        with session_scope(engine, readonly=True) as session:
            return session.get(CallbackAttempt, attempt_id)

    return await run_blocking(engine, load)


@router.get("/lista")
async def abandoned_list(request: Request, staff: AgentStaff) -> Response:
    """The list alone, for the page to swap in."""
    callers = await _callers(request, staff)
    return render(request, "agent/abandoned_list.html", _context(callers))


def _wanted(event: Event) -> bool:
    if isinstance(event, CallStarted):
        return event.source == "callback"
    return isinstance(event, CallAbandoned | CallConnected | CallEnded)


@router.get("/eventos")
async def abandoned_events(request: Request, staff: AgentStaff) -> EventSourceResponse:
    """``cambio`` whenever the list may have changed (no caller data in the stream)."""
    hub = request.app.state.live

    async def messages() -> AsyncIterator[dict[str, str]]:
        async with hub.listen(_wanted) as events:
            async for event in events:
                yield {"event": "cambio", "data": json.dumps({"type": event.type})}

    return EventSourceResponse(messages())


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@router.post("/{call_id}/devolver")
async def call_back(request: Request, staff: AgentStaff, call_id: str) -> Response:
    """Call the caller back; the attempt's result (JSON for the page's script)."""
    try:
        attempt = await _desk(request).call_back(call_id[:64], agent=staff.username)
    except DomainError as refused:
        if _wants_json(request):
            return JSONResponse({"ok": False, "message": refused.message}, refused.status_code)
        callers = await _callers(request, staff)
        context = {**_context(callers), "refused": refused.message}
        return render(request, "agent/abandoned.html", context, status=refused.status_code)
    if _wants_json(request):
        return JSONResponse(
            {"ok": attempt.result == AttemptResult.PLACED, "message": _said(attempt)}
        )
    return RedirectResponse(f"{PAGE}?intento={attempt.id}", status_code=303)


def _said(attempt: CallbackAttempt) -> str:
    if attempt.result == AttemptResult.PLACED:
        return f"Llamando a {attempt.number}: al contestar pasará a la cola de agentes."
    return f"No se pudo llamar a {attempt.number}: {attempt.error}"
