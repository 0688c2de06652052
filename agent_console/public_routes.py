"""Public folio lookup: anyone may follow a request, and nothing personal is ever shown.

The public sees the status, the category, the authority, the unit, the responsible official and
the dates. The authority's answer (and a rejection's reason) is addressed to the citizen: it is
shown only to whoever proves to be them with the folio plus the last four digits of the phone
they gave. Those proofs are limited per folio and per client address (the ``limits`` library,
shared through Redis when one is configured), so the four digits cannot be guessed::

    GET /api/public/folios/26-0001234-9?telefono=5678
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from pydantic import BaseModel
from sqlmodel import select

from agent_console.deps import RequestServiceDep
from agent_console.templating import render
from ivr.flow.limits import storage_uri
from models.authorities import AdministrativeUnit, Authority
from models.catalogue import CatalogueEntry
from models.config import ConsoleSettings
from models.db import run_blocking, session_scope
from models.errors import DomainError
from models.folio import format_folio
from models.lifecycle import STATUS_LABELS
from models.request_service import RequestService
from models.requests import ServiceRequest, Status

router = APIRouter(prefix="/api/public", tags=["público"])
page_router = APIRouter(include_in_schema=False)


class PhoneDigitsInvalid(DomainError):
    """The proof is not four digits."""

    error_id = "invalid-phone-digits"
    status_code = 422


class PhoneMismatch(DomainError):
    """The four digits are not the end of the phone the citizen gave (or none was given)."""

    error_id = "phone-mismatch"
    status_code = 403


class TooManyAttempts(DomainError):
    """Too many proofs for this folio, or from this client, in the moving window."""

    error_id = "too-many-attempts"
    status_code = 429


class FolioProofLimiter:
    """Moving-window limits on proofs of being the citizen, per folio and per client."""

    def __init__(self, settings: ConsoleSettings, *, redis_url: str) -> None:
        storage = storage_uri(redis_url)
        options = {"implementation": "redispy"} if "redis" in storage else {}
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage, **options))
        self._folio = parse(settings.folio_proof_attempts_per_folio)
        self._client = parse(settings.folio_proof_attempts_per_client)

    async def check(self, *, folio: str, client: str) -> None:
        """Count one proof; :class:`TooManyAttempts` once either allowance is used up."""
        by_folio = await self._limiter.hit(self._folio, "folio-proof", folio)
        by_client = await self._limiter.hit(self._client, "folio-proof-client", client[:64])
        if not by_folio:
            raise TooManyAttempts(
                "Demasiados intentos con este folio. Espere una hora y vuelva a intentarlo."
            )
        if not by_client:
            raise TooManyAttempts("Demasiados intentos. Espere una hora y vuelva a intentarlo.")


class PublicRequest(BaseModel):
    """What anyone may read of a request; ``answer_text`` and ``rejection_reason`` only once
    ``verified`` (the citizen proved it is them)."""

    folio: str
    folio_display: str
    catalogue_code: str
    category_name: str
    status: str
    status_label: str
    alcaldia: str | None
    authority_code: str | None
    authority_name: str | None
    unit_code: str | None
    unit_name: str | None
    received_at: datetime
    due_at: datetime | None
    deadline_state: str
    responsible_person: str | None
    answered_at: datetime | None
    closed_at: datetime | None
    verified: bool
    answer_text: str | None
    rejection_reason: str | None


def _proves(request: ServiceRequest, digits: str) -> bool:
    phone_digits = "".join(ch for ch in request.citizen_phone or "" if ch.isdigit())
    return len(phone_digits) >= 4 and hmac.compare_digest(phone_digits[-4:], digits)


async def prove(request: Request, found: ServiceRequest, telefono: str) -> None:
    """Check the citizen's proof (four digits, counted against the limits) or raise."""
    digits = telefono.strip()
    if len(digits) != 4 or not (digits.isdigit() and digits.isascii()):
        raise PhoneDigitsInvalid("Escriba los últimos cuatro dígitos del teléfono, sin espacios.")
    client = request.client.host if request.client else "desconocido"
    await request.app.state.folio_proof_limiter.check(folio=found.folio, client=client)
    if not _proves(found, digits):
        raise PhoneMismatch(
            "Esos dígitos no coinciden con el teléfono que se dio al registrar el folio."
        )


