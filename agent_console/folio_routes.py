"""Any staff member looks up a folio: the request's whole record and its history.

Authority staff see only their own authority's requests (another's answers as if it did not
exist). The citizen's name, phone, e-mail, exact address and description are shown only to
roles that work with the citizen (agents, supervisors, the request's own authority), and
every such view is written to the personal-data log.

GET /consola/folio?folio=26-0001234-9
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, select

from agent_console.auth import SignedIn, Staff
from agent_console.capture_form import CHANNEL_LABELS, KIND_LABELS
from agent_console.deps import ClassifierDep, RequestServiceDep
from agent_console.templating import render
from models.access_log import record_view
from models.db import run_blocking, session_scope
from models.error_answers import error_responses
from models.errors import FolioNotFound, InvalidFolio
from models.folio import format_folio, parse_folio
from models.request_supporters import RequestSupporter, supporters_of
from models.requests import RequestHistory, ServiceRequest
from models.users import Role

router = APIRouter(tags=["folios"], responses=error_responses(401, 403, 404, 422, html=True))
PAGE = "/consola/folio"
PERSONAL_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.AUTHORITY})


@router.get(PAGE, response_class=HTMLResponse)
async def folio_lookup(
    request: Request,
    staff: SignedIn,
    requests: RequestServiceDep,
    classifier: ClassifierDep,
    folio: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The lookup form and, for a folio this account may see, the request's record."""
    if not folio.strip():
        return render(request, "capture/folio.html", {"typed": "", "error": ""})
    try:
        number = parse_folio(folio)
        found = await requests.get(number)
    except (InvalidFolio, FolioNotFound) as error:
        status = 422 if isinstance(error, InvalidFolio) else 404
        return render(
            request, "capture/folio.html", {"typed": folio, "error": error.message}, status=status
        )
    if staff.role == Role.AUTHORITY and found.authority_code != staff.authority_code:
        message = f"No hay ninguna solicitud con el folio {format_folio(number)} en su dependencia."
        return render(request, "capture/folio.html", {"typed": folio, "error": message}, status=404)
    personal = staff.role in PERSONAL_ROLES
    engine = request.app.state.container.engine
    history, supporters = await run_blocking(
        engine, lambda: _details(engine, found, staff, personal=personal)
    )
    authority = await requests.authority(found.authority_code or "")
    names = {entry.code: entry.name for entry in classifier.index.entries}
    context: dict[str, Any] = {
        "typed": format_folio(number),
        "error": "",
        "found": found,
        "category": names.get(found.catalogue_code, found.catalogue_code),
        "authority": authority.name if authority else None,
        "deadline": requests.deadline_state(found),
        "history": history,
        "supporters": supporters,
        "personal": personal,
        "kind": KIND_LABELS.get(found.kind, found.kind),
        "channel": CHANNEL_LABELS.get(found.channel, found.channel),  # type: ignore[call-overload]
    }
    return render(request, "capture/folio.html", context)


def _details(
    engine: Any, found: ServiceRequest, staff: Staff, *, personal: bool
) -> tuple[list[RequestHistory], list[RequestSupporter]]:
    """The history and, for those who may see them, the other reporters (the view logged)."""
    assert found.id is not None
    with session_scope(engine) as session:
        statement = (
            select(RequestHistory)
            .where(col(RequestHistory.request_id) == found.id)
            .order_by(col(RequestHistory.id))
        )
        history = list(session.exec(statement))
        if not personal:
            return history, []
        record_view(
            session, username=staff.username, role=staff.role, page=PAGE, folios=[found.folio]
        )
        return history, supporters_of(session, found.id)
