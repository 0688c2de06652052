"""A citizen's own report, with no account and no JavaScript needed: the citizen describes
the problem, the classifier proposes categories, they say where it is (and, if they wish, how
to reach them), and they get a folio with its due date. The request is registered by the same
domain core as every other channel (``RequestService.register``, channel ``web``).

GET  /reportar                         step 1: the description
POST /reportar                         step 2 (``paso=describir``), then check, offer to join a
                                       likely duplicate, register or join (``paso=detalles``)
GET  /reportar/hecho/{formulario}      step 3: the folio (the form's secret id, not the folio,
                                       is in the address: folios cannot be walked through it)
GET  /reportar/colonias?alcaldia=…     the colonias of an alcaldía (the script's list)
GET  /aviso-de-privacidad              the full privacy notice

Each form has a one-time id (a second send finds the first's folio) and a CSRF token; the
reports one client address may send are limited (``public.reports_per_client``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from limits import parse_many
from sqlalchemy import Engine

from agent_console.citizen_report_form import (
    OTHER_CATEGORY,
    SEX_LABELS,
    ReportInput,
    check_report,
)
from agent_console.colonias import ColoniaDirectory
from agent_console.deps import ClassifierDep, RequestServiceDep, get_primary_roads
from agent_console.public_routes import client_address
from agent_console.registering import attach_citizen, likely_duplicates, wait_for_folio
from agent_console.templating import local_time, render_public
from ivr.classifier import MAX_TEXT_LENGTH, Candidate, Classifier, Decision
from ivr.flow.limits import moving_window, storage_uri
from models.authorities import ALCALDIAS
from models.capture_forms import (
    claim_form,
    complete_form,
    new_form_id,
    release_form,
    sent_before,
    valid_form_id,
)
from models.config import PublicSettings
from models.db import run_blocking
from models.duplicates import LikelyDuplicate
from models.errors import DomainError
from models.request_service import RequestService

router = APIRouter(include_in_schema=False, tags=["público"])
ACTOR = "ciudadano:web"  # who registers a citizen's own report (the request's history says so)
FORM_OWNER = "ciudadano"  # the one-time form's owner: no account
NOT_NEARBY = (
    "Esa solicitud ya no está abierta o no está cerca de lo que reporta: envíe su reporte para "
    "registrar un folio nuevo."
)
GEOLOCATION = "camera=(), microphone=(), geolocation=(self)"  # "usar mi ubicación" may ask


class ReportLimiter:
    """Moving-window limits on the reports one client address sends (every limit of
    ``public.reports_per_client``), shared through Redis when one is configured."""

    namespace = "citizen-report"

    def __init__(self, settings: PublicSettings, *, redis_url: str) -> None:
        self._limiter = moving_window(storage_uri(redis_url))
        self._limits = parse_many(settings.reports_per_client)

    async def blocked_until(self, client: str) -> datetime | None:
        """When ``client`` may report again (None: now)."""
        resets = []
        for item in self._limits:
            stats = await self._limiter.get_window_stats(item, self.namespace, client[:64])
            if stats.remaining <= 0:
                resets.append(stats.reset_time)
        return datetime.fromtimestamp(max(resets), UTC) if resets else None

    async def count(self, client: str) -> bool:
        """Count one report; False when one of the limits is used up."""
        hits = [await self._limiter.hit(item, self.namespace, client[:64]) for item in self._limits]
        return all(hits)


@router.get("/reportar")
async def report_page(request: Request) -> Response:
    """Step 1: an empty description."""
    return _describe(request, ReportInput(formulario=new_form_id()))


@router.post("/reportar")
async def report_submit(
    request: Request, classifier: ClassifierDep, requests: RequestServiceDep
) -> Response:
    """Propose categories for the description, then check, offer to join, register or join."""
    form = await request.form()
    typed = ReportInput.of(form)
    step, action = str(form.get("paso") or ""), str(form.get("accion") or "")
    engine = _engine(request)
    if not valid_form_id(typed.formulario):
        typed.formulario = new_form_id()
        errors = {"formulario": "El formulario no era válido: revise sus datos y envíelo de nuevo."}
        if step == "detalles":
            return _details(request, classifier, typed, errors=errors, status=422)
        return _describe(request, typed, errors=errors, status=422)
    if await run_blocking(engine, lambda: sent_before(engine, typed.formulario)):
        return await _sent_before(request, classifier, typed)
    until = await request.app.state.report_limiter.blocked_until(client_address(request))
    if until is not None:
        return _too_many(request, classifier, typed, until)
    if step != "detalles" or action == "clasificar":
        if not typed.descripcion.strip():
            errors = {"descripcion": "Describa el problema que quiere reportar."}
            return _describe(request, typed, errors=errors, status=422)
        return _details(request, classifier, typed, fill_place=True)
    if action == "colonias":  # no script: the colonias of the alcaldía just chosen
        return _details(request, classifier, typed)
    target = str(form.get("sumarme") or "")[:16]
    return await _send(
        request, classifier, requests, typed, target=target, anyway=action == "registrar_igual"
    )


async def _send(
    request: Request,
    classifier: Classifier,
    requests: RequestService,
    typed: ReportInput,
    *,
    target: str,
    anyway: bool,
) -> Response:
    """Check the report; offer the likely duplicates (unless registering ``anyway``); join
    the ``target`` the citizen chose among them, or register a new folio."""
    codes = {entry.code for entry in classifier.index.entries}
    roads = await get_primary_roads(request)
    checked = check_report(typed, catalogue=codes, colonias=ColoniaDirectory.default(), roads=roads)
    if checked.errors or checked.data is None:
        return _details(request, classifier, typed, errors=checked.errors, status=422)
    data = checked.data
    if target or not anyway:
        duplicates = await likely_duplicates(request, data)
        if target and target not in {duplicate.folio for duplicate in duplicates}:
            errors = {"sumarme": NOT_NEARBY}  # only a request the citizen was offered
            return _details(request, classifier, typed, errors=errors, status=422)
        if not target and duplicates:
            return _details(request, classifier, typed, duplicates=duplicates)
    engine, form_id, client = _engine(request), typed.formulario, client_address(request)
    if await run_blocking(engine, lambda: claim_form(engine, form_id, username=FORM_OWNER)):
        return await _sent_before(request, classifier, typed)
    if not await request.app.state.report_limiter.count(client):
        await run_blocking(engine, lambda: release_form(engine, form_id))
        until = await request.app.state.report_limiter.blocked_until(client)
        return _too_many(request, classifier, typed, until or datetime.now(UTC))
    try:
        if target:
            folio = await attach_citizen(engine, data, target, actor=ACTOR)
        else:
            folio = (await requests.register(data, actor=ACTOR)).folio
    except DomainError as error:
        await run_blocking(engine, lambda: release_form(engine, form_id))
        errors = {"sumarme" if target else "categoria": error.message}
        return _details(request, classifier, typed, errors=errors, status=422)
    attached = bool(target)
    await run_blocking(
        engine, lambda: complete_form(engine, form_id, folio=folio, attached=attached)
    )
    return _done(form_id)


@router.get("/reportar/hecho/{formulario}")
async def report_done(
    request: Request, formulario: str, requests: RequestServiceDep, classifier: ClassifierDep
) -> Response:
    """Step 3: the folio the form registered (or joined), its due date and where to follow it."""
    engine = _engine(request)
    before = None
    if valid_form_id(formulario):
        before = await run_blocking(engine, lambda: sent_before(engine, formulario))
    if before is None or before.folio is None:
        context = {"section": "reportar", "missing": True}
        response = render_public(request, "public/report_done.html", context, status=404)
    else:
        registered = await requests.get(before.folio)
        names = {entry.code: entry.name for entry in classifier.index.entries}
        authority = await requests.authority(registered.authority_code or "")
        context = {
            "section": "reportar",
            "registered": registered,
            "attached": before.attached,
            "category": names.get(registered.catalogue_code, registered.catalogue_code),
            "authority": authority.name if authority else None,
        }
        response = render_public(request, "public/report_done.html", context)
    response.headers["cache-control"] = "no-store"  # its address is the form's secret
    return response


@router.get("/reportar/colonias")
async def report_colonias(
    request: Request, alcaldia: Annotated[str, Query(max_length=40)] = ""
) -> JSONResponse:
    """Every colonia of ``alcaldia`` (none for an unknown one), for the form's script."""
    names = ColoniaDirectory.default().names(alcaldia)
    seconds = request.app.state.container.settings.public.cache_seconds
    headers = {"cache-control": f"public, max-age={seconds}"}
    return JSONResponse({"alcaldia": alcaldia, "colonias": names}, headers=headers)


