"""Likely duplicates: the same category, open, near by distance or at the same colonia and
street within the last days; attaching another reporter; a capture form sent twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from models.capture_forms import (
    SentBefore,
    claim_form,
    complete_form,
    new_form_id,
    release_form,
    valid_form_id,
)
from models.db import session_scope
from models.db_types import utcnow
from models.duplicates import Place, distance_meters, find_duplicates, street_key
from models.request_service import RequestService
from models.request_supporters import (
    SUPPORTER_NOTE,
    RequestNotOpen,
    attach_supporter,
    supporters_of,
)
from models.requests import Channel, CitizenFields, RequestCreate, RequestHistory, ServiceRequest

ZOCALO = (19.432608, -99.133209)
PLACE = Place(
    alcaldia="Cuauhtémoc",
    colonia="Centro",
    street="Calle Madero",
    latitude=ZOCALO[0],
    longitude=ZOCALO[1],
)


async def _register(service: RequestService, code: str = "VIA-001", **place: object) -> str:
    data = RequestCreate(catalogue_code=code, channel=Channel.AGENT, **place)  # type: ignore[arg-type]
    return (await service.register(data, actor="agent:ana")).folio


def _find(engine: Engine, place: Place, code: str = "VIA-001", days: int = 7) -> list[str]:
    with session_scope(engine, readonly=True) as session:
        found = find_duplicates(
            session, catalogue_code=code, place=place, now=utcnow(), days=days, meters=150
        )
    return [d.folio for d in found]


def _age(engine: Engine, folio: str, days: int) -> None:
    with session_scope(engine) as session:
        request = session.exec(select(ServiceRequest).where(ServiceRequest.folio == folio)).one()
        request.received_at = utcnow() - timedelta(days=days)


def test_street_names_compare_without_accents_case_or_type() -> None:
    assert street_key("Av. Tláhuac") == street_key("AVENIDA  tlahuac") == "tlahuac"
    assert street_key("Cerrada de Tláhuac") != street_key("Tláhuac")
    assert 110 < distance_meters(*ZOCALO, ZOCALO[0] + 0.001, ZOCALO[1]) < 112


async def test_a_request_within_the_distance_is_a_likely_duplicate(
    service: RequestService, engine: Engine
) -> None:
    near = await _register(service, latitude=ZOCALO[0] + 0.001, longitude=ZOCALO[1])
    await _register(service, latitude=ZOCALO[0] + 0.01, longitude=ZOCALO[1])  # 1.1 km away
    await _register(service, code="AGU-001", latitude=ZOCALO[0], longitude=ZOCALO[1])
    assert _find(engine, Place(latitude=ZOCALO[0], longitude=ZOCALO[1])) == [near]
    _age(engine, near, 30)  # still open, still there: distance knows no day limit
    assert _find(engine, Place(latitude=ZOCALO[0], longitude=ZOCALO[1])) == [near]


async def test_same_colonia_and_street_within_the_days(
    service: RequestService, engine: Engine
) -> None:
    same = await _register(service, alcaldia="Cuauhtémoc", colonia="Centro", street="madero")
    old = await _register(service, alcaldia="Cuauhtémoc", colonia="Centro", street="Madero")
    await _register(service, alcaldia="Cuauhtémoc", colonia="Centro", street="Bolívar")
    await _register(service, alcaldia="Cuauhtémoc", colonia="Roma Norte", street="Madero")
    _age(engine, old, 8)
    place = Place(alcaldia="Cuauhtémoc", colonia="Centro", street="Calle  Madero")
    assert _find(engine, place) == [same]
    assert _find(engine, place, days=10) == [same, old]
    assert _find(engine, Place(alcaldia="Cuauhtémoc", colonia="Centro")) == []


async def test_closed_requests_are_not_duplicates(service: RequestService, engine: Engine) -> None:
    folio = await _register(service, alcaldia="Cuauhtémoc", colonia="Centro", street="Madero")
    assert _find(engine, PLACE) == [folio]
    await service.reject(folio, reason="Reporte repetido", actor="authority:eva")
    assert _find(engine, PLACE) == []


async def test_attaching_a_reporter_writes_them_and_a_history_line(
    service: RequestService, engine: Engine
) -> None:
    folio = await _register(service, alcaldia="Cuauhtémoc", colonia="Centro", street="Madero")
    citizen = CitizenFields(citizen_name="Eva Ruiz", citizen_phone="+525512345678")
    with session_scope(engine) as session:
        request = attach_supporter(
            session,
            folio=folio,
            citizen=citizen,
            channel=Channel.AGENT,
            call_id="CA1",
            actor="agent:ana",
            at=utcnow(),
        )
        assert request.id is not None
        request_id = request.id
    with session_scope(engine, readonly=True) as session:
        [supporter] = supporters_of(session, request_id)
        assert (supporter.citizen_name, supporter.call_id) == ("Eva Ruiz", "CA1")
    history = await service.history(folio)
    assert (history[-1].note, history[-1].to_value) == (SUPPORTER_NOTE, "1")
    await service.reject(folio, reason="Reporte repetido", actor="authority:eva")
    with pytest.raises(RequestNotOpen), session_scope(engine) as session:
        attach_supporter(
            session,
            folio=folio,
            citizen=citizen,
            channel=Channel.AGENT,
            call_id=None,
            actor="agent:ana",
            at=utcnow(),
        )
    with session_scope(engine, readonly=True) as session:
        assert len(supporters_of(session, request_id)) == 1
        lines = session.exec(select(RequestHistory).where(RequestHistory.note == SUPPORTER_NOTE))
        assert len(list(lines)) == 1


def test_a_capture_form_is_claimed_once(engine: Engine) -> None:
    form_id = new_form_id()
    assert valid_form_id(form_id) and not valid_form_id("x" * 32)
    assert claim_form(engine, form_id, username="ana") is None
    assert claim_form(engine, form_id, username="ana") == SentBefore(folio=None, attached=False)
    complete_form(engine, form_id, folio="2600000019", attached=True)
    assert claim_form(engine, form_id, username="ana") == SentBefore("2600000019", True)
    other = new_form_id()
    claim_form(engine, other, username="ana")
    release_form(engine, other)
    assert claim_form(engine, other, username="ana") is None
