"""Processes started together on a migrated, empty PostgreSQL database all start: they seed
the same authorities, catalogue and roads, and the ones that lose a race for a row seed again
(before, one of them died of ``UniqueViolation authority_pkey``)."""

from __future__ import annotations

import csv
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from models.authorities import Authority
from models.catalogue import CatalogueEntry
from models.config import Settings
from models.db import make_engine, upgrade
from suac.container import prepare_database

PROCESSES = 4


@pytest.mark.postgres
def test_processes_started_together_all_seed_once(tmp_path: Path, postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    upgrade(engine)  # `suac db upgrade`, then every role starts at once
    settings = Settings(data_dir=tmp_path, database_url=postgres_url, _env_file=None)
    together = threading.Barrier(PROCESSES)

    def start() -> None:
        together.wait()
        prepare_database(settings).dispose()

    with ThreadPoolExecutor(PROCESSES) as pool:
        for started in [pool.submit(start) for _ in range(PROCESSES)]:
            started.result()  # none raised
    with Session(engine) as session:
        entries = session.exec(select(func.count()).select_from(CatalogueEntry)).one()
        authorities = session.exec(select(func.count()).select_from(Authority)).one()
    engine.dispose()
    with settings.catalogue_path.open(encoding="utf-8-sig", newline="") as shipped:
        assert entries == len(list(csv.DictReader(shipped))) and authorities > 16
