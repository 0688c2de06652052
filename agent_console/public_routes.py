"""Public folio lookup: anyone may follow a request, and nothing personal is ever shown.

The page and the API show what :mod:`models.public_view` builds: status, kind, category,
alcaldía and colonia, authority, unit, responsible official, due date and whether it was met,
and the dated status changes. The authority's answer (and a rejection's reason) is addressed to
the citizen: it is shown only to whoever proves to be them with the folio plus the last four
digits of the phone they gave, unless the authority published the answer (checked before to name
nobody: :mod:`models.public_answer`)::

    GET  /api/public/folios/26-0001234-9
    GET  /api/public/folios/26-0001234-9?telefono=5678
    GET  /folio?folio=26-0001234-9        POST /folio (folio, telefono)

Folios are sequential and their check digit is public, so look-ups are limited per client
address (``public.folio_lookups_per_client``; a folio that does not exist counts as
``public.unknown_folio_cost`` look-ups, so guessing is dear and following one's own requests
cheap), and proofs per folio and per client. The client is the connection's peer:
``X-Forwarded-For`` counts only from ``public.trusted_proxies``. The limits are the ``limits``
library's moving windows, shared through Redis when one is configured; past them the answer is
429 with ``Retry-After``.

Caching: each folio's public view (no answer but a published one) is read once per
``public.cache_seconds`` by each web process and kept; a change of the request on the event bus
drops it at once, and a proof always reads afresh. The blank page is the same for everyone and
is public.
A look-up is never stored by a shared cache: a proxy or CDN answering from its copy would let
look-ups past the limit uncounted and serve one client's 404 or 429 to another. The API's
public view may be kept by the client's own browser for ``cache_seconds`` (``private``); a page
with a result carries the proof's form (this browser's CSRF token) and, like errors and proven
answers, is ``no-store``.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated, Any, NamedTuple, TypeVar

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from limits import parse, parse_many

from agent_console.deps import RequestServiceDep
from agent_console.live import LiveHub
from agent_console.public_cache import PublicCache
from agent_console.templating import render_public
from ivr.flow.limits import moving_window, refused_for, storage_uri
from models.config import ConsoleSettings, PublicSettings
from models.db import run_blocking, session_scope
from models.error_answers import described_errors, error_responses
from models.errors import DomainError, FolioNotFound, InvalidFolio
from models.events import RequestRegistered, RequestStatusChanged
from models.folio import parse_folio
from models.public_view import (
    STATUS_FIELD,
    NameDirectory,
    PublicRequest,
    build_public_request,
    explain_invalid_folio,
    load_name_directory,
)
from models.request_service import RequestService
from models.requests import RequestHistory, ServiceRequest

router = APIRouter(prefix="/api/public", tags=["público"], responses=error_responses(422))
page_router = APIRouter(include_in_schema=False)
PAGE = "public/folio.html"
UNKNOWN_CLIENT = "desconocido"
T = TypeVar("T")
CHANGES = (RequestRegistered, RequestStatusChanged)  # what makes a kept public view stale


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


class TooManyLookups(DomainError):
    """This client used up its folio look-ups; ``retry_after`` seconds until one is free."""

    error_id = "too-many-lookups"
    status_code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "Se alcanzó el límite de consultas de folios desde su conexión. "
            f"Espere {_wait(retry_after)} y vuelva a intentarlo."
        )
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        """The HTTP headers of the refusal."""
        return {"Retry-After": str(self.retry_after)}


def _wait(seconds: int) -> str:
    """A wait in words, rounded up to minutes or, past two hours, to hours.

    >>> _wait(5), _wait(150), _wait(3 * 3600 - 10)
    ('un minuto', '3 minutos', '3 horas')
    """
    minutes = max(1, math.ceil(seconds / 60))
    if minutes < 120:
        return "un minuto" if minutes == 1 else f"{minutes} minutos"
    return f"{math.ceil(minutes / 60)} horas"


class Found(NamedTuple):
    """A looked-up request and its status changes."""

    request: ServiceRequest
    history: list[RequestHistory]


class FolioProofLimiter:
    """Moving-window limits on proofs of being the citizen, per folio and per client."""

    def __init__(self, settings: ConsoleSettings, *, redis_url: str) -> None:
        self._limiter = moving_window(storage_uri(redis_url))
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


class FolioLookupLimiter:
    """Moving-window limits on folio look-ups per client; an unknown folio costs more.

    Every look-up is counted (one) before the folio is read, so a client past its allowance
    learns nothing, not even whether a folio exists; an unknown folio then takes the rest of
    its cost, as much of it as the allowance still holds."""

    NAMESPACE = "folio-lookup"

    def __init__(self, settings: PublicSettings, *, redis_url: str) -> None:
        self._limiter = moving_window(storage_uri(redis_url))
        self._items = parse_many(settings.folio_lookups_per_client)
        self._unknown_extra = settings.unknown_folio_cost - 1

    async def admit(self, client: str) -> None:
        """Count one look-up by ``client``; :class:`TooManyLookups` past any allowance."""
        wait = await refused_for(self._limiter, self._items, self.NAMESPACE, client[:64])
        if wait:
            raise TooManyLookups(wait)

    async def charge_unknown(self, client: str) -> None:
        """Charge ``client``'s look-up of a folio that does not exist its extra cost."""
        key = (self.NAMESPACE, client[:64])
        for item in self._items:
            remaining = (await self._limiter.get_window_stats(item, *key)).remaining
            cost = min(self._unknown_extra, remaining)
            if cost > 0:
                await self._limiter.hit(item, *key, cost=cost)


def client_address(request: Request) -> str:
    """Who is asking: the connection's peer (a trusted proxy's forwarded client)."""
    return request.client.host if request.client else UNKNOWN_CLIENT


