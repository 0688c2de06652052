"""Looking up a folio: the whole record and its history; personal data only for the roles
that work with the citizen (logged), and authority staff only for their own requests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from models.access_log import PersonalDataView
from models.config import Settings
from models.db import session_scope
from models.folio import format_folio
from models.requests import Channel, RequestCreate
from models.users import Role
from suac.web import create_app
from tests.agent_console.console_support import add_staff, sign_in

CITIZEN = "Eva Ruiz"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        engine = test_client.app.state.container.engine  # type: ignore[attr-defined]
        add_staff(engine, "ana", Role.AGENT)
        add_staff(engine, "rita", Role.ADMIN)
        add_staff(engine, "eva", Role.AUTHORITY, authority_code="ALC-CUH")
        add_staff(engine, "saul", Role.AUTHORITY, authority_code="SACMEX")
        yield test_client


@pytest.fixture
def folio(client: TestClient) -> str:
    container = client.app.state.container  # type: ignore[attr-defined]
    data = RequestCreate(
        catalogue_code="VIA-001",
        channel=Channel.AGENT,
        alcaldia="Cuauhtémoc",
        colonia="Roma Norte",
        street="Orizaba 10",
        description="Bache enorme",
        citizen_name=CITIZEN,
        citizen_phone="+525512345678",
    )
    registered = client.portal.call(  # type: ignore[union-attr]
        lambda: container.requests.register(data, actor="agent:ana")
    )
    return str(registered.folio)


def views(client: TestClient) -> list[tuple[str, str | None]]:
    engine = client.app.state.container.engine  # type: ignore[attr-defined]
    with session_scope(engine, readonly=True) as session:
        return [(v.username, v.folio) for v in session.exec(select(PersonalDataView))]


@pytest.mark.parametrize("who", ["ana", "eva"])
def test_those_who_work_with_the_citizen_see_the_record_and_the_view_is_logged(
    client: TestClient, folio: str, who: str
) -> None:
    sign_in(client, who)
    page = client.get("/consola/folio", params={"folio": format_folio(folio)})
    assert page.status_code == 200
    assert CITIZEN in page.text and "Orizaba 10" in page.text and "+525512345678" in page.text
    assert "Turnada automáticamente según el catálogo." in page.text  # the history
    assert views(client) == [(who, folio)]


def test_an_administrator_sees_the_record_without_personal_data(
    client: TestClient, folio: str
) -> None:
    sign_in(client, "rita")
    page = client.get("/consola/folio", params={"folio": folio}).text
    assert format_folio(folio) in page and "Historial" in page
    assert CITIZEN not in page and "Orizaba 10" not in page and "Bache enorme" not in page
    assert views(client) == []


def test_another_authoritys_request_is_as_if_it_did_not_exist(
    client: TestClient, folio: str
) -> None:
    sign_in(client, "saul")
    page = client.get("/consola/folio", params={"folio": folio})
    assert page.status_code == 404
    assert "en su dependencia" in page.text and CITIZEN not in page.text
    assert views(client) == []


@pytest.mark.parametrize(
    ("typed", "status", "message"),
    [
        ("26-0000001-7", 422, "algún dígito está equivocado"),
        ("26 123", 422, "tiene 10 dígitos"),
        ("folio abc", 422, "solo lleva números"),
        ("26-0000002-5", 404, "No existe ninguna solicitud"),
    ],
)
def test_a_bad_folio_gets_its_message_next_to_the_field(
    client: TestClient, folio: str, typed: str, status: int, message: str
) -> None:
    sign_in(client, "ana")
    page = client.get("/consola/folio", params={"folio": typed})
    assert page.status_code == status
    assert 'aria-invalid="true" aria-describedby="folio-error"' in page.text
    assert message in page.text and f'value="{typed}"' in page.text


def test_the_empty_form(client: TestClient) -> None:
    sign_in(client, "eva")
    page = client.get("/consola/folio")
    assert page.status_code == 200 and 'id="folio"' in page.text and "aria-invalid" not in page.text
