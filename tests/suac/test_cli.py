"""The suac command line against the embedded database, as an operator uses it."""

from __future__ import annotations

import asyncio
import csv
import doctest
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlmodel import select
from typer.testing import CliRunner

import suac.settings_errors
from models.catalogue_import import COLUMNS
from models.config import Settings, TwilioSettings, get_settings
from models.request_service import RequestService
from models.requests import Channel, RequestCreate
from suac.cli import app
from suac.web import create_app

runner = CliRunner()
PASSWORD = "una-clave-larga"


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SUAC_DATA_DIR", str(tmp_path))
    for name in ("SUAC_DATABASE_URL", "SUAC_REDIS_URL", "SUAC_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_every_command_has_help() -> None:
    for command in (
        [],
        ["serve"],
        ["db", "upgrade"],
        ["catalogue", "import"],
        ["folio", "show"],
        ["user", "add"],
        ["call"],
    ):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, result.output
        assert "Usage" in result.output


def test_one_shot_commands_never_create_a_database(tmp_path: Path) -> None:
    csv_file = tmp_path / "vacio.csv"
    csv_file.write_text(",".join(COLUMNS) + "\n", encoding="utf-8")
    for command in (
        ["folio", "show", "26-0001234-9"],
        ["catalogue", "import", str(csv_file)],
        ["user", "add", "ana", "--name", "Ana", "--password", PASSWORD],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, result.output
        assert f"No hay base de datos en {tmp_path / 'suac.db'}" in result.output
    assert not (tmp_path / "suac.db").exists()


def test_user_add_asks_twice_and_refuses_empty_or_taken_names() -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    typed = f"{PASSWORD}\n{PASSWORD}\n"
    ok = runner.invoke(
        app, ["user", "add", "ana", "--name", "Ana Ruiz", "--role", "supervisor"], input=typed
    )
    assert ok.exit_code == 0, ok.output
    assert "Contraseña:" in ok.output and "Repita la contraseña:" in ok.output
    assert PASSWORD not in ok.output
    mismatch = runner.invoke(
        app,
        ["user", "add", "leo", "--name", "Leo"],
        input=f"{PASSWORD}\notra-clave-larga\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert mismatch.exit_code == 0 and "no coinciden" in mismatch.output, "a mismatch asks again"
    taken = runner.invoke(app, ["user", "add", " ana ", "--name", "Ana", "--password", PASSWORD])
    assert taken.exit_code == 1 and "ya existe" in taken.output
    empty = runner.invoke(app, ["user", "add", "  ", "--name", "Nadie", "--password", PASSWORD])
    assert empty.exit_code == 2 and "no puede estar vacío" in empty.output
    short = runner.invoke(app, ["user", "add", "eva", "--name", "Eva", "--password", "corta"])
    assert short.exit_code == 2 and "al menos" in short.output
    role = runner.invoke(
        app, ["user", "add", "eva", "--name", "Eva", "--role", "jefe", "--password", PASSWORD]
    )
    assert role.exit_code == 2 and "Rol desconocido" in role.output


def test_user_add_binds_authority_staff_and_gives_agents_a_phone() -> None:
    from models.db import make_engine, session_scope
    from models.users import User

    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    eva = ["user", "add", "eva", "--name", "Eva", "--role", "authority", "--password", PASSWORD]
    assert runner.invoke(app, [*eva, "--authority", "SACMEX", "--unit", "DGD"]).exit_code == 0
    unit = runner.invoke(app, [*eva[:2], "leo", *eva[3:], "--authority", "SACMEX", "--unit", "X"])
    assert unit.exit_code == 1 and "La unidad X no pertenece a SACMEX." in unit.output
    none = runner.invoke(app, [*eva[:2], "leo", *eva[3:]])
    assert none.exit_code == 1 and "necesita una autoridad existente" in none.output
    agent = ["user", "add", "ana", "--name", "Ana", "--password", PASSWORD]
    bad = runner.invoke(app, [*agent, "--phone", "1001"])
    assert bad.exit_code == 1 and "extensión de Asterisk" in bad.output
    assert runner.invoke(app, [*agent, "--phone", "PJSIP/1001"]).exit_code == 0
    engine = make_engine(get_settings().resolved_database_url)
    with session_scope(engine) as session:
        stored = {user.username: user for user in session.exec(select(User))}
    assert set(stored) == {"eva", "ana"}
    assert (stored["eva"].authority_code, stored["eva"].unit_code) == ("SACMEX", "DGD")
    assert stored["ana"].phone == "PJSIP/1001"


def write_catalogue(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({**dict.fromkeys(COLUMNS, ""), "kind": "servicio", **row})
    return path


def test_catalogue_import_reports_and_fails_on_rejected_rows(tmp_path: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    good = {
        "code": "TST-100",
        "name": "Prueba",
        "tema": "ALUMBRADO",
        "authority": "ALCALDIA",
        "unit": "DGSU",
    }
    clean = runner.invoke(
        app, ["catalogue", "import", str(write_catalogue(tmp_path / "a.csv", [good]))]
    )
    assert clean.exit_code == 0, clean.output
    assert "Agregadas: 1" in clean.output and "Rechazadas: 0" in clean.output
    bad = {**good, "code": "TST-101", "tema": "NADA"}
    result = runner.invoke(
        app, ["catalogue", "import", str(write_catalogue(tmp_path / "b.csv", [good, bad]))]
    )
    assert result.exit_code == 1, result.output
    assert "Sin cambios: 1" in result.output and "Rechazadas: 1" in result.output
    reason = " ".join(result.output.split())
    assert "tema 0311 desconocido «NADA»" in reason and "los válidos:" in reason
    assert "ALUMBRADO" in reason and "BACHEO" in reason


def test_folio_show_explains_bad_folios() -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["folio", "show", "26-0001234-8"])
    assert result.exit_code == 1 and "no es válido" in result.output
    missing = runner.invoke(app, ["folio", "show", "26-0001234-9"])
    assert missing.exit_code == 1 and "No existe" in missing.output


async def test_folio_show_speaks_spanish_to_the_second(service: RequestService) -> None:
    request = await service.register(
        RequestCreate(catalogue_code="AGU-001", channel=Channel.WEB, alcaldia="Coyoacán"),
        actor="agente",
    )
    result = await asyncio.to_thread(runner.invoke, app, ["folio", "show", request.folio])
    assert result.exit_code == 0, result.output
    assert "Estado: turnada" in result.output and "Plazo: en tiempo" in result.output
    assert "assigned" not in result.output and "on_time" not in result.output
    assert re.search(r"Recibida: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n", result.output)
    assert not re.search(r":\d\d\.\d", result.output), "no microseconds"
    assert "estado" in result.output and "recibida" in result.output  # the history


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("SUAC_ASTERISK__SERVERS", '[{"name": "pbx"', "SUAC_ASTERISK__SERVERS no es JSON válido"),
        (
            "SUAC_ASTERISK__SERVERS",
            '[{"port": "x"}]',
            "SUAC_ASTERISK__SERVERS (elemento 1, «port»)",
        ),
        ("SUAC_ENVIRONMENT", "production", "SUAC_SECRET_KEY"),
        ("SUAC_WORKER__CONCURRENCY", "0", "SUAC_WORKER__CONCURRENCY es demasiado pequeño"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(
    variable: str, value: str, named: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    result = runner.invoke(app, ["jobs"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(" ".join(lines)) < 200 and named in " ".join(lines)
    assert "Traceback" not in result.output


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A real uvicorn server with its own Twilio auth token."""
    settings = Settings(
        data_dir=tmp_path / "servidor",
        public_base_url="https://suac.example",
        twilio=TwilioSettings(account_sid="AC" + "1" * 32, auth_token="el-bueno"),
        _env_file=None,
    )
    port = free_port()
    uvicorn_server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=uvicorn_server.run)
    thread.start()
    try:
        for _ in range(300):
            if uvicorn_server.started:
                break
            threading.Event().wait(0.05)
        assert uvicorn_server.started, "the server did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        uvicorn_server.should_exit = True
        thread.join(30)


def test_call_with_a_wrong_token_names_the_settings(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUAC_TWILIO__AUTH_TOKEN", "otro")
    monkeypatch.setenv("SUAC_PUBLIC_BASE_URL", "https://suac.example")
    result = runner.invoke(app, ["call", "--server", server, "--no-speak"])
    assert result.exit_code == 1
    line = " ".join(result.output.split())
    assert "(403)" in line and "SUAC_TWILIO__AUTH_TOKEN" in line and "SUAC_PUBLIC_BASE_URL" in line
    assert "Traceback" not in result.output


def test_call_without_a_server_says_so() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = runner.invoke(app, ["call", "--server", url, "--no-speak"])
    assert result.exit_code == 1
    assert f"No se pudo conectar con el servidor en {url}" in " ".join(result.output.split())
    assert "Traceback" not in result.output


@pytest.mark.postgres
def test_serve_refuses_an_unmigrated_external_database(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUAC_DATABASE_URL", postgres_url)
    get_settings.cache_clear()
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "suac db upgrade" in result.output


def test_examples_in_docstrings() -> None:
    assert doctest.testmod(suac.settings_errors).failed == 0
