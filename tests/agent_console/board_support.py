"""The public board's tests' requests: a citizen with a name, phone, e-mail, street,
reference and description, and an answer naming her, none of which the board may show."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from models.requests import Channel, RequestCreate
from tests.agent_console.privacy_support import ROSA_SECRETS

SECRETS = (
    *ROSA_SECRETS,
    "portón verde",
    "parpadea",
    "foco nuevo",
    "19.2861",
    "99.1681",
)
NEAR = ((19.2861, -99.1681), (19.2899, -99.1659), (19.2851, -99.1702))  # one zone: 19.29, -99.17


async def register_async(app: FastAPI, **place: Any) -> str:
    values = {"catalogue_code": "ALU-001", "alcaldia": "Tlalpan", "colonia": "Toriello Guerra"}
    request = await app.state.container.requests.register(
        RequestCreate(
            channel=Channel.WEB,
            citizen_name="Rosa Martínez",
            citizen_phone="+525511112222",
            citizen_email="rosa@example.mx",
            street="Calle Secreta 12-B",
            reference="Frente al portón verde",
            description="La lámpara de mi casa parpadea",
            **{**values, **place},
        ),
        actor="web",
    )
    return str(request.folio)


async def answer_async(app: FastAPI, folio: str) -> None:
    service = app.state.container.requests
    request = await service.get(folio)
    await service.answer(
        folio,
        text="Se puso un foco nuevo en la casa de Rosa.",
        responsible_person="Ing. Pedro Ruiz",
        unit_code=request.unit_code,
        actor="autoridad",
    )


def assert_nothing_personal(text: str) -> None:
    found = [secret for secret in SECRETS if secret in text]
    assert not found, f"personal data on the public board: {found}"
