"""``suac jobs``: failed jobs are listed with their reason and can be tried again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models.config import Settings, get_settings
from models.jobs import FAILED, PENDING, JobQueue, JobSpec
from suac.cli import app
from suac.container import prepare_database

runner = CliRunner()


@pytest.fixture
def queue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SUAC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SUAC_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    engine = prepare_database(Settings(data_dir=tmp_path, _env_file=None))
    yield JobQueue(engine=engine)
    engine.dispose()
    get_settings.cache_clear()


async def _fail_one(queue: JobQueue) -> int:
    await queue.submit(JobSpec("message.status", {"folio": "2600000018", "status": "rejected"}))
    job = await queue.claim(worker="w1", kinds={"message.status"})
    assert job is not None
    from datetime import timedelta

    await queue.retry_later(
        job.id,
        worker="w1",
        error="Twilio no aceptó el mensaje (21211).",
        delay=timedelta(),
        give_up=True,
    )
    return job.id


def test_failed_jobs_are_listed_and_retried(queue: JobQueue) -> None:
    job_id = asyncio.run(_fail_one(queue))
    listed = runner.invoke(app, ["jobs"])
    assert listed.exit_code == 0, listed.output
    assert "message.status" in listed.output and "fallido" in listed.output
    assert "21211" in listed.output
    retried = runner.invoke(app, ["jobs", "retry", str(job_id)])
    assert retried.exit_code == 0 and "volverá a intentarse" in retried.output
    (job,) = asyncio.run(queue.list())
    assert job.status == PENDING
    again = runner.invoke(app, ["jobs", "retry", str(job_id)])
    assert again.exit_code == 1 and "No hay un trabajo fallido" in again.output
    assert FAILED not in {j.status for j in asyncio.run(queue.list())}


def test_without_a_database_it_says_where_it_looked(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("SUAC_DATA_DIR", str(tmp_path / "vacía"))
    get_settings.cache_clear()
    result = runner.invoke(app, ["jobs"])
    get_settings.cache_clear()
    assert result.exit_code == 1
    assert "No hay base de datos en" in result.output and "vacía" in result.output
    assert not (tmp_path / "vacía" / "suac.db").exists()
