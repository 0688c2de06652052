"""Open311 GeoReport v2 under ``/open311/v2/``: discovery, services, service definitions,
creating requests (with an API key) and reading them, each in JSON or XML::

    GET  /open311/v2/services.json
    GET  /open311/v2/services/VIA-001.xml
    POST /open311/v2/requests.json   api_key=…&service_code=VIA-001&lat=19.43&long=-99.13
    GET  /open311/v2/requests.json?status=open&start_date=2026-11-01T00:00:00-06:00
    GET  /open311/v2/requests/2600000019.json

Reads are limited per client address, creations per API key; ``jurisdiction_id`` is not
needed (one jurisdiction: the City).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from agent_console.colonias import ColoniaDirectory
from agent_console.deps import RequestServiceDep
from agent_console.open311.errors import (
    ANSWERS,
    BadParameter,
    NotFound,
    Open311Route,
    UnknownFormat,
)
from agent_console.open311.listing import read_query
from agent_console.open311.serializers import FORMATS, respond
from agent_console.open311.submission import read_submission
from models.api_key_service import verify_key
from models.catalogue import CatalogueEntry
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.open311_requests import RequestQuery, find_requests, geo_report
from models.open311_services import definition, service
from models.requests import ServiceRequest

PREFIX = "/open311/v2"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00-06:00"  # when this API last changed

T = TypeVar("T")
router = APIRouter(
    prefix=PREFIX, tags=["Open311 GeoReport v2"], route_class=Open311Route, responses=ANSWERS
)


async def _format(response_format: str) -> str:
    if response_format not in FORMATS:
        raise UnknownFormat("Formato desconocido: use .json o .xml.")
    return response_format


async def _count_read(request: Request) -> None:
    client = request.client.host if request.client else "desconocido"
    await request.app.state.open311_limiter.read(client)


Format = Annotated[str, Depends(_format)]
READ = [Depends(_count_read)]


async def _in_session(request: Request, work: Callable[[Session], T]) -> T:
    """``work`` in a read-only transaction."""
    engine = request.app.state.container.engine

    def run() -> T:
        with session_scope(engine, readonly=True) as session:
            return work(session)

    return await run_blocking(engine, run)


@router.get("/discovery.{response_format}", dependencies=READ)
async def discovery(request: Request, response_format: Format) -> Response:
    """Where the API is, what it speaks, and how to get a key."""
    base = request.app.state.container.settings.public_base_url.rstrip("/")
    data = {
        "changeset": CHANGESET,
        "contact": "Locatel, Agencia Digital de Innovación Pública de la Ciudad de México.",
        "key_service": "Las api_key las emite la administración de SUAC Locatel a cada "
        "aplicación (suac apikey add).",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{base}{PREFIX}",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(data, response_format, root="discovery")


def _active_entries(session: Session) -> list[CatalogueEntry]:
    statement = (
        select(CatalogueEntry).where(col(CatalogueEntry.active)).order_by(col(CatalogueEntry.code))
    )
    return list(session.exec(statement))


@router.get("/services.{response_format}", dependencies=READ)
async def services(request: Request, response_format: Format) -> Response:
    """Every active category of the catalogue as a service."""

    async def compute() -> list[dict[str, Any]]:
        return await _in_session(
            request, lambda session: [service(e) for e in _active_entries(session)]
        )

    data = await request.app.state.public_cache.get(("open311", "services"), compute)
    return respond(data, response_format, root="services")


def _entry(session: Session, code: str) -> CatalogueEntry:
    entry = session.get(CatalogueEntry, code.strip())
    if entry is None or not entry.active:
        raise NotFound(f"No existe el servicio «{code.strip()[:16]}».")
    return entry


@router.get("/services/{service_code}.{response_format}", dependencies=READ)
async def service_definition(
    request: Request, service_code: str, response_format: Format
) -> Response:
    """The attributes a request of the service carries."""
    data = await _in_session(request, lambda session: definition(_entry(session, service_code)))
    return respond(data, response_format, root="service_definition")


async def _views(request: Request, query: RequestQuery) -> list[dict[str, Any]]:
    zone = request.app.state.container.calendar.zone
    rows = await _in_session(request, lambda session: find_requests(session, query))
    return [geo_report(row, zone=zone).model_dump() for row in rows]


@router.get("/requests.{response_format}", dependencies=READ)
async def list_requests(request: Request, response_format: Format) -> Response:
    """Requests by folio, or by service, status and a period of at most 90 days."""
    zone = request.app.state.container.calendar.zone
    query = read_query(request.query_params, now=utcnow(), zone=zone)
    data = await _views(request, query)
    return respond(data, response_format, root="service_requests")


@router.get("/requests/{service_request_id}.{response_format}", dependencies=READ)
async def one_request(
    request: Request, service_request_id: str, response_format: Format
) -> Response:
    """One request (a list of one, as the spec answers)."""
    zone = request.app.state.container.calendar.zone
    query = read_query({"service_request_id": service_request_id}, now=utcnow(), zone=zone)
    data = await _views(request, query)
    if not data:
        raise NotFound(f"No existe ninguna solicitud con el folio {query.folios[0]}.")
    return respond(data, response_format, root="service_requests")


def _notice(created: ServiceRequest, authority: str | None, zone: tzinfo) -> str:
    due = created.due_at.astimezone(zone).strftime("%d/%m/%Y") if created.due_at else None
    if authority and due:
        return f"Turnada a {authority}, que debe responder a más tardar el {due}."
    return "Recibida: Locatel la turnará a la dependencia competente."


@router.post("/requests.{response_format}")
async def create_request(
    request: Request, response_format: Format, requests: RequestServiceDep
) -> Response:
    """Create a request for the application whose ``api_key`` comes with it."""
    container = request.app.state.container
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    api_key = form.get("api_key") or request.query_params.get("api_key", "")
    if not api_key.strip():
        raise BadParameter("Falta api_key.")
    engine = container.engine

    def verify() -> tuple[str, str]:
        with session_scope(engine) as session:
            key = verify_key(session, api_key)
            return key.prefix, key.channel

    prefix, channel = await run_blocking(engine, verify)
    await request.app.state.open311_limiter.create(prefix)
    code = form.get("service_code", "").strip()
    if not code:
        raise BadParameter("Falta service_code.")
    entry = await _in_session(request, lambda session: _entry(session, code))
    data = read_submission(
        form,
        entry,
        source=channel,
        classifier=container.classifier,
        colonias=ColoniaDirectory.default(),
    )
    created = await requests.register(data, actor=f"open311:{channel}")
    authority = await requests.authority(created.authority_code or "")
    notice = _notice(created, authority.name if authority else None, container.calendar.zone)
    answer = [{"service_request_id": created.folio, "service_notice": notice, "account_id": None}]
    return respond(answer, response_format, root="service_requests")
