"""The suac command line against the embedded database."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models.catalogue_import import COLUMNS
from models.config import get_settings
from suac.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SUAC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SUAC_DATABASE_URL", raising=False)
    monkeypatch.delenv("SUAC_REDIS_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_every_command_has_help() -> None:
    for command in (
        [],
        ["serve"],
        ["db", "upgrade"],
        ["catalogue", "import"],
        ["folio", "show"],
        ["user", "add"],
    ):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, result.output
        assert "Usage" in result.output


def test_db_upgrade_and_user_add() -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    ok = runner.invoke(
        app,
        [
            "user",
            "add",
            "ana",
            "--name",
            "Ana Ruiz",
            "--role",
            "supervisor",
            "--password",
            "una-clave-larga",
        ],
    )
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(
        app, ["user", "add", "ana", "--name", "Ana", "--password", "una-clave-larga"]
    )
    assert again.exit_code == 1 and "ya existe" in again.output
    short = runner.invoke(app, ["user", "add", "leo", "--name", "Leo", "--password", "corta"])
    assert short.exit_code == 2 and "al menos" in short.output
    role = runner.invoke(
        app,
        ["user", "add", "leo", "--name", "Leo", "--role", "jefe", "--password", "una-clave-larga"],
    )
    assert role.exit_code == 2


def test_catalogue_import_reports(tmp_path: Path) -> None:
    path = tmp_path / "catalogo.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        row = dict.fromkeys(COLUMNS, "")
        writer.writerow(
            {
                **row,
                "code": "TST-100",
                "name": "Prueba",
                "kind": "servicio",
                "tema": "ALUMBRADO",
                "authority": "ALCALDIA",
                "unit": "DGSU",
                "synonyms": "luz",
                "examples": "no hay luz",
            }
        )
        writer.writerow(
            {
                **row,
                "code": "TST-101",
                "name": "Mala",
                "kind": "servicio",
                "tema": "NADA",
                "authority": "ALCALDIA",
                "unit": "DGSU",
            }
        )
    result = runner.invoke(app, ["catalogue", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Agregadas: 1" in result.output and "Rechazadas: 1" in result.output
    assert "tema 0311 desconocido" in result.output


def test_folio_show_explains_bad_folios() -> None:
    result = runner.invoke(app, ["folio", "show", "26-0001234-8"])
    assert result.exit_code == 1 and "no es válido" in result.output
    missing = runner.invoke(app, ["folio", "show", "26-0001234-9"])
    assert missing.exit_code == 1 and "No existe" in missing.output


@pytest.mark.postgres
def test_serve_refuses_an_unmigrated_external_database(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUAC_DATABASE_URL", postgres_url)
    get_settings.cache_clear()
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "suac db upgrade" in result.output
