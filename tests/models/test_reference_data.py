"""Re-applying the authorities on start: a change is announced to running processes, in the
same transaction; an unchanged file announces nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from models.authorities import AdministrativeUnit
from models.config import PACKAGE_DATA, Settings
from models.events import BaseEvent, ReferenceDataChanged
from models.reference_data import seed


def test_an_authority_change_is_staged_once(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    staged: list[BaseEvent] = []

    def stage(session: Session, event: BaseEvent) -> None:
        staged.append(event)

    catalogue = settings.catalogue_path
    seed(engine, stage=stage, authorities_path=settings.authorities_path, catalogue_path=catalogue)
    assert not staged, "the same file changes nothing"
    renamed = tmp_path / "autoridades.yaml"
    text = (PACKAGE_DATA / "authorities.yaml").read_text(encoding="utf-8")
    old = "Dirección General de Calidad del Aire"
    renamed.write_text(text.replace(old, "Dirección General de Calidad del Aire y Ruido"), "utf-8")
    seed(engine, stage=stage, authorities_path=renamed, catalogue_path=catalogue)
    assert [(type(e), getattr(e, "what", "")) for e in staged] == [
        (ReferenceDataChanged, "authorities")
    ]
    with Session(engine) as session:
        unit = session.exec(
            select(AdministrativeUnit).where(
                AdministrativeUnit.authority_code == "SEDEMA", AdministrativeUnit.code == "DGCA"
            )
        ).one()
    assert unit.name.endswith("y Ruido")
