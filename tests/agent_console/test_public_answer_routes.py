"""An answer the authority marks public in its inbox: refused with the reason (422, nothing
written) when it names the citizen; once published, shown to everyone on the folio page, the
public API and Open311's ``status_notes``. An answer not marked public stays the citizen's."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from models.config import Settings
from models.requests import Channel, RequestCreate
from models.users import Role
from suac.web import create_app
from tests.agent_console.console_support import add_staff, post_form, sign_in

CLEAN = "Se sustituyó la válvula de la red secundaria; el suministro quedó restablecido."


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path, _env_file=None)
    with TestClient(create_app(settings, roles={"web"})) as test_client:
        engine = test_client.app.state.container.engine
        add_staff(engine, "sacmex", Role.AUTHORITY, authority_code="SACMEX")
        sign_in(test_client, "sacmex")
        yield test_client


def register(client: TestClient) -> str:
    service = client.app.state.container.requests
    request = client.portal.call(
        partial(service.register, actor="agente:ana"),
        RequestCreate(
            catalogue_code="AGU-001",
            channel=Channel.AGENT,
            alcaldia="Tlalpan",
            citizen_name="Rosa Martínez",
            citizen_phone="+525512345678",
            citizen_email="rmz1970@example.mx",
            street="Calle Secreta 12",
        ),
    )
    return request.folio


def answer(client: TestClient, folio: str, text: str, **extra: str):  # noqa: ANN201
    data = {"texto": text, "responsable": "Ing. Ana Ruiz", "unidad": "DGAP", **extra}
    return post_form(client, f"/bandeja/{folio}/respuesta", data, follow_redirects=False)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Se atendió a la Sra. Rosa.", "menciona el nombre del ciudadano"),
        ("Sin respuesta al 55-1234-5678.", "menciona el teléfono del ciudadano"),
        ("Avisamos a RMZ1970@example.mx.", "menciona el correo electrónico del ciudadano"),
        ("Se reparó en calle secreta.", "menciona la calle del ciudadano"),
        ("Martínez, de Secreta 12", "menciona el nombre y la calle del ciudadano"),
    ],
)
def test_a_public_answer_naming_the_citizen_is_refused(
    client: TestClient, text: str, reason: str
) -> None:
    folio = register(client)
    refused = answer(client, folio, text, publica="1")
    assert refused.status_code == 422 and reason in refused.text
    assert "La respuesta no puede publicarse" in refused.text
    kept = 'name="publica" value="1" aria-describedby="publica-ayuda" checked'
    assert text in refused.text and kept in refused.text
    public = client.get(f"/api/public/folios/{folio}").json()
    assert public["status"] == "assigned" and public["answer_text"] is None


def test_a_published_answer_is_shown_to_everyone(client: TestClient) -> None:
    folio = register(client)
    assert answer(client, folio, CLEAN, publica="1").status_code == 303
    public = client.get(f"/api/public/folios/{folio}").json()
    assert public["answer_text"] == CLEAN and public["answer_public"] is True
    assert public["verified"] is False and public["rejection_reason"] is None
    page = client.get("/folio", params={"folio": folio}).text
    assert CLEAN in page and "Leer la respuesta" not in page
    notes = client.get(f"/open311/v2/requests/{folio}.json").json()[0]["status_notes"]
    assert notes.startswith("Atendida. Responsable: Ing. Ana Ruiz") and CLEAN in notes
    assert "Publicada para cualquier persona" in client.get(f"/bandeja/{folio}").text


def test_an_answer_not_marked_public_stays_the_citizens(client: TestClient) -> None:
    folio = register(client)
    assert answer(client, folio, "Se atendió a la Sra. Rosa.").status_code == 303
    public = client.get(f"/api/public/folios/{folio}").json()
    assert public["answer_text"] is None and public["answer_public"] is False
    assert "Rosa" not in client.get("/folio", params={"folio": folio}).text
    assert "Rosa" not in client.get(f"/open311/v2/requests/{folio}.json").text