def _proves(request: ServiceRequest, digits: str) -> bool:
    phone_digits = "".join(ch for ch in request.citizen_phone or "" if ch.isdigit())
    return len(phone_digits) >= 4 and hmac.compare_digest(phone_digits[-4:], digits)


async def prove(request: Request, found: ServiceRequest, telefono: str) -> None:
    """Check the citizen's proof (four digits, counted against the limits) or raise."""
    digits = telefono.strip()
    if len(digits) != 4 or not (digits.isdigit() and digits.isascii()):
        raise PhoneDigitsInvalid("Escriba los últimos cuatro dígitos del teléfono, sin espacios.")
    limiter: FolioProofLimiter = request.app.state.folio_proof_limiter
    await limiter.check(folio=found.folio, client=client_address(request))
    if not _proves(found, digits):
        raise PhoneMismatch(
            "Esos dígitos no coinciden con el teléfono que se dio al registrar el folio."
        )


async def lookup(request: Request, folio: str, read: Callable[[str], Awaitable[T]]) -> T:
    """``read`` of the well-formed ``folio``, counted against the client's look-ups; a
    malformed folio is explained, an unknown one charged its extra cost."""
    limiter: FolioLookupLimiter = request.app.state.folio_lookup_limiter
    client = client_address(request)
    await limiter.admit(client)
    try:
        number = parse_folio(folio)
    except InvalidFolio as error:
        raise explain_invalid_folio(error) from None
    try:
        return await read(number)
    except FolioNotFound:
        await limiter.charge_unknown(client)
        raise


async def read_found(requests: RequestService, folio: str) -> Found:
    """The request and its status changes, as they are now."""
    return Found(*await requests.with_history(folio, field=STATUS_FIELD))


async def read_public_view(request: Request, requests: RequestService, folio: str) -> PublicRequest:
    """The public's view of ``folio`` (no answer), read once per cache period and process."""

    async def compute() -> PublicRequest:
        found = await read_found(requests, folio)
        return await public_view(request, requests, found, verified=False)

    cache: PublicCache = request.app.state.folio_cache
    return await cache.get(folio, compute)


async def forget_changed_folios(live: LiveHub, cache: PublicCache) -> None:
    """Drop a folio's kept public view as soon as the bus says its request changed, so a
    look-up after an answer shows it (the period bounds the wait when an event is lost)."""
    async with live.listen(lambda event: isinstance(event, CHANGES)) as events:
        async for event in events:
            if isinstance(event, CHANGES):
                cache.forget(event.folio)


async def public_view(
    request: Request, requests: RequestService, found: Found, *, verified: bool
) -> PublicRequest:
    """The public's view of ``found``; the answer only when ``verified``."""
    names = await name_directory(request)
    return build_public_request(
        found.request,
        names=names.names(found.request),
        history=found.history,
        deadline_state=requests.deadline_state(found.request),
        verified=verified,
    )


async def name_directory(request: Request) -> NameDirectory:
    """The categories', authorities' and units' names, read once per cache period."""
    engine = request.app.state.container.engine

    def load() -> NameDirectory:
        with session_scope(engine, readonly=True) as session:
            return load_name_directory(session)

    cache: PublicCache = request.app.state.public_cache
    return await cache.get(("nombres",), partial(run_blocking, engine, load))


@router.get(
    "/folios/{folio}",
    response_model=PublicRequest,
    responses=described_errors(
        {
            404: "No existe ninguna solicitud con ese folio.",
            422: "Folio mal escrito (longitud, caracteres o dígito verificador).",
            429: "Límite de consultas o de pruebas alcanzado (ver Retry-After).",
        }
    ),
)
async def public_folio(
    request: Request,
    response: Response,
    folio: str,
    requests: RequestServiceDep,
    telefono: Annotated[str | None, Query(max_length=20)] = None,
) -> PublicRequest:
    """The public status of a request (no citizen data, no description, no exact address)
    and the answer the authority published; with ``telefono`` = the last four digits of the
    citizen's phone, also the answer and a rejection's reason."""
    if telefono is None:
        seconds = request.app.state.container.settings.public.cache_seconds
        response.headers["cache-control"] = f"private, max-age={seconds}"
        return await lookup(request, folio, partial(read_public_view, request, requests))
    found = await lookup(request, folio, partial(read_found, requests))
    await prove(request, found.request, telefono)
    response.headers["cache-control"] = "no-store"
    return await public_view(request, requests, found, verified=True)


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
    context: dict[str, Any] = {"section": "folio", "folio": folio, "errors": {}}
    if not folio.strip():
        if not submitted:
            return render_public(request, PAGE, context)
        context["errors"]["folio"] = "Escriba el folio."
        return render_public(request, PAGE, context, status=422, form=True)
    try:
        if telefono:
            found = await lookup(request, folio, partial(read_found, requests))
        else:
            context["result"] = await lookup(
                request, folio, partial(read_public_view, request, requests)
            )
    except DomainError as error:
        context["errors"]["folio"] = error.message
        refused = render_public(request, PAGE, context, status=error.status_code, form=True)
        refused.headers.update(getattr(error, "headers", {}))
        return refused
    status = 200
    if telefono:
        verified = False
        try:
            await prove(request, found.request, telefono)
            verified = True
        except DomainError as error:
            context["errors"]["telefono"] = error.message
            status = error.status_code
        context["result"] = await public_view(request, requests, found, verified=verified)
    return render_public(request, PAGE, context, status=status, form=True)


@page_router.get("/folio")
async def folio_page(
    request: Request,
    requests: RequestServiceDep,
    folio: str = "",
) -> Response:
    """The public folio lookup page (no sign-in); without a folio, the same for everyone."""
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
