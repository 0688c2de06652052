"""The public folio lookup (API and page) shows status, authority, unit, responsible official and
dates, never personal data; the answer only to whoever proves to be the citizen (the last four
digits of their phone), with the proofs limited per folio and per client."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from models.config import Settings
from models.requests import Channel, RequestCreate
from suac.web import create_app
from tests.agent_console.console_support import post_form

ANSWER = "Se cambió la luminaria; la señora Rosa Martínez ya tiene luz en Calle Secreta 12."
SECRETS = ("Rosa", "5511112222", "rosa@example", "Calle Secreta", "mi casa", "luminaria;")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path,
        _env_file=None,
        console={
            "folio_proof_attempts_per_folio": "3/hour",
            "folio_proof_attempts_per_client": "5/hour",
        },
    )
    with TestClient(create_app(settings, roles={"web"})) as test_client:
        yield test_client


def register(client: TestClient, phone: str | None = "+525511112222") -> str:
    container = client.app.state.container
    request = client.portal.call(
        partial(container.requests.register, actor="web"),
        RequestCreate(
            catalogue_code="ALU-001",
            channel=Channel.WEB,
            alcaldia="Tlalpan",
            citizen_name="Rosa Martínez",
            citizen_phone=phone,
            citizen_email="rosa@example.mx",
            street="Calle Secreta 12",
            description="La lámpara frente a mi casa",
        ),
    )
    return request.folio


def answer(client: TestClient, folio: str) -> None:
    service = client.app.state.container.requests
    request = client.portal.call(service.get, folio)
    client.portal.call(
        partial(
            service.answer,
            folio,
            text=ANSWER,
            responsible_person="Ing. Luis Soto",
            unit_code=request.unit_code,
            actor="authority:tlalpan",
        )
    )


def test_public_lookup_hides_personal_data_and_the_answer(client: TestClient) -> None:
    folio = register(client)
    response = client.get(f"/api/public/folios/{folio[:2]}-{folio[2:]}")
    assert response.status_code == 200
    for secret in SECRETS:
        assert secret not in response.text
    data = response.json()
    assert data["status"] == "assigned" and data["status_label"] == "turnada"
    assert data["deadline_state"] in {"on_time", "due_soon"}
    assert data["category_name"] == "Luminaria apagada"
    assert data["authority_code"] == "ALC-TLP" and "Tlalpan" in data["authority_name"]
    assert data["unit_name"] and data["verified"] is False

    answer(client, folio)
    public = client.get(f"/api/public/folios/{folio}").json()
    assert public["status"] == "answered" and public["responsible_person"] == "Ing. Luis Soto"
    assert public["answer_text"] is None and public["answered_at"]
    assert "Rosa" not in client.get(f"/api/public/folios/{folio}").text

    bad = client.get("/api/public/folios/2600012348")
    assert bad.status_code == 422 and bad.json()["error_id"] == "invalid-folio"
    missing = client.get("/api/public/folios/2600012349")
    assert missing.status_code == 404 and missing.json()["error_id"] == "folio-not-found"


def test_the_citizen_reads_the_answer_with_the_last_four_digits(client: TestClient) -> None:
    folio = register(client)
    answer(client, folio)
    proven = client.get(f"/api/public/folios/{folio}", params={"telefono": "2222"})
    assert proven.status_code == 200
    assert proven.json()["verified"] is True and proven.json()["answer_text"] == ANSWER
    wrong = client.get(f"/api/public/folios/{folio}", params={"telefono": "2223"})
    assert wrong.status_code == 403 and wrong.json()["error_id"] == "phone-mismatch"
    assert "Rosa" not in wrong.text
    for malformed in ("222", "22a2", "２２２２", "12345"):
        response = client.get(f"/api/public/folios/{folio}", params={"telefono": malformed})
        assert response.status_code == 422, malformed
        assert response.json()["error_id"] == "invalid-phone-digits"


def test_a_request_without_phone_proves_nothing(client: TestClient) -> None:
    folio = register(client, phone=None)
    answer(client, folio)
    response = client.get(f"/api/public/folios/{folio}", params={"telefono": "0000"})
    assert response.status_code == 403 and "answer_text" not in response.text


def test_a_rejection_reason_is_the_citizens_too(client: TestClient) -> None:
    folio = register(client)
    service = client.app.state.container.requests
    reason = "El poste es de la vecina Rosa, en Calle Secreta 12."
    client.portal.call(partial(service.reject, folio, reason=reason, actor="authority:tlalpan"))
    assert client.get(f"/api/public/folios/{folio}").json()["rejection_reason"] is None
    proven = client.get(f"/api/public/folios/{folio}", params={"telefono": "2222"}).json()
    assert proven["rejection_reason"] == reason


def test_proofs_are_limited_per_folio_and_per_client(client: TestClient) -> None:
    folio, other = register(client), register(client)
    answer(client, folio)
    url = f"/api/public/folios/{folio}"
    assert [client.get(url, params={"telefono": f"000{n}"}).status_code for n in range(3)] == [
        403
    ] * 3
    refused = client.get(url, params={"telefono": "2222"})
    assert refused.status_code == 429 and refused.json()["error_id"] == "too-many-attempts"
    assert "este folio" in refused.json()["detail"]
    assert client.get(url).status_code == 200  # the public status stays readable
    statuses = [
        client.get(f"/api/public/folios/{other}", params={"telefono": "2222"}).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 429, 429]  # four on the first folio, one here: five per client
    assert "Espere una hora" in client.get(url, params={"telefono": "2222"}).json()["detail"]


def test_the_public_page(client: TestClient) -> None:
    folio = register(client)
    answer(client, folio)
    blank = client.get("/folio")
    assert blank.status_code == 200 and 'name="telefono"' in blank.text
    page = client.get("/folio", params={"folio": folio})
    assert page.status_code == 200
    assert "Atendida" in page.text and "Ing. Luis Soto" in page.text and ANSWER not in page.text
    assert "últimos cuatro dígitos" in page.text
    for secret in SECRETS:
        assert secret not in page.text
    proven = post_form(client, "/folio", {"folio": folio, "telefono": "2222"})
    assert proven.status_code == 200 and ANSWER in proven.text
    wrong = post_form(client, "/folio", {"folio": folio, "telefono": "1234"})
    assert wrong.status_code == 403 and ANSWER not in wrong.text
    assert 'id="error-telefono">Esos dígitos no coinciden' in wrong.text
    assert 'aria-invalid="true" aria-describedby="error-telefono"' in wrong.text
    assert "Ing. Luis Soto" in wrong.text  # the public part is still shown
    empty = post_form(client, "/folio", {"folio": " "})
    assert empty.status_code == 422 and 'id="error-folio">Escriba el folio.' in empty.text
    invalid = client.get("/folio", params={"folio": "2600012348"})
    assert invalid.status_code == 422 and "algún dígito está equivocado" in invalid.text
