"""What anyone may read of a request, given its folio: nothing personal, ever.

The public view names the request's kind, category, alcaldía and colonia, the authority and
unit in charge, the responsible official once answered, the due date and whether it was met,
and the dated history of its status changes (the statuses alone: who made a change and the
notes they wrote stay inside). The answer's text and a rejection's reason belong to the
citizen: they are filled in only when the caller ``verified`` being them, or, for the answer,
when the authority published it (``answer_public``, checked to name nobody)::

    found, history = await requests.with_history(folio, field=STATUS_FIELD)
    view = build_public_request(
        found, names=directory.names(found), history=history, deadline_state=state, verified=False
    )

A folio that cannot be right is explained in Spanish by :func:`explain_invalid_folio`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from pydantic import BaseModel
from sqlmodel import Session, select

from models.authorities import AdministrativeUnit, Authority
from models.business_days import DeadlineState
from models.catalogue import KIND_LABELS, CatalogueEntry
from models.errors import InvalidFolio
from models.folio import format_folio
from models.lifecycle import STATUS_LABELS
from models.requests import RequestHistory, ServiceRequest, Status

STATUS_FIELD = "status"  # the history's field for a status change


class DeadlineOutcome(StrEnum):
    """Whether the due date was met: answered in time, late (answered or not), or pending."""

    ON_TIME = "on_time"
    LATE = "late"
    PENDING = "pending"


DEADLINE_OUTCOME_LABELS: dict[DeadlineOutcome, str] = {
    DeadlineOutcome.ON_TIME: "Cumplido: respondida en plazo",
    DeadlineOutcome.LATE: "No cumplido: plazo vencido",
    DeadlineOutcome.PENDING: "Pendiente: aún en plazo",
}

FOLIO_HINTS: dict[str, str] = {
    "empty": "Escriba los diez dígitos del folio que recibió al registrar su solicitud.",
    "not-digits": "Escriba solo los diez dígitos, por ejemplo 26-0001234-9.",
    "length": "Revise que copió los diez dígitos completos, por ejemplo 26-0001234-9.",
    "check-digit": (
        "El último dígito sirve para comprobar los nueve anteriores y no corresponde con ellos: "
        "probablemente algún dígito está mal copiado o dos están invertidos."
    ),
}


class PublicStatusChange(BaseModel):
    """One public step of a request: when it reached a status."""

    at: datetime
    status: str
    status_label: str


class PublicRequest(BaseModel):
    """What anyone may read of a request; ``answer_text`` and ``rejection_reason`` only once
    ``verified`` (the citizen proved it is them), or the answer the authority published."""

    folio: str
    folio_display: str
    kind: str
    kind_label: str
    catalogue_code: str
    category_name: str
    status: str
    status_label: str
    alcaldia: str | None
    colonia: str | None
    authority_code: str | None
    authority_name: str | None
    unit_code: str | None
    unit_name: str | None
    received_at: datetime
    due_at: datetime | None
    deadline_state: str
    deadline_outcome: DeadlineOutcome
    deadline_outcome_label: str
    responsible_person: str | None
    answered_at: datetime | None
    closed_at: datetime | None
    history: list[PublicStatusChange]
    verified: bool
    answer_public: bool
    answer_text: str | None
    rejection_reason: str | None


class PublicNames(NamedTuple):
    """The names of a request's category, authority and administrative unit."""

    category: str
    authority: str | None
    unit: str | None


def explain_invalid_folio(error: InvalidFolio) -> InvalidFolio:
    """The same refusal with what to do about it, in Spanish.

    >>> from models.folio import parse_folio
    >>> try:
    ...     parse_folio("2600012348")
    ... except InvalidFolio as error:
    ...     print(explain_invalid_folio(error).message)  # doctest: +ELLIPSIS
    El folio no es válido: algún dígito está equivocado. El último dígito sirve para comprobar ...
    """
    hint = FOLIO_HINTS.get(error.reason)
    message = f"{error.message} {hint}" if hint else error.message
    return InvalidFolio(message, reason=error.reason)


