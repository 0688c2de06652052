"""Live reference data: a catalogue imported while the service runs reaches its classifier and
the IVR's directory without a restart."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models.catalogue_import import COLUMNS
from models.config import Settings, WorkerSettings, get_settings
from suac.cli import app as cli
from suac.web import create_app

AJOLOTE = {
    "code": "TST-AJO",
    "name": "Ajolotes extraviados en la azotea",
    "kind": "servicio",
    "tema": "OTRO",
    "synonyms": "ajolote;axolote",
    "examples": "hay ajolotes en mi azotea",
    "authority": "SEDEMA",
    "unit": "DGCA",
}


@pytest.fixture
async def running_app(voice_settings: Settings, monkeypatch: pytest.MonkeyPatch):
    """The whole service (every role), relaying its outbox often, and the CLI pointed at it."""
    settings = voice_settings.model_copy(update={"worker": WorkerSettings(relay_seconds=0.2)})
    monkeypatch.setenv("SUAC_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application
    get_settings.cache_clear()


def catalogue(path: Path, row: dict[str, str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerow({**dict.fromkeys(COLUMNS, ""), **row})
    return path


async def test_an_import_reaches_the_running_classifier_and_directory(
    running_app, tmp_path: Path
) -> None:
    container = running_app.state.container
    before = container.classifier
    assert before.classify("hay ajolotes en mi azotea").best.code != "TST-AJO"
    path = catalogue(tmp_path / "nuevo.csv", AJOLOTE)
    # another process in production: the command does not share this app's bus
    result = await asyncio.to_thread(CliRunner().invoke, cli, ["catalogue", "import", str(path)])
    assert result.exit_code == 0, result.output
    for _ in range(100):
        if container.classifier is not before:
            break
        await asyncio.sleep(0.1)
    assert container.classifier is not before, "the classifier was not rebuilt"
    assert container.ivr.flow.classifier is container.classifier
    assert container.classifier.classify("hay ajolotes en mi azotea").best.code == "TST-AJO"
    entry = await container.ivr.directory.entry("TST-AJO")
    assert entry is not None and entry.name == AJOLOTE["name"]
