"""Production refuses to start on settings that would leave it open or broken: one Spanish line
naming the variable (an empty or example Twilio token while Twilio is in use, the default or a
plain-http public URL, a short or default secret key, the API documentation enabled without
saying it may be public); and the documentation is off in production unless it may be public."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from models.config import Settings, get_settings
from models.folio import make_folio
from suac.cli import app
from suac.roles import WEB
from suac.settings_errors import describe
from suac.web import ROLES_VARIABLE, create_app

SECRET = "k" * 32
PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "secret_key": SECRET,
    "public_base_url": "https://0311.cdmx.gob.mx",
    "twilio": {"account_sid": "AC" + "1" * 32, "auth_token": "f" * 32},
}


def production(tmp_path: Path, **changes: Any) -> Settings:
    values = {**PRODUCTION, **changes}
    return Settings(data_dir=tmp_path, _env_file=None, **values)


def refusal(tmp_path: Path, **changes: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        production(tmp_path, **changes)
    return describe(caught.value)


def test_a_sound_production_configuration_starts(tmp_path: Path) -> None:
    settings = production(tmp_path)
    assert not settings.serves_docs


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"twilio": {"account_sid": "AC" + "1" * 32}}, "SUAC_TWILIO__AUTH_TOKEN"),
        ({"twilio": {"sms_sender": "LOCATEL", "auth_token": " "}}, "SUAC_TWILIO__AUTH_TOKEN"),
        ({"twilio": {"account_sid": "AC1", "auth_token": "change-me"}}, "SUAC_TWILIO__AUTH_TOKEN"),
        ({"public_base_url": "http://127.0.0.1:8000"}, "SUAC_PUBLIC_BASE_URL"),
        ({"public_base_url": "http://0311.cdmx.gob.mx"}, "SUAC_PUBLIC_BASE_URL"),
        ({"public_base_url": "https://"}, "SUAC_PUBLIC_BASE_URL"),
        ({"secret_key": "change-me"}, "SUAC_SECRET_KEY"),
        ({"secret_key": "k" * 31}, "SUAC_SECRET_KEY"),
        ({"secret_key": "ñ" * 15}, "SUAC_SECRET_KEY"),  # 30 bytes
        ({"docs_enabled": True}, "SUAC_DOCS_PUBLIC"),
    ],
)
def test_production_refuses(tmp_path: Path, changes: dict[str, Any], named: str) -> None:
    line = refusal(tmp_path, **changes)
    assert named in line and "\n" not in line and len(line) < 200
    assert line.startswith("Configuración inválida:") and "producción" in line


def test_what_production_accepts(tmp_path: Path) -> None:
    assert production(tmp_path, twilio={}).twilio.auth_token.get_secret_value() == ""  # no Twilio
    assert production(tmp_path, secret_key="ñ" * 16)  # 32 bytes
    assert production(tmp_path, docs_enabled=True, docs_public=True).serves_docs
    assert production(tmp_path, docs_public=True).serves_docs
    development = Settings(data_dir=tmp_path, _env_file=None)  # every default is fine there
    assert development.serves_docs and not development.twilio.in_use


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SUAC_DATA_DIR", str(tmp_path))
    for name in ("SUAC_DATABASE_URL", "SUAC_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SUAC_ENVIRONMENT", "production")
    monkeypatch.setenv("SUAC_SECRET_KEY", SECRET)
    monkeypatch.setenv("SUAC_PUBLIC_BASE_URL", "https://0311.cdmx.gob.mx")
    monkeypatch.setenv("SUAC_TWILIO__ACCOUNT_SID", "AC" + "1" * 32)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("environment")
def test_suac_refuses_to_start_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUAC_TWILIO__AUTH_TOKEN", "")
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(" ".join(lines)) < 200 and "SUAC_TWILIO__AUTH_TOKEN" in " ".join(lines)


def _client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings, roles={"web"}))


def test_the_api_documentation_is_off_in_production(tmp_path: Path) -> None:
    with _client(production(tmp_path)) as client:
        for path in ("/docs", "/openapi.json", "/static/swagger/swagger-ui.css"):
            assert client.get(path).status_code == 404, path


def test_the_api_documentation_when_it_may_be_public(tmp_path: Path) -> None:
    with _client(production(tmp_path, docs_public=True)) as client:
        assert client.get("/docs").status_code == 200
        assert client.get("/openapi.json").json()["info"]["title"] == "SUAC Locatel"


def test_the_api_documentation_in_development(tmp_path: Path) -> None:
    with _client(Settings(data_dir=tmp_path, _env_file=None)) as client:
        assert client.get("/docs").status_code == 200
        assert client.get("/openapi.json").status_code == 200


def _serve_options(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The options ``suac serve`` gives uvicorn (its run is caught, not started)."""
    caught: dict[str, Any] = {}
    monkeypatch.setenv(ROLES_VARIABLE, WEB)  # set by the command: restored afterwards
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: caught.update(options))
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    return caught


def test_the_server_trusts_x_forwarded_for_only_from_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uvicorn alone trusts X-Forwarded-For from 127.0.0.1 (``FORWARDED_ALLOW_IPS``): the
    server ``suac serve`` starts must not, so rotating it cannot dodge a per-client limit."""
    monkeypatch.setenv("SUAC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SUAC_ENVIRONMENT", raising=False)
    get_settings.cache_clear()
    options = _serve_options(monkeypatch)
    get_settings.cache_clear()
    options = {k: v for k, v in options.items() if k not in {"factory", "workers", "port"}}
    settings = Settings(
        data_dir=tmp_path / "web",
        _env_file=None,
        public={"folio_lookups_per_client": "2/minute", "unknown_folio_cost": 1},
    )
    with running(create_app(settings, roles={"web"}), options) as base:
        statuses = [
            httpx.get(
                f"{base}/api/public/folios/{make_folio(26, 9_999_999)}",
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(3)
        ]
    assert statuses == [404, 404, 429]


@contextmanager
def running(application: Any, options: dict[str, Any]) -> Iterator[str]:
    """``application`` served by a real uvicorn with ``options`` on a free port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(application, **{**options, "port": port, "log_level": "warning"})
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run)
    thread.start()
    try:
        for _ in range(600):
            if server.started:
                break
            time.sleep(0.05)
        assert server.started, "the server did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