@router.get("/aviso-de-privacidad")
async def privacy_notice(request: Request) -> Response:
    """The full privacy notice of the data a report may carry."""
    return render_public(request, "public/privacy_notice.html", {"section": "aviso"})


def _engine(request: Request) -> Engine:
    return request.app.state.container.engine  # type: ignore[no-any-return]


def _describe(
    request: Request,
    typed: ReportInput,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """Step 1: the description, with what was typed and its message."""
    context = {"section": "reportar", "typed": typed, "errors": errors or {}}
    return render_public(request, "public/report_describe.html", context, status=status, form=True)


def _details(
    request: Request,
    classifier: Classifier,
    typed: ReportInput,
    *,
    errors: dict[str, str] | None = None,
    duplicates: list[LikelyDuplicate] | None = None,
    limited: str = "",
    fill_place: bool = False,
    status: int = 200,
) -> Response:
    """Step 2: the classifier's proposals, the place, contact and consent, and the duplicates
    found; ``fill_place`` takes the alcaldía and colonia the description names when the
    citizen has chosen none."""
    proposals = _proposals(classifier, typed, fill_place=fill_place)
    codes = [candidate.code for candidate in proposals]
    if typed.categoria not in (*codes, OTHER_CATEGORY):
        typed.otra_categoria = typed.categoria or typed.otra_categoria
        typed.categoria = OTHER_CATEGORY if typed.otra_categoria else ""
    context: dict[str, Any] = {
        "section": "reportar",
        "typed": typed,
        "errors": errors or {},
        "duplicates": duplicates or [],
        "limited": limited,
        "proposals": proposals,
        "other": OTHER_CATEGORY,
        "entries": sorted(classifier.index.entries, key=lambda e: (e.tema, e.name)),
        "alcaldias": ALCALDIAS,
        "colonias": ColoniaDirectory.default().names(typed.alcaldia),
        "sexes": SEX_LABELS,
    }
    response = render_public(
        request, "public/report_details.html", context, status=status, form=True
    )
    response.headers["permissions-policy"] = GEOLOCATION
    return response


def _proposals(classifier: Classifier, typed: ReportInput, *, fill_place: bool) -> list[Candidate]:
    """The classifier's best categories for the description (the best one chosen when the
    classifier is confident and nothing is chosen yet)."""
    text = typed.descripcion.strip()[:MAX_TEXT_LENGTH]
    if not text:
        return []
    try:
        result = classifier.classify(text)
    except DomainError:  # nothing the classifier can read: the full list remains
        return []
    if fill_place and not typed.alcaldia and result.place.alcaldia:
        typed.alcaldia = result.place.alcaldia
        typed.colonia = typed.colonia or result.place.colonia or ""
    if not typed.categoria and result.best and result.decision == Decision.CONFIRM:
        typed.categoria = result.best.code
    return list(result.candidates)


def _too_many(
    request: Request, classifier: Classifier, typed: ReportInput, until: datetime
) -> Response:
    """429: this address sent its allowance of reports; when it may send again."""
    limited = (
        "Se enviaron demasiados reportes desde esta conexión. Podrá enviar otro a partir de "
        f"las {local_time(until, '%H:%M del %d/%m/%Y')}; si es urgente, llame al 0311."
    )
    response = _details(request, classifier, typed, limited=limited, status=429)
    response.headers["retry-after"] = str(max(1, int((until - datetime.now(UTC)).total_seconds())))
    return response


async def _sent_before(request: Request, classifier: Classifier, typed: ReportInput) -> Response:
    """A form sent again: the first send's folio, once it has one."""
    before = await wait_for_folio(_engine(request), typed.formulario)
    if before is not None and before.folio is not None:
        return _done(typed.formulario)
    message = (
        "El primer envío de este formulario no se registró: revise sus datos y envíelo de nuevo."
        if before is None
        else "Su reporte ya se está registrando: espere un momento y vuelva a cargar la página."
    )
    return _details(request, classifier, typed, errors={"formulario": message}, status=409)


def _done(form_id: str) -> RedirectResponse:
    return RedirectResponse(f"/reportar/hecho/{form_id}", status_code=303)
