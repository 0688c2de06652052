"""The authorities' performance over HTTP: the report for a period, its CSV with the same
figures, the overdue list behind a figure (no personal data), bad periods explained next to
their fields (422), and who may see it."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import col

from models.config import Settings
from models.db import session_scope
from models.db_types import utcnow
from models.folio import format_folio
from models.requests import Channel, RequestCreate, ServiceRequest
from models.users import Role
from suac.web import create_app
from tests.agent_console.console_support import add_staff, sign_in

PAGE = "/supervision/autoridades"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path, _env_file=None)
    with TestClient(create_app(settings, roles={"web"})) as test_client:
        engine = test_client.app.state.container.engine
        add_staff(engine, "sara", Role.SUPERVISOR)
        add_staff(engine, "admin", Role.ADMIN)
        add_staff(engine, "ana", Role.AGENT, phone="PJSIP/1001")
        add_staff(engine, "luz", Role.AUTHORITY, authority_code="SACMEX")
        yield test_client


def register(client: TestClient, code: str) -> str:
    service = client.app.state.container.requests
    request = client.portal.call(
        partial(service.register, actor="agente:ana"),
        RequestCreate(
            catalogue_code=code,
            channel=Channel.AGENT,
            alcaldia="Tlalpan",
            citizen_name="Rosa Martínez",
            street="Calle Secreta 12",
        ),
    )
    return str(request.folio)


@pytest.fixture
def requests(client: TestClient) -> dict[str, str]:
    """Three SACMEX requests of today: one answered, one rejected, one overdue (its deadline
    moved into the past)."""
    service = client.app.state.container.requests
    folios = {name: register(client, "AGU-001") for name in ("answered", "rejected", "late")}
    client.portal.call(
        partial(
            service.answer,
            text="Listo.",
            responsible_person="Ing. Ruiz",
            unit_code="DGAP",
            actor="autoridad:luz",
        ),
        folios["answered"],
    )
    client.portal.call(
        partial(service.reject, reason="No procede.", actor="autoridad:luz"), folios["rejected"]
    )
    with session_scope(client.app.state.container.engine) as session:
        session.execute(
            update(ServiceRequest)
            .where(col(ServiceRequest.folio) == folios["late"])
            .values(due_at=utcnow() - timedelta(hours=1))
        )
    return folios


def row_cells(html: str, label: str) -> list[str]:
    """The figures of the first row headed ``label``."""
    match = re.search(rf"<th scope=\"row\">{re.escape(label)}</th>(.*?)</tr>", html, re.S)
    assert match, f"no row {label}"
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)
    ]


def test_supervisor_sees_this_months_figures(client: TestClient, requests: dict[str, str]) -> None:
    sign_in(client, "sara")
    page = client.get(PAGE)
    assert page.status_code == 200
    # received, answered, on time, % on time, overdue, median days, rejected, re-assigned
    expected = ["3", "1", "1", "33.3 %", "1", "0", "1", "0"]
    assert row_cells(page.text, "Sistema de Aguas de la Ciudad de México") == expected
    assert row_cells(page.text, "Tlalpan") == expected
    assert "Rosa Martínez" not in page.text and "Calle Secreta" not in page.text


def test_csv_has_the_same_figures(client: TestClient, requests: dict[str, str]) -> None:
    sign_in(client, "admin")
    today = utcnow().astimezone(client.app.state.container.calendar.zone).date()
    answer = client.get(
        f"{PAGE}.csv", params={"desde": today.isoformat(), "hasta": today.isoformat()}
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert f"desempeno-autoridades-{today}_{today}.csv" in answer.headers["content-disposition"]
    lines = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    sacmex = next(line for line in lines if line["tabla"] == "dependencia")
    assert (sacmex["codigo"], sacmex["recibidas"], sacmex["respondidas"]) == ("SACMEX", "3", "1")
    assert (sacmex["en_plazo"], sacmex["porcentaje_en_plazo"], sacmex["vencidas_hoy"]) == (
        "1",
        "33.3",
        "1",
    )
    assert (sacmex["mediana_dias_habiles"], sacmex["rechazadas"], sacmex["reasignadas_a_otra"]) == (
        "0",
        "1",
        "0",
    )
    unit = next(line for line in lines if line["tabla"] == "unidad")
    assert (unit["codigo"], unit["dependencia"], unit["recibidas"]) == ("DGAP", "SACMEX", "3")
    assert {line["tabla"] for line in lines} == {"dependencia", "unidad", "alcaldia", "categoria"}


def test_overdue_list_behind_the_figure(client: TestClient, requests: dict[str, str]) -> None:
    sign_in(client, "sara")
    page = client.get(PAGE)
    link = re.search(
        r'href="(/supervision/autoridades/vencidas\?[^"]*unidad=DGAP[^"]*)"', page.text
    )
    assert link
    listed = client.get(link.group(1).replace("&amp;", "&"))
    assert listed.status_code == 200
    assert format_folio(requests["late"]) in listed.text
    assert format_folio(requests["answered"]) not in listed.text
    assert "1 solicitud abierta con el plazo cumplido" in listed.text
    assert "Rosa Martínez" not in listed.text and "Calle Secreta" not in listed.text
    other = client.get(f"{PAGE}/vencidas", params={"dependencia": "SOBSE"})
    assert format_folio(requests["late"]) not in other.text


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"desde": "2026-13-01", "hasta": "2026-10-31"}, "desde", "La fecha inicial no es válida"),
        ({"desde": "2026-10-01", "hasta": ""}, "hasta", "Escriba la fecha final."),
        ({"desde": "2026-10-31", "hasta": "2026-10-01"}, "hasta", "La fecha final es anterior"),
        ({"desde": "2024-01-01", "hasta": "2026-10-01"}, "hasta", "no puede pasar de 366 días"),
    ],
)
@pytest.mark.parametrize("path", [PAGE, f"{PAGE}.csv", f"{PAGE}/vencidas"])
def test_bad_periods_are_explained(
    client: TestClient, path: str, params: dict[str, str], field: str, message: str
) -> None:
    sign_in(client, "sara")
    page = client.get(path, params=params)
    assert page.status_code == 422
    assert message in page.text
    assert f'aria-invalid="true" aria-describedby="error-{field}"' in page.text
    assert f'id="error-{field}"' in page.text
    assert "<table" not in page.text


@pytest.mark.parametrize("who", ["ana", "luz"])
def test_agents_and_authorities_may_not(client: TestClient, who: str) -> None:
    sign_in(client, who)
    for path in (PAGE, f"{PAGE}.csv", f"{PAGE}/vencidas"):
        assert client.get(path).status_code == 403
