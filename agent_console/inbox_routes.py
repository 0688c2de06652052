"""The authorities' inbox: their open requests by due date, one request with its history and
the citizen's data, and the actions that move it (assign to a unit, in progress, answer, reject,
hand to another authority), one by one or answered in bulk. One answer may be published for
everyone (``publica``): it is refused, with the reason, when it names the citizen.

An account bound to a unit sees and acts on that unit's requests only; one bound to the
authority alone sees all of the authority's. A request outside the account's inbox answers 404
"no existe en su bandeja", for reading and for every action alike, so its existence is never
revealed. Every change goes through the request service (history, events, the citizen's SMS).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from agent_console.auth import AuthorityStaff, Forbidden, Staff
from agent_console.capture_form import CHANNEL_LABELS, KIND_LABELS
from agent_console.deps import RequestServiceDep
from agent_console.templating import render
from models.access_log import record_view
from models.authorities import ALCALDIAS, Authority
from models.db import run_blocking, session_scope
from models.errors import DomainError, IllegalTransition, InvalidFolio
from models.folio import format_folio
from models.inbox import (
    InboxFilters,
    InboxScope,
    authority_units,
    category_names,
    handover_targets,
    inbox_categories,
    inbox_page,
)
from models.lifecycle import ALLOWED, OPEN_STATUSES, STATUS_LABELS
from models.public_answer import PersonalDataInAnswer, check_public_answer
from models.request_service import RequestService
from models.requests import Channel, RequestHistory, ServiceRequest, Status

router = APIRouter(include_in_schema=False)

TEXT_LIMIT, NAME_LIMIT, REASON_LIMIT = 4000, 200, 2000
DONE = {
    "asignada": "La solicitud se asignó a la unidad.",
    "en-proceso": "La solicitud quedó en proceso.",
    "respondida": "Respuesta registrada: el ciudadano tiene 72 horas para confirmar la solución.",
    "rechazada": "La solicitud se rechazó.",
    "turnada": "La solicitud se turnó a otra dependencia y salió de su bandeja.",
    "asignada-fuera": "La solicitud se asignó a otra unidad y salió de su bandeja.",
}
Errors = dict[str, str]


def scope_of(staff: Staff) -> InboxScope:
    """The inbox of an authority account: its authority's, or only its unit's."""
    if staff.authority_code is None:
        raise Forbidden()
    return InboxScope(staff.authority_code, staff.unit_code)


def _engine(request: Request) -> Any:
    return request.app.state.container.engine


def _not_in_inbox(request: Request, folio: str, error: DomainError) -> Response:
    """A missing request and another authority's answer alike: never reveal which."""
    if isinstance(error, InvalidFolio):
        message = error.message
    else:
        digits = "".join(filter(str.isdigit, folio))
        message = f"La solicitud {format_folio(digits)} no existe en su bandeja."
    context = {"title": "No encontrada", "message": message}
    return render(request, "error.html", context, status=404)


# --- the list ---------------------------------------------------------------------------------


@dataclass
class ListForm:
    """The inbox's filters as typed in the address, and the bulk form's values and errors."""

    unidad: str = ""
    categoria: str = ""
    alcaldia: str = ""
    estado: str = ""
    pagina: int = 1
    values: dict[str, Any] = field(default_factory=dict)
    errors: Errors = field(default_factory=dict)

    def filters(self) -> InboxFilters:
        status = Status(self.estado) if self.estado in set(Status) else None
        return InboxFilters(
            unit_code=self.unidad or None,
            catalogue_code=self.categoria or None,
            alcaldia=self.alcaldia if self.alcaldia in ALCALDIAS else None,
            status=status,
        )

    def query(self, **changes: Any) -> str:
        """The address of this list with ``changes`` (for the pager's links)."""
        params = {
            "unidad": self.unidad,
            "categoria": self.categoria,
            "alcaldia": self.alcaldia,
            "estado": self.estado,
            "pagina": self.pagina,
            **changes,
        }
        return "/bandeja?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})


