"""The public folio lookup (API and page): status, kind, category, alcaldía and colonia,
authority, unit, responsible official, due date and whether it was met, the dated status
changes; never personal data; the answer only to whoever proves to be the citizen (the last four
digits of their phone). Look-ups are limited per client (an unknown folio costs more), proofs
per folio and per client, and ``X-Forwarded-For`` counts only from a trusted proxy."""

from __future__ import annotations

import doctest
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

import agent_console.public_routes
from agent_console.public_routes import FolioLookupLimiter, TooManyLookups
from models.config import PublicSettings, Settings
from models.db import session_scope
from models.folio import make_folio
from models.requests import Channel, RequestCreate, ServiceRequest
from suac.web import create_app
from tests.agent_console.console_support import post_form
from tests.agent_console.privacy_support import ROSA_SECRETS

ANSWER = "Se cambió la luminaria; la señora Rosa Martínez ya tiene luz en Calle Secreta 12."
NOTE = "Llamé a Rosa al 5511112222 para confirmar"
SECRETS = (
    *ROSA_SECRETS,
    "12-B",
    "portón verde",
    "mi casa",
    "luminaria;",
    "authority:tlalpan",
    "confirmar",
)
UNKNOWN = make_folio(2026, 9_999_999)  # a well-formed folio nobody carries

Factory = Callable[..., TestClient]


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Factory]:
    """Start the app with these public settings (once per test)."""
    with ExitStack() as stack:

        def make(**public: Any) -> TestClient:
            settings = Settings(
                data_dir=tmp_path,
                _env_file=None,
                console={
                    "folio_proof_attempts_per_folio": "3/hour",
                    "folio_proof_attempts_per_client": "5/hour",
                },
                public=public,
            )
            return stack.enter_context(TestClient(create_app(settings, roles={"web"})))

        yield make


@pytest.fixture
def client(make_client: Factory) -> TestClient:
    return make_client()