def deadline_outcome(found: ServiceRequest, state: DeadlineState | str) -> DeadlineOutcome:
    """Whether ``found`` met its due date: an answer (or a rejection) by then, or not yet due.

    ``state`` is the calendar's reading of the deadline; a rejection counts as the response."""
    responded_at = found.answered_at or (
        found.closed_at if found.status == Status.REJECTED else None
    )
    if responded_at is not None and found.due_at is not None:
        return DeadlineOutcome.LATE if responded_at > found.due_at else DeadlineOutcome.ON_TIME
    return DeadlineOutcome.LATE if state == DeadlineState.OVERDUE else DeadlineOutcome.PENDING


def public_history(entries: Iterable[RequestHistory]) -> list[PublicStatusChange]:
    """The status changes among ``entries``, oldest first: date and status, nothing else."""
    changes = sorted(
        (entry for entry in entries if entry.field == STATUS_FIELD and entry.to_value),
        key=lambda entry: (entry.at, entry.id or 0),
    )
    return [
        PublicStatusChange(
            at=entry.at,
            status=entry.to_value or "",
            status_label=_status_label(entry.to_value or ""),
        )
        for entry in changes
    ]


def build_public_request(
    found: ServiceRequest,
    *,
    names: PublicNames,
    history: Iterable[RequestHistory],
    deadline_state: DeadlineState | str,
    verified: bool,
) -> PublicRequest:
    """The public's view of ``found``; the answer and the rejection's reason only when
    ``verified``, or the answer when it was published."""
    outcome = deadline_outcome(found, deadline_state)
    return PublicRequest(
        folio=found.folio,
        folio_display=format_folio(found.folio),
        kind=found.kind,
        kind_label=KIND_LABELS.get(found.kind, found.kind),
        catalogue_code=found.catalogue_code,
        category_name=names.category,
        status=found.status,
        status_label=_status_label(found.status),
        alcaldia=found.alcaldia,
        colonia=found.colonia,
        authority_code=found.authority_code,
        authority_name=names.authority,
        unit_code=found.unit_code,
        unit_name=names.unit,
        received_at=found.received_at,
        due_at=found.due_at,
        deadline_state=str(deadline_state),
        deadline_outcome=outcome,
        deadline_outcome_label=DEADLINE_OUTCOME_LABELS[outcome],
        responsible_person=found.responsible_person,
        answered_at=found.answered_at,
        closed_at=found.closed_at,
        history=public_history(history),
        verified=verified,
        answer_public=found.answer_public,
        answer_text=found.answer_text if verified or found.answer_public else None,
        rejection_reason=found.rejection_reason if verified else None,
    )


@dataclass(frozen=True)
class NameDirectory:
    """The names of every category, authority and unit, by code (reference data: read once
    and kept, not once per look-up)."""

    categories: dict[str, str]
    authorities: dict[str, str]
    units: dict[tuple[str, str], str]

    def names(self, found: ServiceRequest) -> PublicNames:
        """The names of ``found``'s category, authority and unit (the code when unknown)."""
        authority = found.authority_code or ""
        return PublicNames(
            category=self.categories.get(found.catalogue_code, found.catalogue_code),
            authority=self.authorities.get(authority),
            unit=self.units.get((authority, found.unit_code or "")),
        )


def load_name_directory(session: Session) -> NameDirectory:
    """Every category's, authority's and unit's name."""
    return NameDirectory(
        categories=dict(session.exec(select(CatalogueEntry.code, CatalogueEntry.name)).all()),
        authorities=dict(session.exec(select(Authority.code, Authority.name)).all()),
        units={
            (authority, code): name
            for authority, code, name in session.exec(
                select(
                    AdministrativeUnit.authority_code,
                    AdministrativeUnit.code,
                    AdministrativeUnit.name,
                )
            )
        },
    )


def _status_label(status: str) -> str:
    try:
        return STATUS_LABELS[Status(status)]
    except ValueError:
        return status
