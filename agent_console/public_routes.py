"""Public folio lookup: anyone may follow a request; nothing personal is ever shown."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from agent_console.deps import RequestServiceDep
from models.folio import format_folio
from models.lifecycle import STATUS_LABELS
from models.requests import Status

router = APIRouter(prefix="/api/public", tags=["público"])


class PublicRequest(BaseModel):
    """What the public board shows of a request."""

    folio: str
    folio_display: str
    catalogue_code: str
    status: str
    status_label: str
    alcaldia: str | None
    authority_code: str | None
    unit_code: str | None
    received_at: datetime
    due_at: datetime | None
    deadline_state: str
    responsible_person: str | None
    answer_text: str | None
    answered_at: datetime | None
    closed_at: datetime | None


@router.get("/folios/{folio}", response_model=PublicRequest)
async def public_folio(folio: str, requests: RequestServiceDep) -> PublicRequest:
    """The public status of a request (no citizen data, no description, no exact address)."""
    request = await requests.get(folio)
    return PublicRequest(
        folio=request.folio,
        folio_display=format_folio(request.folio),
        catalogue_code=request.catalogue_code,
        status=request.status,
        status_label=STATUS_LABELS[Status(request.status)],
        alcaldia=request.alcaldia,
        authority_code=request.authority_code,
        unit_code=request.unit_code,
        received_at=request.received_at,
        due_at=request.due_at,
        deadline_state=requests.deadline_state(request),
        responsible_person=request.responsible_person,
        answer_text=request.answer_text,
        answered_at=request.answered_at,
        closed_at=request.closed_at,
    )