def register(client: TestClient, phone: str | None = "+525511112222") -> str:
    container = client.app.state.container
    request = client.portal.call(
        partial(container.requests.register, actor="web"),
        RequestCreate(
            catalogue_code="ALU-001",
            channel=Channel.WEB,
            alcaldia="Tlalpan",
            colonia="Toriello Guerra",
            citizen_name="Rosa Martínez",
            citizen_phone=phone,
            citizen_email="rosa@example.mx",
            street="Calle Secreta 12-B",
            reference="Frente al portón verde",
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


def move_due_date(client: TestClient, folio: str, days: int) -> None:
    """Put the request's due date ``days`` from its reception (negative: already past)."""
    with session_scope(client.app.state.container.engine) as session:
        found = session.exec(select(ServiceRequest).where(col(ServiceRequest.folio) == folio)).one()
        found.due_at = found.received_at + timedelta(days=days)
        session.add(found)


def test_public_lookup_hides_personal_data_and_the_answer(client: TestClient) -> None:
    folio = register(client)
    response = client.get(f"/api/public/folios/{folio[:2]}-{folio[2:]}")
    assert response.status_code == 200
    for secret in SECRETS:
        assert secret not in response.text
    data = response.json()
    assert data["status"] == "assigned" and data["status_label"] == "turnada"
    assert data["kind"] == "servicio" and data["kind_label"] == "Servicio"
    assert data["alcaldia"] == "Tlalpan" and data["colonia"] == "Toriello Guerra"
    assert data["deadline_state"] in {"on_time", "due_soon"}
    assert data["deadline_outcome"] == "pending"
    assert data["category_name"] == "Luminaria apagada"
    assert data["authority_code"] == "ALC-TLP" and "Tlalpan" in data["authority_name"]
    assert data["unit_name"] and data["verified"] is False

    answer(client, folio)
    public = client.get(f"/api/public/folios/{folio}").json()
    assert public["status"] == "answered" and public["responsible_person"] == "Ing. Luis Soto"
    assert public["answer_text"] is None and public["answered_at"]
    assert public["deadline_outcome"] == "on_time"
    assert "Rosa" not in client.get(f"/api/public/folios/{folio}").text

    bad = client.get("/api/public/folios/2600012348")
    assert bad.status_code == 422 and bad.json()["error_id"] == "invalid-folio"
    missing = client.get("/api/public/folios/2600012349")
    assert missing.status_code == 404 and missing.json()["error_id"] == "folio-not-found"


def test_the_history_is_dated_status_changes_only(client: TestClient) -> None:
    folio = register(client)
    service = client.app.state.container.requests
    client.portal.call(partial(service.start_progress, folio, actor="authority:tlalpan", note=NOTE))
    answer(client, folio)
    data = client.get(f"/api/public/folios/{folio}").json()
    history = data["history"]
    assert [step["status"] for step in history] == [
        "received",
        "assigned",
        "in_progress",
        "answered",
    ]
    assert [step["status_label"] for step in history] == [
        "recibida",
        "turnada",
        "en proceso",
        "atendida",
    ]
    assert all(set(step) == {"at", "status", "status_label"} for step in history)
    assert [step["at"] for step in history] == sorted(step["at"] for step in history)
    assert history[-1]["at"][:16] == data["answered_at"][:16]  # the same minute
    page = client.get("/folio", params={"folio": folio})
    assert "Historial de estados" in page.text and "En proceso" in page.text
    assert "Turnada automáticamente" not in page.text  # notes stay inside
    for secret in SECRETS:
        assert secret not in page.text and secret not in str(data)


def test_due_date_met_late_or_pending(client: TestClient) -> None:
    late, overdue, pending = register(client), register(client), register(client)
    for folio in (late, overdue):
        move_due_date(client, folio, days=-1)
    answer(client, late)
    outcomes = {
        folio: client.get(f"/api/public/folios/{folio}").json()["deadline_outcome"]
        for folio in (late, overdue, pending)
    }
    assert outcomes == {late: "late", overdue: "late", pending: "pending"}
    page = client.get("/folio", params={"folio": late})
    assert 'class="state late"' in page.text and "No cumplido" in page.text
    assert "Pendiente" in client.get("/folio", params={"folio": pending}).text


@pytest.mark.parametrize(
    ("typed", "status", "explained"),
    [
        ("26-12", 422, "El folio tiene 10 dígitos y se recibieron 4. Revise que copió"),
        ("26-000A234-9", 422, "El folio solo lleva números."),
        ("1" * 30, 422, "El folio tiene 10 dígitos y se recibieron 30."),
        ("2600012348", 422, "algún dígito está equivocado. El último dígito sirve para comprobar"),
        (UNKNOWN, 404, "No existe ninguna solicitud con el folio"),
    ],
)
def test_a_wrong_folio_is_explained_in_spanish(
    client: TestClient, typed: str, status: int, explained: str
) -> None:
    api = client.get(f"/api/public/folios/{typed}")
    assert api.status_code == status and explained in api.json()["detail"]
    page = client.get("/folio", params={"folio": typed})
    assert page.status_code == status and explained in page.text
    assert 'aria-invalid="true"' in page.text and page.headers["cache-control"] == "no-store"


def test_the_citizen_reads_the_answer_with_the_last_four_digits(client: TestClient) -> None:
    folio = register(client)
    answer(client, folio)
    proven = client.get(f"/api/public/folios/{folio}", params={"telefono": "2222"})
    assert proven.status_code == 200 and proven.headers["cache-control"] == "no-store"
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
    public = client.get(f"/api/public/folios/{folio}").json()
    assert public["rejection_reason"] is None and public["deadline_outcome"] == "on_time"
    assert "Rosa" not in str(public)
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


def test_known_folios_are_limited_per_client(make_client: Factory) -> None:
    client = make_client(folio_lookups_per_client="10/minute", unknown_folio_cost=4)
    folio = register(client)
    known = [client.get(f"/api/public/folios/{folio}").status_code for _ in range(11)]
    assert known == [200] * 10 + [429]  # ten known folios a minute


def test_unknown_folios_cost_more(make_client: Factory) -> None:
    client = make_client(folio_lookups_per_client="10/minute", unknown_folio_cost=4)
    folio = register(client)
    unknown = [client.get(f"/api/public/folios/{UNKNOWN}").status_code for _ in range(4)]
    assert unknown == [404, 404, 404, 429]  # 4 + 4 + 2 (what was left): three unknown ones
    refused = client.get(f"/api/public/folios/{folio}")  # nothing more, known or not
    assert refused.status_code == 429 and refused.json()["error_id"] == "too-many-lookups"
    assert refused.json()["detail"].startswith("Se alcanzó el límite de consultas")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    page = client.get("/folio", params={"folio": folio})
    assert page.status_code == 429 and "Espere un minuto" in page.text
    assert page.headers["retry-after"] and page.headers["cache-control"] == "no-store"
    assert client.get("/folio").status_code == 200  # the blank page is no look-up


def test_x_forwarded_for_does_not_dodge_the_limit(make_client: Factory) -> None:
    client = make_client(folio_lookups_per_client="3/minute")
    folio = register(client)
    statuses = [
        client.get(
            f"/api/public/folios/{folio}", headers={"X-Forwarded-For": f"203.0.113.{n}"}
        ).status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


def test_a_trusted_proxy_names_each_client(make_client: Factory) -> None:
    client = make_client(folio_lookups_per_client="3/minute", trusted_proxies=["testclient"])
    folio = register(client)

    def lookup(address: str) -> int:
        url = f"/api/public/folios/{folio}"
        return client.get(url, headers={"X-Forwarded-For": address}).status_code

    assert [lookup("203.0.113.7") for _ in range(4)] == [200, 200, 200, 429]
    assert lookup("203.0.113.8") == 200  # another citizen behind the same proxy


def test_the_public_page(client: TestClient) -> None:
    folio = register(client)
    answer(client, folio)
    blank = client.get("/folio")
    assert blank.status_code == 200 and 'method="get" action="/folio"' in blank.text
    assert blank.headers["cache-control"].startswith("public, max-age=")
    assert 'aria-current="page">Consultar folio' in blank.text  # the public layout
    page = client.get("/folio", params={"folio": folio})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "Atendida" in page.text and "Ing. Luis Soto" in page.text and ANSWER not in page.text
    assert "Toriello Guerra" in page.text and "Servicio" in page.text
    assert "Cumplido" in page.text and "últimos cuatro dígitos" in page.text
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


def test_the_api_is_kept_only_by_the_browser(client: TestClient) -> None:
    folio = register(client)
    response = client.get(f"/api/public/folios/{folio}")
    assert response.headers["cache-control"].startswith("private, max-age=")


@pytest.mark.redis
async def test_lookups_are_counted_across_processes_through_redis(redis_url: str) -> None:
    settings = PublicSettings(folio_lookups_per_client="10/minute", unknown_folio_cost=4)
    client = f"203.0.113.{uuid.uuid4().hex}"  # Redis keeps a minute of counts: this run's only
    web_1 = FolioLookupLimiter(settings, redis_url=redis_url)
    web_2 = FolioLookupLimiter(settings, redis_url=redis_url)
    for limiter in (web_1, web_2):
        await limiter.admit(client)
        await limiter.charge_unknown(client)
    await web_1.admit(client)  # 9 of 10
    await web_2.admit(client)
    with pytest.raises(TooManyLookups) as refused:
        await web_1.admit(client)
    assert 1 <= refused.value.retry_after <= 60
    await web_2.admit(f"{client}-other")


def test_the_doctests() -> None:
    assert doctest.testmod(agent_console.public_routes).failed == 0


def test_a_lookup_is_kept_for_the_period_until_the_request_changes(client: TestClient) -> None:
    folio = register(client)
    first = client.get(f"/api/public/folios/{folio}").json()
    assert first["status"] == "assigned" and first["colonia"] == "Toriello Guerra"
    with session_scope(client.app.state.container.engine) as session:  # no event: still kept
        found = session.exec(select(ServiceRequest).where(col(ServiceRequest.folio) == folio)).one()
        found.colonia = "Tlalpan Centro"
        session.add(found)
    assert client.get(f"/folio?folio={folio}").text.count("Toriello Guerra") >= 1
    answer(client, folio)  # the status change on the bus drops the kept view
    after = client.get(f"/api/public/folios/{folio}").json()
    assert after["status"] == "answered" and after["colonia"] == "Tlalpan Centro"
    proven = client.get(f"/api/public/folios/{folio}", params={"telefono": "2222"}).json()
    assert proven["verified"] and proven["answer_text"] == ANSWER  # the proof reads afresh