async def _list_page(
    request: Request,
    staff: Staff,
    requests: RequestService,
    form: ListForm,
    *,
    notice: str = "",
    status: int = 200,
) -> Response:
    scope = scope_of(staff)

    def load() -> dict[str, Any]:
        with session_scope(_engine(request), readonly=True) as session:
            return {
                "page": inbox_page(session, scope, form.filters(), page=form.pagina),
                "categories": inbox_categories(session, scope),
                "units": authority_units(session, scope.authority_code),
                "authority": session.get(Authority, scope.authority_code),
            }

    context = await run_blocking(_engine(request), load)
    states = {r.request.folio: requests.deadline_state(r.request) for r in context["page"].rows}
    unit_names = {unit.code: unit.name for unit in context["units"]}
    return render(
        request,
        "inbox/list.html",
        {
            **context,
            "form": form,
            "states": states,
            "unit_names": unit_names,
            "own_unit": unit_names.get(scope.unit_code or ""),
            "alcaldias": ALCALDIAS,
            "statuses": [(s.value, STATUS_LABELS[s]) for s in Status],
            "open_label": ", ".join(STATUS_LABELS[s] for s in Status if s in OPEN_STATUSES),
            "notice": notice,
        },
        status=status,
    )


@router.get("/bandeja")
async def inbox(
    request: Request,
    staff: AuthorityStaff,
    requests: RequestServiceDep,
    unidad: Annotated[str, Query(max_length=16)] = "",
    categoria: Annotated[str, Query(max_length=16)] = "",
    alcaldia: Annotated[str, Query(max_length=40)] = "",
    estado: Annotated[str, Query(max_length=16)] = "",
    pagina: Annotated[str, Query(max_length=6)] = "1",
    hecho: Annotated[str, Query(max_length=20)] = "",
    folio: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The account's requests, overdue first, then due soon, then by due date; filtered."""
    whole = pagina.isascii() and pagina.isdigit()  # "²" is a digit to isdigit(), not to int()
    form = ListForm(unidad, categoria, alcaldia, estado, int(pagina) if whole else 1)
    notice = DONE.get(hecho, "")
    if notice and folio.isascii() and folio.isdigit():
        notice = f"Folio {format_folio(folio)}: {notice}"
    return await _list_page(request, staff, requests, form, notice=notice)


@router.post("/bandeja/respuesta-multiple")
async def answer_selected(
    request: Request,
    staff: AuthorityStaff,
    requests: RequestServiceDep,
    folios: Annotated[list[str], Form()] = [],  # noqa: B006  (FastAPI copies the default)
    texto: Annotated[str, Form()] = "",
    responsable: Annotated[str, Form()] = "",
    unidad: Annotated[str, Form()] = "",
) -> Response:
    """Answer every selected request with one text; a page says which were answered."""
    scope = scope_of(staff)
    units = await _units(request, scope.authority_code)
    values = {"texto": texto, "responsable": responsable, "unidad": unidad, "folios": folios}
    errors = _answer_errors(texto, responsable, unidad, units)
    if not folios:
        errors["folios"] = "Seleccione al menos una solicitud."
    elif len(folios) > 200:
        errors["folios"] = "Seleccione como máximo 200 solicitudes a la vez."
    if errors:
        form = ListForm(values=values, errors=errors)
        return await _list_page(request, staff, requests, form, status=422)
    outcomes = await requests.answer_many(
        folios,
        text=texto,
        responsible_person=responsable,
        unit_code=unidad,
        actor=staff.actor,
        scope=scope,
    )
    return render(
        request,
        "inbox/bulk_result.html",
        {
            "outcomes": outcomes,
            "answered": sum(outcome.refusal is None for outcome in outcomes),
            "unit": units.get(unidad, unidad),
        },
    )


# --- one request ------------------------------------------------------------------------------


def _history_line(line: RequestHistory) -> str:
    if line.field == "status":
        source = STATUS_LABELS.get(Status(line.from_value), "") if line.from_value else ""
        target = STATUS_LABELS.get(Status(line.to_value or ""), line.to_value or "")
        return f"Estado: {source} → {target}" if source else f"Estado: {target}"
    if line.field == "authority":
        return f"Turnada: {line.from_value or '—'} → {line.to_value}"
    return f"{line.field}: {line.from_value or '—'} → {line.to_value or '—'}"


async def _units(request: Request, authority_code: str) -> dict[str, str]:
    def load() -> dict[str, str]:
        with session_scope(_engine(request), readonly=True) as session:
            return {unit.code: unit.name for unit in authority_units(session, authority_code)}

    return await run_blocking(_engine(request), load)


async def _detail_page(
    request: Request,
    staff: Staff,
    requests: RequestService,
    folio: str,
    *,
    values: dict[str, str] | None = None,
    errors: Errors | None = None,
    message: str = "",
    notice: str = "",
    status: int = 200,
) -> Response:
    """The request, its history and the citizen's data (the view is logged); or 404."""
    scope = scope_of(staff)
    try:
        found = await requests.get(folio, scope=scope)
        history = await requests.history(folio, scope=scope)
    except DomainError as error:
        return _not_in_inbox(request, folio, error)

    def load() -> dict[str, Any]:
        with session_scope(_engine(request)) as session:
            record_view(
                session,
                username=staff.username,
                role=staff.role,
                page=request.url.path,
                folios=[found.folio],
            )
            units = authority_units(session, scope.authority_code)
            return {
                "authority": session.get(Authority, scope.authority_code),
                "units": units,
                "category": category_names(session, {found.catalogue_code}).get(
                    found.catalogue_code, found.catalogue_code
                ),
                "targets": handover_targets(session, excluding=scope.authority_code),
            }

    context = await run_blocking(_engine(request), load)
    allowed = ALLOWED[Status(found.status)]
    unit_names = {unit.code: unit.name for unit in context["units"]}
    return render(
        request,
        "inbox/detail.html",
        {
            **context,
            "request_": found,
            "history": [(line, _history_line(line)) for line in history],
            "state": requests.deadline_state(found),
            "kind": KIND_LABELS.get(found.kind, found.kind),
            "channel": CHANNEL_LABELS.get(Channel(found.channel), found.channel),
            "unit_name": unit_names.get(found.unit_code or "", found.unit_code),
            "can": {
                "progress": Status.IN_PROGRESS in allowed and found.status != Status.ANSWERED,
                "answer": Status.ANSWERED in allowed,
                "reject": Status.REJECTED in allowed,
                "turn": Status.REASSIGNED in allowed,
            },
            "values": values or {},
            "errors": errors or {},
            "message": message,
            "notice": notice,
        },
        status=status,
    )


@router.get("/bandeja/{folio}")
async def inbox_request(
    request: Request,
    folio: str,
    staff: AuthorityStaff,
    requests: RequestServiceDep,
    hecho: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """One request of the inbox with its history and the citizen's data."""
    return await _detail_page(request, staff, requests, folio, notice=DONE.get(hecho, ""))


Action = Callable[[], Awaitable[ServiceRequest]]


async def _act(
    request: Request,
    staff: Staff,
    requests: RequestService,
    folio: str,
    *,
    check: Callable[[ServiceRequest], Errors],
    action: Action,
    values: dict[str, str],
    done: Callable[[ServiceRequest], str],
) -> Response:
    """Run one action on a request of the inbox: 404 outside it, 422 with the fields' errors
    (nothing written), 409 with the lifecycle's refusal, or back to the page with a notice."""
    try:
        found = await requests.get(folio, scope=scope_of(staff))
    except DomainError as error:
        return _not_in_inbox(request, folio, error)
    errors = check(found)
    if errors:
        return await _detail_page(
            request, staff, requests, folio, values=values, errors=errors, status=422
        )
    try:
        changed = await action()
    except IllegalTransition as error:
        return await _detail_page(
            request, staff, requests, folio, values=values, message=error.message, status=409
        )
    except DomainError as error:
        if error.status_code == 404:
            return _not_in_inbox(request, folio, error)
        return await _detail_page(
            request, staff, requests, folio, values=values, message=error.message, status=422
        )
    return RedirectResponse(done(changed), status_code=303)


def _required(value: str, limit: int, message: str) -> str | None:
    if not value.strip():
        return message
    if len(value) > limit:
        return f"Escriba como máximo {limit} caracteres."
    return None


def _collect(**checks: str | None) -> Errors:
    return {name: message for name, message in checks.items() if message}


def _answer_errors(text: str, person: str, unit: str, units: dict[str, str]) -> Errors:
    return _collect(
        texto=_required(text, TEXT_LIMIT, "Escriba la respuesta al ciudadano."),
        responsable=_required(person, NAME_LIMIT, "Escriba el nombre de la persona responsable."),
        unidad=None if unit in units else "Elija la unidad administrativa que responde.",
    )


def _publication_errors(text: str, found: ServiceRequest) -> Errors:
    """Why ``text`` cannot be published for everyone: it names the citizen of ``found``."""
    try:
        check_public_answer(text, found)
    except PersonalDataInAnswer as refusal:
        return {"texto": refusal.message}
    return {}


def _back(key: str) -> Callable[[ServiceRequest], str]:
    return lambda changed: f"/bandeja/{changed.folio}?hecho={key}"


@router.post("/bandeja/{folio}/en-proceso")
async def mark_in_progress(
    request: Request, folio: str, staff: AuthorityStaff, requests: RequestServiceDep
) -> Response:
    """The authority started working on the request."""
    return await _act(
        request,
        staff,
        requests,
        folio,
        check=lambda _found: {},
        action=lambda: requests.start_progress(folio, actor=staff.actor, scope=scope_of(staff)),
        values={},
        done=_back("en-proceso"),
    )


@router.post("/bandeja/{folio}/respuesta")
async def answer(
    request: Request,
    folio: str,
    staff: AuthorityStaff,
    requests: RequestServiceDep,
    texto: Annotated[str, Form()] = "",
    responsable: Annotated[str, Form()] = "",
    unidad: Annotated[str, Form()] = "",
    publica: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """The answer: text, responsible person and administrative unit, all required; with
    ``publica``, shown to everyone unless it names the citizen."""
    scope = scope_of(staff)
    units = await _units(request, scope.authority_code)
    public = bool(publica)

    def check(found: ServiceRequest) -> Errors:
        errors = _answer_errors(texto, responsable, unidad, units)
        return errors or (_publication_errors(texto, found) if public else {})

    return await _act(
        request,
        staff,
        requests,
        folio,
        check=check,
        action=lambda: requests.answer(
            folio,
            text=texto,
            responsible_person=responsable,
            unit_code=unidad,
            actor=staff.actor,
            scope=scope,
            public=public,
        ),
        values={"texto": texto, "responsable": responsable, "unidad": unidad, "publica": publica},
        done=_back("respondida"),
    )


@router.post("/bandeja/{folio}/rechazo")
async def reject(
    request: Request,
    folio: str,
    staff: AuthorityStaff,
    requests: RequestServiceDep,
    motivo: Annotated[str, Form()] = "",
) -> Response:
    """Reject the request, with the reason."""
    return await _act(
        request,
        staff,
        requests,
        folio,
        check=lambda _found: _collect(
            motivo=_required(motivo, REASON_LIMIT, "Escriba el motivo del rechazo.")
        ),
        action=lambda: requests.reject(
            folio, reason=motivo, actor=staff.actor, scope=scope_of(staff)
        ),
        values={"motivo": motivo},
        done=_back("rechazada"),
    )


@router.post("/bandeja/{folio}/unidad")
async def assign_unit(
    request: Request,
    folio: str,
    staff: AuthorityStaff,
    requests: RequestServiceDep,
    unidad_destino: Annotated[str, Form()] = "",
) -> Response:
    """Assign the request to another unit of this authority."""
    scope = scope_of(staff)
    units = await _units(request, scope.authority_code)

    def check(found: ServiceRequest) -> Errors:
        if unidad_destino not in units:
            return {"unidad_destino": "Elija una unidad de su dependencia."}
        if unidad_destino == found.unit_code:
            return {"unidad_destino": "La solicitud ya está en esa unidad; elija otra."}
        return {}

    def done(changed: ServiceRequest) -> str:
        if scope.covers(changed):
            return f"/bandeja/{changed.folio}?hecho=asignada"
        return f"/bandeja?hecho=asignada-fuera&folio={changed.folio}"

    return await _act(
        request,
        staff,
        requests,
        folio,
        check=check,
        action=lambda: requests.assign_unit(
            folio, unit_code=unidad_destino, actor=staff.actor, scope=scope
        ),
        values={"unidad_destino": unidad_destino},
        done=done,
    )


@router.post("/bandeja/{folio}/turno")
async def hand_over(
    request: Request,
    folio: str,
    staff: AuthorityStaff,
    requests: RequestServiceDep,
    destino: Annotated[str, Form()] = "",
    motivo_turno: Annotated[str, Form()] = "",
) -> Response:
    """Hand the request to another authority (one of its units), with the reason."""
    scope = scope_of(staff)
    authority_code, _, unit_code = destino.partition("/")

    async def targets() -> set[str]:
        def load() -> set[str]:
            with session_scope(_engine(request), readonly=True) as session:
                pairs = handover_targets(session, excluding=scope.authority_code)
                return {f"{a.code}/{u.code}" for a, units in pairs for u in units}

        return await run_blocking(_engine(request), load)

    valid = await targets()
    return await _act(
        request,
        staff,
        requests,
        folio,
        check=lambda _found: _collect(
            destino=None if destino in valid else "Elija la dependencia y la unidad que recibe.",
            motivo_turno=_required(
                motivo_turno, REASON_LIMIT, "Escriba por qué se turna a otra dependencia."
            ),
        ),
        action=lambda: requests.hand_over(
            folio,
            authority_code=authority_code,
            unit_code=unit_code,
            reason=motivo_turno,
            actor=staff.actor,
            scope=scope,
        ),
        values={"destino": destino, "motivo_turno": motivo_turno},
        done=lambda changed: f"/bandeja?hecho=turnada&folio={changed.folio}",
    )
