"""The public view of a request: only status changes in the history, the due date met or not,
the answer only when verified, nothing personal, and malformed folios explained."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime, timedelta

import pytest

import models.public_view
from models.business_days import DeadlineState
from models.errors import InvalidFolio
from models.folio import parse_folio
from models.public_view import (
    DeadlineOutcome,
    PublicNames,
    build_public_request,
    deadline_outcome,
    explain_invalid_folio,
    public_history,
)
from models.requests import RequestHistory, ServiceRequest, Status

RECEIVED = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
DUE = RECEIVED + timedelta(days=7)
NAMES = PublicNames(category="Luminaria apagada", authority="Alcaldía Tlalpan", unit="Alumbrado")
PERSONAL = {
    "citizen_name": "Rosa Martínez",
    "citizen_phone": "+525511112222",
    "citizen_email": "rosa@example.mx",
    "street": "Calle Secreta 12-B",
    "reference": "Frente al portón verde",
    "description": "La lámpara frente a mi casa",
    "latitude": 19.2871,
    "longitude": -99.1662,
}


def request(**changes: object) -> ServiceRequest:
    values: dict[str, object] = {
        "id": 7,
        "folio": "2600012349",
        "kind": "servicio",
        "catalogue_code": "ALU-001",
        "channel": "web",
        "alcaldia": "Tlalpan",
        "colonia": "Toriello Guerra",
        "received_at": RECEIVED,
        "due_at": DUE,
        "status": Status.ASSIGNED,
        "authority_code": "ALC-TLP",
        "unit_code": "ALU",
        **PERSONAL,
    }
    return ServiceRequest(**{**values, **changes})


def step(hours: int, field: str, source: str | None, target: str, **extra: str) -> RequestHistory:
    return RequestHistory(
        id=hours,
        request_id=7,
        at=RECEIVED + timedelta(hours=hours),
        field=field,
        from_value=source,
        to_value=target,
        actor=extra.get("actor", "authority:tlalpan"),
        note=extra.get("note", ""),
    )


def test_the_history_keeps_only_dated_status_changes() -> None:
    entries = [
        step(3, "status", "assigned", "in_progress", note="Llamé a Rosa al 5511112222"),
        step(0, "status", None, "received", actor="agent:maria"),
        step(0, "authority", None, "ALC-TLP/ALU"),
        step(1, "status", "received", "assigned", note="Turnada automáticamente"),
        step(2, "unit", "ALU", "OBR"),
    ]
    history = public_history(entries)
    assert [(change.at.hour, change.status_label) for change in history] == [
        (15, "recibida"),
        (16, "turnada"),
        (18, "en proceso"),
    ]
    dumped = str([change.model_dump() for change in history])
    for hidden in ("Rosa", "5511112222", "agent:maria", "authority", "Turnada automáticamente"):
        assert hidden not in dumped


@pytest.mark.parametrize(
    ("changes", "state", "outcome"),
    [
        ({}, DeadlineState.ON_TIME, DeadlineOutcome.PENDING),
        ({}, DeadlineState.DUE_SOON, DeadlineOutcome.PENDING),
        ({}, DeadlineState.OVERDUE, DeadlineOutcome.LATE),
        ({"answered_at": DUE - timedelta(hours=1)}, "answered_on_time", DeadlineOutcome.ON_TIME),
        ({"answered_at": DUE + timedelta(hours=1)}, "answered_late", DeadlineOutcome.LATE),
        (
            {"status": Status.REJECTED, "closed_at": DUE - timedelta(days=1)},
            DeadlineState.OVERDUE,  # the calendar knows no answer; the rejection is the response
            DeadlineOutcome.ON_TIME,
        ),
        (
            {"status": Status.REJECTED, "closed_at": DUE + timedelta(days=1)},
            DeadlineState.OVERDUE,
            DeadlineOutcome.LATE,
        ),
    ],
)
def test_the_due_date_met_late_or_pending(
    changes: dict[str, object], state: str, outcome: DeadlineOutcome
) -> None:
    assert deadline_outcome(request(**changes), state) == outcome


def test_the_view_shows_the_public_facts_and_nothing_personal() -> None:
    answered = request(
        status=Status.ANSWERED,
        answered_at=DUE - timedelta(days=1),
        responsible_person="Ing. Luis Soto",
        answer_text="Rosa ya tiene luz en Calle Secreta 12-B",
    )
    view = build_public_request(
        answered,
        names=NAMES,
        history=[step(0, "status", None, "received")],
        deadline_state=DeadlineState.ANSWERED_ON_TIME,
        verified=False,
    )
    assert (view.kind_label, view.colonia, view.unit_name) == (
        "Servicio",
        "Toriello Guerra",
        "Alumbrado",
    )
    assert view.status_label == "atendida" and view.responsible_person == "Ing. Luis Soto"
    assert view.deadline_outcome == DeadlineOutcome.ON_TIME
    assert view.deadline_outcome_label.startswith("Cumplido")
    assert view.answer_text is None and view.folio_display == "26-0001234-9"
    dumped = view.model_dump_json()
    for value in PERSONAL.values():
        assert str(value) not in dumped
    assert "Rosa" not in dumped
    proven = build_public_request(
        answered,
        names=NAMES,
        history=[],
        deadline_state=DeadlineState.ANSWERED_ON_TIME,
        verified=True,
    )
    assert proven.verified and proven.answer_text == answered.answer_text


@pytest.mark.parametrize(
    ("typed", "reason", "hint"),
    [
        ("26-12", "length", "se recibieron 4. Revise que copió los diez dígitos"),
        ("26-000A234-9", "not-digits", "solo lleva números. Escriba solo los diez dígitos"),
        ("2600012348", "check-digit", "dos están invertidos"),
    ],
)
def test_a_malformed_folio_is_explained(typed: str, reason: str, hint: str) -> None:
    with pytest.raises(InvalidFolio) as caught:
        parse_folio(typed)
    explained = explain_invalid_folio(caught.value)
    assert explained.reason == reason and hint in explained.message
    assert explained.error_id == "invalid-folio" and explained.status_code == 422


def test_the_doctests() -> None:
    assert doctest.testmod(models.public_view).failed == 0
