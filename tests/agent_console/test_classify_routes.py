"""``POST /api/classify`` and ``GET /api/catalogue/search`` over the seeded catalogue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ivr.classifier import MAX_TEXT_LENGTH
from models.config import Settings
from suac.web import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("classify"), database_url="", redis_url="", _env_file=None
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_classify_returns_ranked_candidates_and_place(client: TestClient) -> None:
    response = client.post("/api/classify", json={"texto": "hay un vache enorme en la GAM"})
    assert response.status_code == 200
    body = response.json()
    best = body["candidates"][0]
    assert best["tema"] == "BACHEO"
    assert set(best) == {"code", "name", "tema", "confidence"}
    confidences = [c["confidence"] for c in body["candidates"]]
    assert confidences == sorted(confidences, reverse=True)
    assert 0 <= confidences[-1] <= confidences[0] <= 1
    assert body["alcaldia"] == "Gustavo A. Madero"
    assert body["place"]["source"] == "named"
    assert body["decision"] in {"confirm", "choose", "agent"}


def test_classify_reports_colonia_and_contradiction(client: TestClient) -> None:
    body = client.post(
        "/api/classify", json={"texto": "fuga de agua en la colonia Narvarte en Coyoacán"}
    ).json()
    assert body["candidates"][0]["tema"] == "FUGA DE AGUA"
    assert body["colonia"] == "Narvarte"
    assert body["alcaldia"] == "Coyoacán"
    assert body["place"]["contradiction"] is True
    assert body["place"]["colonia_alcaldias"] == ["Benito Juárez"]


def test_unrelated_text_goes_to_an_agent(client: TestClient) -> None:
    body = client.post("/api/classify", json={"texto": "asdf qwerty zxcv"}).json()
    assert body["candidates"] == []
    assert body["decision"] == "agent"


@pytest.mark.parametrize(
    ("payload", "error_id"),
    [
        ({"texto": ""}, "empty-utterance"),
        ({"texto": "   "}, "empty-utterance"),
        ({"texto": "bache " * (MAX_TEXT_LENGTH // 5)}, "utterance-too-long"),
        ({"texto": 42}, "utterance-not-text"),
        ({"texto": ["bache"]}, "utterance-not-text"),
        ({}, "utterance-not-text"),
    ],
)
def test_classify_refuses_bad_input_with_422(
    client: TestClient, payload: dict[str, object], error_id: str
) -> None:
    response = client.post("/api/classify", json=payload)
    assert response.status_code == 422
    assert response.json()["error_id"] == error_id
    assert response.json()["detail"]


def test_search_as_you_type(client: TestClient) -> None:
    response = client.get("/api/catalogue/search", params={"q": "alumbr"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results and results[0]["tema"] == "ALUMBRADO"
    assert (
        len(client.get("/api/catalogue/search", params={"q": "ba", "limit": 3}).json()["results"])
        <= 3
    )
    assert client.get("/api/catalogue/search", params={"q": ""}).json()["results"] == []


def test_search_by_code_prefix(client: TestClient) -> None:
    results = client.get("/api/catalogue/search", params={"q": "VIA-00"}).json()["results"]
    assert [r["code"] for r in results[:9]] == [f"VIA-00{n}" for n in range(1, 10)]


def test_search_refuses_huge_queries(client: TestClient) -> None:
    response = client.get("/api/catalogue/search", params={"q": "x" * 500})
    assert response.status_code == 422
