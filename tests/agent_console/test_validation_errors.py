"""Requests FastAPI refuses before a route runs are answered in Spanish."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from models.config import Settings
from suac.web import create_app


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_an_invalid_parameter_names_the_field_and_says_why_in_spanish(client: TestClient) -> None:
    response = client.get("/api/public/folios/20260000001", params={"telefono": "1" * 30})
    assert response.status_code == 422
    [field] = response.json()["detail"]
    assert field["loc"] == ["query", "telefono"] and field["msg"] == "es demasiado largo"


def test_an_unreadable_form_is_explained_in_spanish(client: TestClient) -> None:
    response = client.post(
        "/open311/v2/requests.json",
        content=b"--x\r\nContent-Disposition: form-data\r\n\r\nzz",
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "El cuerpo de la solicitud no se pudo leer (formulario o JSON mal formado)."
    }


def test_the_folio_api_documents_the_error_bodies_it_answers(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/api/public/folios/{folio}"]["get"]
    for status in ("404", "422", "429"):
        schema = operation["responses"][status]["content"]["application/json"]["schema"]
        assert "detail" in schema["properties"]
    unknown = client.get("/api/public/folios/20269999999")
    assert unknown.status_code in {404, 422} and isinstance(unknown.json()["detail"], str)
