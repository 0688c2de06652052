"""Any staff member looks up a folio: the request's whole record and its history.

Authority staff see only their own authority's requests (another's answers as if it did not
exist). The citizen's name, phone, e-mail, exact address and description are shown only to
roles that work with the citizen (agents, supervisors, the request's own authority), and
every such view is written to the personal-data log. The same roles hear a place reference the
caller recorded (every play logged too); an agent or supervisor types what it says.

GET  /consola/folio?folio=26-0001234-9
GET  /consola/folio/2600012349/referencia.wav
POST /consola/folio/2600012349/referencia   (referencia=…)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from agent_console.auth import AgentStaff, SignedIn, Staff, require
from agent_console.capture_form import CHANNEL_LABELS, KIND_LABELS
from agent_console.deps import ClassifierDep, RequestServiceDep
from agent_console.templating import render
from models.access_log import record_view
from models.db import run_blocking, session_scope
from models.error_answers import error_responses
from models.errors import FolioNotFound, InvalidFolio, MissingAnswerData
from models.folio import format_folio, parse_folio
from models.reference_audio import ReferenceAudio, recording_of
from models.request_service import MAX_TYPED_REFERENCE, RequestService
from models.request_supporters import RequestSupporter, supporters_of
from models.requests import RequestHistory, ServiceRequest
from models.users import Role

router = APIRouter(tags=["folios"], responses=error_responses(401, 403, 404, 422, html=True))
PAGE = "/consola/folio"
PERSONAL_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.AUTHORITY})
TRANSCRIBING_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR})
Listener = Annotated[Staff, require(*PERSONAL_ROLES)]
FolioPath = Annotated[str, Path(max_length=40)]


@dataclass(frozen=True)
class Recording:
    """What the page says of a recorded reference (never its bytes)."""

    seconds: float
    playable: bool  # kept here
    downloading: bool  # still on Twilio
    transcribed_by: str | None
    transcribed_at: datetime | None


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
        found = await _visible(requests, staff, folio)
    except (InvalidFolio, FolioNotFound) as error:
        status = 422 if isinstance(error, InvalidFolio) else 404
        return render(
            request, "capture/folio.html", {"typed": folio, "error": error.message}, status=status
        )
    return await _record_page(request, staff, requests, classifier, found)


@router.get(PAGE + "/{folio}/referencia.wav")
async def reference_recording(
    request: Request, folio: FolioPath, staff: Listener, requests: RequestServiceDep
) -> Response:
    """The place reference the caller recorded, as WAV, for the roles that see the exact
    address (each play written to the personal-data log; never cached)."""
    try:
        found = await _visible(requests, staff, folio)
    except (InvalidFolio, FolioNotFound) as error:
        raise HTTPException(status_code=404, detail=error.message) from error
    engine = request.app.state.container.engine
    wav = await run_blocking(engine, lambda: _play(engine, found, staff))
    if wav is None:
        detail = "Esta solicitud no tiene una grabación de referencia disponible."
        raise HTTPException(status_code=404, detail=detail)
    return Response(wav, media_type="audio/wav", headers={"Cache-Control": "no-store"})


@router.post(PAGE + "/{folio}/referencia", response_class=HTMLResponse)
async def transcribe_reference(
    request: Request,
    folio: FolioPath,
    staff: AgentStaff,
    requests: RequestServiceDep,
    classifier: ClassifierDep,
    referencia: Annotated[str, Form(max_length=MAX_TYPED_REFERENCE * 2)] = "",
) -> Response:
    """An agent or supervisor types the reference the caller recorded."""
    try:
        found = await requests.transcribe_reference(folio, referencia, actor=staff.actor)
    except InvalidFolio as error:
        raise HTTPException(status_code=404, detail=error.message) from error
    except MissingAnswerData as error:
        found = await requests.get(parse_folio(folio))
        return await _record_page(
            request, staff, requests, classifier, found, typing=(referencia, error.message)
        )
    return RedirectResponse(f"{PAGE}?folio={found.folio}#referencia-grabada", status_code=303)


async def _visible(requests: RequestService, staff: Staff, folio: str) -> ServiceRequest:
    """The request ``folio`` names, when this account may see it (another authority's is
    reported missing)."""
    number = parse_folio(folio)
    found = await requests.get(number)
    if staff.role == Role.AUTHORITY and found.authority_code != staff.authority_code:
        message = f"No hay ninguna solicitud con el folio {format_folio(number)} en su dependencia."
        raise FolioNotFound(message)
    return found


async def _record_page(
    request: Request,
    staff: Staff,
    requests: RequestService,
    classifier: Any,
    found: ServiceRequest,
    *,
    typing: tuple[str, str] = ("", ""),
) -> Response:
    """The request's record; ``typing``: a transcription sent back (its text, what is wrong)."""
    personal = staff.role in PERSONAL_ROLES
    engine = request.app.state.container.engine
    history, supporters, recording = await run_blocking(
        engine, lambda: _details(engine, found, staff, personal=personal)
    )
    authority = await requests.authority(found.authority_code or "")
    names = {entry.code: entry.name for entry in classifier.index.entries}
    context: dict[str, Any] = {
        "typed": format_folio(found.folio),
        "error": "",
        "found": found,
        "category": names.get(found.catalogue_code, found.catalogue_code),
        "authority": authority.name if authority else None,
        "deadline": requests.deadline_state(found),
        "history": history,
        "supporters": supporters,
        "personal": personal,
        "recording": recording,
        "transcribes": staff.role in TRANSCRIBING_ROLES,
        "transcription": typing[0],
        "transcription_error": typing[1],
        "kind": KIND_LABELS.get(found.kind, found.kind),
        "channel": CHANNEL_LABELS.get(found.channel, found.channel),  # type: ignore[call-overload]
    }
    return render(request, "capture/folio.html", context, status=422 if typing[1] else 200)


def _details(
    engine: Any, found: ServiceRequest, staff: Staff, *, personal: bool
) -> tuple[list[RequestHistory], list[RequestSupporter], Recording | None]:
    """The history and, for those who may see them, the other reporters and the recorded
    reference (the view logged)."""
    assert found.id is not None
    with session_scope(engine) as session:
        statement = (
            select(RequestHistory)
            .where(col(RequestHistory.request_id) == found.id)
            .order_by(col(RequestHistory.id))
        )
        history = list(session.exec(statement))
        if not personal:
            return history, [], None
        record_view(
            session, username=staff.username, role=staff.role, page=PAGE, folios=[found.folio]
        )
        return history, supporters_of(session, found.id), _recording(session, found.id)


def _recording(session: Session, request_id: int) -> Recording | None:
    """The page's view of the request's recorded reference, if it has one."""
    statement = sa_select(
        col(ReferenceAudio.seconds),
        col(ReferenceAudio.audio).is_not(None),
        col(ReferenceAudio.source_url).is_not(None),
        col(ReferenceAudio.transcribed_by),
        col(ReferenceAudio.transcribed_at),
    ).where(col(ReferenceAudio.request_id) == request_id)
    row = session.connection().execute(statement).first()
    return None if row is None else Recording(*row)


def _play(engine: Any, found: ServiceRequest, staff: Staff) -> bytes | None:
    """The recorded reference's WAV, its play logged; None when there is none to play."""
    assert found.id is not None
    with session_scope(engine) as session:
        kept = recording_of(session, found.id)
        if kept is None or kept.audio is None:
            return None
        page = f"{PAGE}/{found.folio}/referencia.wav"
        record_view(
            session, username=staff.username, role=staff.role, page=page, folios=[found.folio]
        )
        return kept.audio
