"""The agent's console: the state of the agent's phone in the queue as the telephony side
reports it, the queue actions (enter, available, pause with a reason, leave), and the agent's
live stream, where the screen pop (``call_routes``) also listens.

The actions are forms that work without JavaScript (answered with a redirect to the page, or
the page with the error); ``agent.js`` posts them with ``fetch`` (``Accept: application/json``)
so the page, and a call on it, stay in place.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from sse_starlette.sse import EventSourceResponse

from agent_console.agent_queue import FRONT_LABELS, AgentDesk, QueueActionFailed
from agent_console.agent_stream import agent_messages
from agent_console.auth import AgentStaff
from agent_console.templating import render
from models.error_answers import DESCRIPTIONS, HTML, error_responses


class QueueNotice(BaseModel):
    """What a queue action answers a script (``Accept: application/json``)."""

    mensaje: str
    campo: str | None = None


def _page_or_notice(description: str) -> dict[str, Any]:
    return {"description": description, "model": QueueNotice, "content": dict(HTML)}


ANSWERS: dict[int | str, dict[str, Any]] = {
    200: _page_or_notice("La página de la consola, o el aviso de la acción en JSON."),
    204: {"description": "Sin teléfono: el navegador no vuelve a conectarse."},
    303: {"description": "Acción hecha (o sin sesión, al navegador): a la página que sigue."},
    **error_responses(401, 403, html=True),
    **{status: _page_or_notice(DESCRIPTIONS[status]) for status in (409, 422, 503)},
    502: _page_or_notice("El lado telefónico no pudo hacer la acción."),
    504: _page_or_notice("El lado telefónico no contestó a tiempo."),
}
router = APIRouter(prefix="/consola", tags=["consola"], responses=ANSWERS)

NOTICES = {
    "entrar": "Solicitud enviada: entrará a la cola en cuanto la central lo confirme.",
    "disponible": "Solicitud enviada: quedará disponible en cuanto la central lo confirme.",
    "pausa": "Solicitud enviada: la pausa empieza en cuanto la central la confirme.",
    "salir": "Solicitud enviada: saldrá de la cola en cuanto la central lo confirme.",
}
NO_PHONE = (
    "Su cuenta no tiene un teléfono configurado, así que no puede entrar a la cola. Pida a un "
    "administrador que registre su extensión de Asterisk (por ejemplo PJSIP/1001) o su número "
    "o dirección SIP de Twilio."
)
BAD_PHONE = (
    "El teléfono de su cuenta («{phone}») no es una extensión de Asterisk (PJSIP/1001) ni un "
    "número (+52…) o dirección sip: de Twilio. Pida a un administrador que lo corrija."
)


def _desk(request: Request, staff: AgentStaff) -> AgentDesk | None:
    if not staff.phone:
        return None
    container = request.app.state.container
    return AgentDesk(
        telephony=container.telephony,
        twilio=container.twilio_agents,
        book=container.agent_states,
        queue=container.settings.ivr.agent_queue,
        phone=staff.phone,
        name=staff.full_name,
    )


Desk = Annotated[AgentDesk | None, Depends(_desk)]


def _pause_reasons(request: Request) -> list[str]:
    return list(request.app.state.container.settings.console.pause_reasons)


async def _page(
    request: Request,
    desk: AgentDesk | None,
    *,
    error: str = "",
    field_error: str = "",
    reason: str = "",
    status: int = 200,
) -> Response:
    problem = ""
    if desk is None:
        problem = NO_PHONE
    elif not desk.front:
        problem = BAD_PHONE.format(phone=desk.phone)
    context = {
        "desk": desk if not problem else None,
        "problem": problem,
        "front": FRONT_LABELS.get(desk.front, "") if desk is not None else "",
        "status": await desk.status() if desk is not None and not problem else None,
        "now": datetime.now(UTC),
        "pause_reasons": _pause_reasons(request),
        "notice": NOTICES.get(request.query_params.get("hecho", ""), ""),
        "error": error,
        "field_error": field_error,
        "reason": reason,
    }
    return render(request, "agent/console.html", context, status=status)


@router.get("")
async def console(request: Request, staff: AgentStaff, desk: Desk) -> Response:
    """The agent's page: state in the queue, the queue actions, and the call region."""
    return await _page(request, desk)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def _act(
    request: Request, desk: AgentDesk | None, action: str, *, reason: str = ""
) -> Response:
    """Carry out an action; the page (or JSON) says whether the telephony side took it."""
    if desk is None or not desk.front:
        message = NO_PHONE if desk is None else BAD_PHONE.format(phone=desk.phone)
        if _wants_json(request):
            return JSONResponse({"mensaje": message}, status_code=409)
        return await _page(request, desk, status=409)
    try:
        await desk.act(action, reason=reason)
    except QueueActionFailed as failure:
        if _wants_json(request):
            return JSONResponse({"mensaje": failure.message}, status_code=failure.status_code)
        return await _page(request, desk, error=failure.message, status=failure.status_code)
    if _wants_json(request):
        return JSONResponse({"mensaje": NOTICES[action]})
    return RedirectResponse(f"/consola?hecho={action}", status_code=303)


@router.post("/cola/entrar")
async def enter_queue(request: Request, staff: AgentStaff, desk: Desk) -> Response:
    """Sign the agent's phone in to the queue (``QueueAdd`` on Asterisk)."""
    return await _act(request, desk, "entrar")


@router.post("/cola/disponible")
async def go_available(request: Request, staff: AgentStaff, desk: Desk) -> Response:
    """End a pause (``QueuePause`` with ``Paused: false`` on Asterisk)."""
    return await _act(request, desk, "disponible")


@router.post("/cola/pausa")
async def pause(
    request: Request,
    staff: AgentStaff,
    desk: Desk,
    motivo: Annotated[str, Form()] = "",
) -> Response:
    """Pause with one of the configured reasons (``QueuePause`` with the reason)."""
    if motivo not in _pause_reasons(request):
        message = "Elija el motivo de la pausa de la lista."
        if _wants_json(request):
            return JSONResponse({"mensaje": message, "campo": "motivo"}, status_code=422)
        return await _page(request, desk, field_error=message, status=422)
    return await _act(request, desk, "pausa", reason=motivo)


@router.post("/cola/salir")
async def leave_queue(request: Request, staff: AgentStaff, desk: Desk) -> Response:
    """Sign the agent's phone out of the queue (``QueueRemove`` on Asterisk)."""
    return await _act(request, desk, "salir")


@router.get(
    "/eventos",
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}},
)
async def agent_events(request: Request, staff: AgentStaff, desk: Desk) -> Response:
    """The agent's server-sent events (``estado``, ``llamada``); 204 without a phone, which
    tells the browser not to reconnect. Anything but an ``EventSource`` (a page load) is sent
    to the console page."""
    if "text/event-stream" not in request.headers.get("accept", ""):
        return RedirectResponse("/consola", status_code=303)
    if desk is None or not desk.front:
        return Response(status_code=204)
    messages = agent_messages(
        request.app.state.live,
        phone=desk.phone,
        transport=desk.transport,
        queue=desk.queue,
        current=desk.status,
    )
    return EventSourceResponse(messages)
