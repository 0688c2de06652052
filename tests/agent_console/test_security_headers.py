"""Every HTTP response carries the security headers: pages, JSON, static files, 404, 413, a
refused form and a 500 from an unhandled error alike; the Permissions-Policy lets /reportar's
"Usar mi ubicación" ask this site (only) for the position."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from models.config import Settings
from suac.web import create_app

EXPECTED = {
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "permissions-policy",
}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    application = create_app(Settings(data_dir=tmp_path, _env_file=None), roles={"web"})

    @application.get("/prueba/falla")
    async def fails() -> None:
        raise RuntimeError("a fault nobody handled")

    with TestClient(application, raise_server_exceptions=False) as test_client:
        yield test_client


def secured(response: Response) -> None:
    missing = EXPECTED - set(response.headers)
    assert not missing, (response.status_code, missing)
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/healthz", 200),
        ("GET", "/reportar", 200),
        ("GET", "/static/board.css", 200),
        ("GET", "/no-existe", 404),
        ("GET", "/api/public/folios/123", 422),
        ("POST", "/entrar", 403),  # no CSRF token
        ("GET", "/prueba/falla", 500),
    ],
)
def test_every_response_is_secured(client: TestClient, method: str, path: str, status: int) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    secured(response)


def test_a_body_too_large_is_secured(client: TestClient) -> None:
    response = client.post("/reportar", content=b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413
    secured(response)


def test_the_citizens_own_position_may_be_asked(client: TestClient) -> None:
    policy = client.get("/reportar").headers["permissions-policy"]
    assert "geolocation=(self)" in policy and "camera=()" in policy
    assert "microphone=()" in policy


def test_pages_are_not_cached_but_static_files_may_be(client: TestClient) -> None:
    assert client.get("/prueba/falla").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/board.css").headers.get("cache-control", "")
