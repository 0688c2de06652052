"""The public folio lookup shows status and deadline, never personal data."""

from __future__ import annotations

from functools import partial

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from models.catalogue import CatalogueEntry
from models.config import Settings
from models.requests import Channel, RequestCreate
from suac.web import create_app


def test_public_lookup_hides_personal_data(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        container = client.app.state.container
        with Session(container.engine) as session:
            entry = session.exec(
                select(CatalogueEntry).where(CatalogueEntry.tema == "ALUMBRADO")
            ).first()
        register = partial(container.requests.register, actor="web")
        request = client.portal.call(
            register,
            RequestCreate(
                catalogue_code=entry.code,
                channel=Channel.WEB,
                alcaldia="Tlalpan",
                citizen_name="Rosa Martínez",
                citizen_phone="+525511112222",
                citizen_email="rosa@example.mx",
                street="Calle Secreta 12",
                description="La lámpara frente a mi casa",
            ),
        )
        response = client.get(f"/api/public/folios/{request.folio[:2]}-{request.folio[2:]}")
        assert response.status_code == 200
        body = response.text
        for secret in ("Rosa", "5511112222", "rosa@example", "Calle Secreta", "mi casa"):
            assert secret not in body
        data = response.json()
        assert data["status"] == "assigned" and data["status_label"] == "turnada"
        assert data["deadline_state"] in {"on_time", "due_soon"}

        bad = client.get("/api/public/folios/2600012348")
        assert bad.status_code == 422 and bad.json()["error_id"] == "invalid-folio"
        missing = client.get("/api/public/folios/2600012349")
        assert missing.status_code == 404 and missing.json()["error_id"] == "folio-not-found"
