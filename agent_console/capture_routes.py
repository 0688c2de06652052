"""Capturing a request on one screen: the form (optionally filled from a call's hand-off),
the likely-duplicate warning with its offer to attach the caller, and the folio read aloud.

GET  /consola/capturar[?llamada=CALL_ID][&canal=ventanilla]   the form
POST /consola/capturar                                         check, warn, register or attach
GET  /consola/capturar/hecho/{folio}                           the folio, large, with its due date
GET  /api/colonias?alcaldia=…&q=…                              colonias of an alcaldía
"""

from __future__ import annotations

from typing import Annotated, Any
from weakref import WeakKeyDictionary

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import col, select

from agent_console.auth import AgentStaff, SignedIn, Staff
from agent_console.capture_form import (
    CHANNELS,
    KIND_LABELS,
    CaptureInput,
    check_capture,
)
from agent_console.colonias import ColoniaDirectory
from agent_console.deps import ClassifierDep, PrimaryRoadsDep, RequestServiceDep
from agent_console.registering import attach_citizen, likely_duplicates, wait_for_folio
from agent_console.templating import render
from ivr.classifier import Classifier
from ivr.phones import to_e164
from ivr.twilio.message_jobs import FOLIO_MESSAGE, folio_sms
from models.access_log import record_view
from models.authorities import ALCALDIAS
from models.capture_forms import (
    claim_form,
    complete_form,
    new_form_id,
    release_form,
    sent_before,
    valid_form_id,
)
from models.db import run_blocking, session_scope
from models.duplicates import LikelyDuplicate
from models.error_answers import error_responses
from models.errors import DomainError
from models.handoff import handoff_for
from models.outbox import Job

router = APIRouter(tags=["captura"], responses=error_responses(401, 403, 404, 422, html=True))
_OPTIONS: WeakKeyDictionary[Classifier, dict[str, Markup]] = WeakKeyDictionary()


def _engine(request: Request) -> Engine:
    return request.app.state.container.engine  # type: ignore[no-any-return]


@router.get("/consola/capturar", response_class=HTMLResponse)
async def capture_page(
    request: Request,
    staff: AgentStaff,
    classifier: ClassifierDep,
    llamada: Annotated[str, Query(max_length=64)] = "",
    canal: Annotated[str, Query(max_length=16)] = "agente",
) -> Response:
    """An empty form, or one filled from the call's hand-off context."""
    typed = CaptureInput(formulario=new_form_id(), canal=canal, llamada=llamada)
    notice = ""
    if llamada:
        engine = _engine(request)
        context = await run_blocking(engine, lambda: handoff_for(engine, llamada))
        if context is None:
            notice = "Esa llamada no trae datos del menú: capture la solicitud completa."
        else:
            number = to_e164(context.caller) if context.caller else ""
            typed.categoria = context.top_category
            typed.alcaldia = context.alcaldia or ""
            typed.colonia = context.colonia or ""
            typed.referencia = context.reference or ""
            typed.descripcion = " ".join(context.transcript)
            typed.telefono = number if number.startswith("+") else ""
    return await _form(request, staff, classifier, typed, notice=notice)


@router.post("/consola/capturar", response_class=HTMLResponse)
async def capture_submit(
    request: Request,
    staff: AgentStaff,
    classifier: ClassifierDep,
    requests: RequestServiceDep,
    roads: PrimaryRoadsDep,
) -> Response:
    """Check the form; warn of likely duplicates; register it, or attach the caller."""
    form = await request.form()
    typed = CaptureInput.of(form)
    action, target = str(form.get("accion") or "registrar"), str(form.get("adjuntar") or "")
    codes = {entry.code for entry in classifier.index.entries}
    colonias = ColoniaDirectory.default()
    checked = check_capture(typed, catalogue=codes, colonias=colonias, roads=roads)
    engine = _engine(request)
    if not valid_form_id(typed.formulario):
        typed.formulario = new_form_id()
        checked.errors["formulario"] = "El formulario no era válido: revise los datos y envíelo."
    elif await run_blocking(engine, lambda: sent_before(engine, typed.formulario)):
        return await _sent_before(request, staff, classifier, typed)
    if checked.errors or checked.data is None:
        return await _form(request, staff, classifier, typed, errors=checked.errors, status=422)
    data = checked.data
    if not target and action != "registrar_igual":
        duplicates = await likely_duplicates(request, data)
        if duplicates:
            return await _form(request, staff, classifier, typed, duplicates=duplicates)
    before = await run_blocking(
        engine, lambda: claim_form(engine, typed.formulario, username=staff.username)
    )
    if before is not None:
        return await _sent_before(request, staff, classifier, typed)
    try:
        if target:
            folio = await attach_citizen(engine, data, target, actor=staff.actor)
        else:
            sms = folio_sms(data.channel, data.citizen_phone)
            folio = (await requests.register(data, actor=staff.actor, folio_sms=sms)).folio
    except DomainError as error:
        await run_blocking(engine, lambda: release_form(engine, typed.formulario))
        errors = {"adjuntar" if target else "categoria": error.message}
        return await _form(request, staff, classifier, typed, errors=errors, status=422)
    attached = bool(target)
    await run_blocking(
        engine,
        lambda: complete_form(engine, typed.formulario, folio=folio, attached=attached),
    )
    return _done(folio, attached)


