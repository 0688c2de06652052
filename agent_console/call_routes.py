"""The call an agent is on, as HTML fragments the console page loads into ``#llamada``.

GET  /consola/llamadas/{call_id}          the screen pop
GET  /consola/llamadas/{call_id}/cierre   the wrap-up form
POST /consola/llamadas/{call_id}/cierre   the wrap-up (código, notas)
POST /consola/llamadas/{call_id}/estado   send the caller back to the IVR's status reading
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse

from agent_console.auth import AgentStaff
from agent_console.call_service import CallNotFound, CallNotOver, CallService, FieldProblem
from agent_console.templating import TEMPLATES, render
from models.commands import CommandError

STEP_LABELS = {
    "menu": "menú",
    "describe": "descripción",
    "confirm_category": "confirmar categoría",
    "choose_category": "elegir categoría",
    "alcaldia": "alcaldía",
    "confirm_place": "confirmar lugar",
    "reference": "referencia",
    "registered": "folio registrado",
    "folio": "consulta de folio",
    "status_read": "estado leído",
    "callback_offer": "oferta de devolución de llamada",
    "done": "paso a asesor",
}
TEMPLATES.env.filters["step_label"] = lambda step: STEP_LABELS.get(step, step)
router = APIRouter(prefix="/consola/llamadas", tags=["consola"], include_in_schema=False)
CallId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[\w.\-]+$")]
Text = Annotated[str, Form()]


def _service(request: Request) -> CallService:
    return CallService(container=request.app.state.container, calls=request.app.state.recent_calls)


def _problem(request: Request, message: str, status: int) -> HTMLResponse:
    return render(request, "agent/call_problem.html", {"message": message}, status=status)


def _wrapup(request: Request, call_id: str, status: int = 200, **values: Any) -> HTMLResponse:
    codes = _service(request).wrapup_codes()
    context = {"call_id": call_id, "codes": codes, "code": "", "notes": "", **values}
    return render(request, "agent/wrapup.html", context, status=status)


@router.get("/{call_id}")
async def screen_pop(request: Request, staff: AgentStaff, call_id: CallId) -> HTMLResponse:
    """The caller, what the IVR learned, this call's folios and the caller's earlier ones."""
    try:
        pop = await _service(request).pop(staff, call_id, page=request.url.path)
    except CallNotFound as error:
        return _problem(request, error.message, error.status_code)
    codes = _service(request).wrapup_codes()
    context = {"pop": pop, "call": pop.record, "call_id": call_id, "codes": codes}
    return render(request, "agent/pop.html", {**context, "code": "", "notes": ""})


@router.get("/{call_id}/cierre")
async def wrapup_form(request: Request, staff: AgentStaff, call_id: CallId) -> HTMLResponse:
    """The wrap-up form of a call that ended."""
    try:
        await _service(request).call(staff, call_id)
    except CallNotFound as error:
        return _problem(request, error.message, error.status_code)
    return _wrapup(request, call_id)


@router.post("/{call_id}/cierre")
async def wrap_up(
    request: Request, staff: AgentStaff, call_id: CallId, codigo: Text = "", notas: Text = ""
) -> HTMLResponse:
    """Record the wrap-up code and notes, with the wrap-up time measured from the call's end."""
    try:
        done = await _service(request).wrap_up(staff, call_id, code=codigo, notes=notas)
    except FieldProblem as error:
        errors = {error.field: error.message}
        return _wrapup(request, call_id, 422, code=codigo, notes=notas, errors=errors)
    except (CallNotFound, CallNotOver) as error:
        return _problem(request, error.message, error.status_code)
    return render(request, "agent/wrapup_done.html", {"done": done, "call_id": call_id})


@router.post("/{call_id}/estado")
async def back_to_status(
    request: Request, staff: AgentStaff, call_id: CallId, folio: Text = ""
) -> HTMLResponse:
    """Send the caller back to the IVR to hear a folio's status; then the wrap-up form."""
    try:
        digits = await _service(request).read_status(staff, call_id, folio=folio)
    except FieldProblem as error:
        context = {"call_id": call_id, "folio": folio, "error": error.message}
        return render(request, "agent/status_form.html", context, status=422)
    except (CallNotFound, CallNotOver, CommandError) as error:
        status = error.status_code if isinstance(error, CallNotFound | CallNotOver) else 502
        return _problem(request, error.message, status)
    return _wrapup(request, call_id, sent_folio=digits or None, sent=True)
