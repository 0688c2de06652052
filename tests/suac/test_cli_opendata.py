"""``suac opendata``: importing the official sample (again: nothing added), a file with bad
rows reported by line and reason in Spanish with exit code 1, and the export's files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models.config import Settings, get_settings
from models.open_data.files import FILES
from models.open_data.layout import COLUMNS
from suac.cli import app
from suac.container import prepare_database

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "cdmx" / "0311_sample_2024.csv"
runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SUAC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SUAC_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    prepare_database(Settings(data_dir=tmp_path, _env_file=None)).dispose()
    yield tmp_path
    get_settings.cache_clear()


def test_import_then_again_then_export(data_dir: Path) -> None:
    first = runner.invoke(app, ["opendata", "import", str(SAMPLE)])
    assert first.exit_code == 0, first.output
    assert "Importadas: 628  Ya importadas antes: 0  Rechazadas: 0" in first.output
    again = runner.invoke(app, ["opendata", "import", str(SAMPLE)])
    assert again.exit_code == 0, again.output
    assert "Importadas: 0  Ya importadas antes: 628  Rechazadas: 0" in again.output
    out = data_dir / "exportados"
    exported = runner.invoke(app, ["opendata", "export", str(out)])
    assert exported.exit_code == 0, exported.output
    assert f"Datos abiertos escritos en {out}" in exported.output
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert (out / "solicitudes_0311.csv").read_bytes() == SAMPLE.read_bytes()


def test_rejected_rows_are_reported_in_spanish(data_dir: Path) -> None:
    bad = data_dir / "malo.csv"
    good = "2500001,2024-03-04,10:00:00,APP CDMX,ALUMBRADO,NA,NA,NA,NA,NA,CERRADO,NA,NA,NA,NA,NA"
    bad.write_text(
        f"{','.join(COLUMNS)}\n{good}\n{good.replace('2024-03-04', '2024-13-40')}\n,{good[8:]}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["opendata", "import", str(bad)])
    assert result.exit_code == 1
    assert "Importadas: 1  Ya importadas antes: 0  Rechazadas: 2" in result.output
    assert "Filas rechazadas" in result.output
    assert "fecha_solicitud «2024-13-40» no es una fecha válida" in result.output
    assert "el folio está vacío" in result.output


def test_a_file_of_another_layout_is_refused(data_dir: Path) -> None:
    other = data_dir / "otro.csv"
    other.write_text("folio;fecha\n1;2024-01-01\n", encoding="utf-8")
    result = runner.invoke(app, ["opendata", "import", str(other)])
    assert result.exit_code == 1
    assert "No se puede importar" in result.output and "encabezado" in result.output


def test_no_database_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUAC_DATA_DIR", str(tmp_path / "vacía"))
    monkeypatch.delenv("SUAC_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["opendata", "export", str(tmp_path / "salida")])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and "No hay base de datos" in result.output
    assert not (tmp_path / "vacía" / "suac.db").exists()