@router.get("/consola/capturar/hecho/{folio}", response_class=HTMLResponse)
async def capture_done(
    request: Request,
    folio: str,
    staff: AgentStaff,
    requests: RequestServiceDep,
    classifier: ClassifierDep,
    adjuntada: bool = False,
) -> Response:
    """The folio, grouped for reading aloud, with its due date (no personal data)."""
    registered = await requests.get(folio)
    engine = _engine(request)
    authority = await requests.authority(registered.authority_code or "")
    names = {entry.code: entry.name for entry in classifier.index.entries}
    context = {
        "registered": registered,
        "category": names.get(registered.catalogue_code, registered.catalogue_code),
        "authority": authority.name if authority else None,
        "deadline": requests.deadline_state(registered),
        "attached": adjuntada,
        "sms": await run_blocking(engine, lambda: _sms_queued(engine, registered.folio)),
        "again": "/consola/capturar"
        + ("?canal=ventanilla" if registered.channel == "ventanilla" else ""),
    }
    return render(request, "capture/done.html", context)


class ColoniasOut(BaseModel):
    """The colonias of an alcaldía that match what was typed."""

    alcaldia: str
    colonias: list[str]


@router.get("/api/colonias", response_model=ColoniasOut)
async def colonias(
    _staff: SignedIn,
    alcaldia: Annotated[str, Query(max_length=40)] = "",
    q: Annotated[str, Query(max_length=120)] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 300,
) -> ColoniasOut:
    """Colonias of ``alcaldia`` (prefix matches first); none for an unknown alcaldía."""
    directory = ColoniaDirectory.default()
    return ColoniasOut(alcaldia=alcaldia, colonias=directory.search(alcaldia, q, limit=limit))


async def _form(
    request: Request,
    staff: Staff,
    classifier: Classifier,
    typed: CaptureInput,
    *,
    errors: dict[str, str] | None = None,
    duplicates: list[LikelyDuplicate] | None = None,
    notice: str = "",
    status: int = 200,
) -> Response:
    """The form with what was typed, each field's message, and the duplicates found."""
    if typed.canal not in CHANNELS:
        typed.canal = "agente"
    if typed.llamada and typed.telefono:
        engine = _engine(request)
        await run_blocking(engine, lambda: _log_view(engine, staff, typed.llamada))
    context: dict[str, Any] = {
        "typed": typed,
        "errors": errors or {},
        "duplicates": duplicates or [],
        "notice": notice,
        "kinds": KIND_LABELS,
        "alcaldias": ALCALDIAS,
        "category_options": _category_options(classifier, typed.categoria),
        "colonias": ColoniaDirectory.default().names(typed.alcaldia),
    }
    return render(request, "capture/form.html", context, status=status)


def _category_options(classifier: Classifier, selected: str) -> Markup:
    """The category <select>'s option groups by tema, ``selected`` chosen; built once per
    classifier and choice (the catalogue has hundreds of entries)."""
    built = _OPTIONS.setdefault(classifier, {})
    if selected in built:
        return built[selected]
    entries = sorted(classifier.index.entries, key=lambda e: (e.tema, e.name))
    groups: dict[str, list[str]] = {}
    for entry in entries:
        mark = " selected" if entry.code == selected else ""
        groups.setdefault(entry.tema, []).append(
            f'<option value="{escape(entry.code)}"{mark}>'
            f"{escape(entry.name)} ({escape(entry.code)})</option>"
        )
    html = Markup(
        "".join(
            f'<optgroup label="{escape(tema.title())}">{"".join(options)}</optgroup>'
            for tema, options in groups.items()
        )
    )
    if not selected or any(entry.code == selected for entry in entries):
        built[selected] = html  # only real choices are kept: a typed code is not
    return html


def _log_view(engine: Engine, staff: Staff, call_id: str) -> None:
    with session_scope(engine) as session:
        record_view(
            session,
            username=staff.username,
            role=staff.role,
            page="/consola/capturar",
            call_id=call_id,
        )


async def _sent_before(
    request: Request, staff: Staff, classifier: Classifier, typed: CaptureInput
) -> Response:
    """A form sent again: its folio, once the first send has it."""
    before = await wait_for_folio(_engine(request), typed.formulario)
    if before is not None and before.folio is not None:
        return _done(before.folio, before.attached)
    message = (
        "El primer envío de este formulario no se registró: envíelo de nuevo."
        if before is None
        else "Este formulario ya se está registrando; busque el folio en un momento."
    )
    errors = {"formulario": message}
    return await _form(request, staff, classifier, typed, errors=errors, status=409)


def _done(folio: str, attached: bool) -> RedirectResponse:
    suffix = "?adjuntada=true" if attached else ""
    return RedirectResponse(f"/consola/capturar/hecho/{folio}{suffix}", status_code=303)


def _sms_queued(engine: Engine, folio: str) -> bool:
    with session_scope(engine, readonly=True) as session:
        key = f"{FOLIO_MESSAGE}:{folio}"
        return session.exec(select(Job.id).where(col(Job.dedupe_key) == key)).first() is not None