async def _names(request: Request, found: ServiceRequest) -> tuple[str, str | None, str | None]:
    """The names of the request's category, authority and unit."""
    engine = request.app.state.container.engine

    def load() -> tuple[str, str | None, str | None]:
        with session_scope(engine, readonly=True) as session:
            entry = session.get(CatalogueEntry, found.catalogue_code)
            authority = session.get(Authority, found.authority_code or "")
            unit = session.exec(
                select(AdministrativeUnit).where(
                    AdministrativeUnit.authority_code == found.authority_code,
                    AdministrativeUnit.code == found.unit_code,
                )
            ).first()
            return (
                entry.name if entry else found.catalogue_code,
                authority.name if authority else None,
                unit.name if unit else None,
            )

    return await run_blocking(engine, load)


async def public_view(
    request: Request, requests: RequestService, found: ServiceRequest, *, verified: bool
) -> PublicRequest:
    """The public's view of ``found``; the answer only when ``verified``."""
    category, authority, unit = await _names(request, found)
    return PublicRequest(
        folio=found.folio,
        folio_display=format_folio(found.folio),
        catalogue_code=found.catalogue_code,
        category_name=category,
        status=found.status,
        status_label=STATUS_LABELS[Status(found.status)],
        alcaldia=found.alcaldia,
        authority_code=found.authority_code,
        authority_name=authority,
        unit_code=found.unit_code,
        unit_name=unit,
        received_at=found.received_at,
        due_at=found.due_at,
        deadline_state=requests.deadline_state(found),
        responsible_person=found.responsible_person,
        answered_at=found.answered_at,
        closed_at=found.closed_at,
        verified=verified,
        answer_text=found.answer_text if verified else None,
        rejection_reason=found.rejection_reason if verified else None,
    )


@router.get("/folios/{folio}", response_model=PublicRequest)
async def public_folio(
    request: Request,
    folio: str,
    requests: RequestServiceDep,
    telefono: Annotated[str | None, Query(max_length=20)] = None,
) -> PublicRequest:
    """The public status of a request (no citizen data, no description, no exact address);
    with ``telefono`` = the last four digits of the citizen's phone, also the answer."""
    found = await requests.get(folio)
    if telefono is not None:
        await prove(request, found, telefono)
    return await public_view(request, requests, found, verified=telefono is not None)


# --- the page ----------------------------------------------------------------------------------


async def _folio_page(
    request: Request,
    requests: RequestService,
    folio: str,
    telefono: str | None,
    *,
    submitted: bool,
) -> Response:
    folio = folio[:40]
    context: dict[str, Any] = {"folio": folio, "errors": {}}
    if not folio.strip():
        if submitted:
            context["errors"]["folio"] = "Escriba el folio."
        return render(request, "public/folio.html", context, status=422 if submitted else 200)
    try:
        found = await requests.get(folio)
    except DomainError as error:
        context["errors"]["folio"] = error.message
        return render(request, "public/folio.html", context, status=error.status_code)
    status, verified = 200, False
    if telefono:
        try:
            await prove(request, found, telefono)
            verified = True
        except DomainError as error:
            context["errors"]["telefono"] = error.message
            status = error.status_code
    context["result"] = await public_view(request, requests, found, verified=verified)
    return render(request, "public/folio.html", context, status=status)


@page_router.get("/folio")
async def folio_page(
    request: Request,
    requests: RequestServiceDep,
    folio: str = "",
) -> Response:
    """The public folio lookup page (no sign-in)."""
    return await _folio_page(request, requests, folio, None, submitted=bool(folio))


@page_router.post("/folio")
async def folio_page_proof(
    request: Request,
    requests: RequestServiceDep,
    folio: Annotated[str, Form()] = "",
    telefono: Annotated[str, Form()] = "",
) -> Response:
    """The lookup with the citizen's proof (the four digits travel in the body, not the URL)."""
    proof = telefono.strip()[:20] or None
    return await _folio_page(request, requests, folio, proof, submitted=True)
