"""Routing by road on the Asterisk front: a pothole on a primary road, reported by speech over
FastAGI, goes to the primary-road authority; on a secondary street it stays with the alcaldía."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlmodel import Session, select

from models.requests import RoadClass, ServiceRequest

from .fake_agi import AgiPeer
from .test_fastagi import Rig, env, rig  # noqa: F401  (the FastAGI rig fixture)

DIGIT_ONE = b"200 result=1 (digit) digit=1 endpos=1200\n"


def said(text: str) -> bytes:
    """res_agi's reply to SPEECH RECOGNIZE when the caller said ``text``."""
    return (
        b"200 result=1 (speech) endpos=9000 results=1 score0=870 "
        + f'text0="{text}" grammar0=libre\n'.encode()
    )


@dataclass
class ReportingCaller(AgiPeer):
    """A caller who answers each question by the prompt just played: keys 1 at the menu and
    at every confirmation, their words at the description, alcaldía and reference."""

    words: dict[str, str] = field(default_factory=dict)

    def _answer(self, command: str) -> bytes:
        if command.startswith("SPEECH RECOGNIZE"):
            played = next(c for c in reversed(self.commands) if c.startswith("STREAM FILE"))
            prompt = played.split()[2].rsplit("/", 1)[1]
            answer = next((t for name, t in self.words.items() if prompt.startswith(name)), None)
            if prompt.startswith("registro-siguiente"):
                return b"200 result=1 (timeout) endpos=0\n"
            return said(answer) if answer else DIGIT_ONE
        return super()._answer(command)


@pytest.mark.parametrize(
    ("reference", "authority", "road_class", "street"),
    [
        (
            "Avenida Montevideo esquina con Insurgentes Norte",
            "SOBSE",
            RoadClass.PRIMARY,
            "Avenida Montevideo",
        ),
        ("calle Sierra Vertientes frente a la escuela", "ALC-GAM", RoadClass.SECONDARY, None),
    ],
)
async def test_pothole_routed_by_the_road_named(  # noqa: PLR0913
    rig: Rig,  # noqa: F811
    transcripts: Path,
    reference: str,
    authority: str,
    road_class: RoadClass,
    street: str | None,
) -> None:
    port = await rig.start(speech="asterisk")
    caller = ReportingCaller(
        env=env(transcripts),
        words={
            "registro-describa": "hay un bache enorme en la calle",
            "alcaldia-pregunta": "gustavo a madero",
            "referencia-pregunta": reference,
        },
    )
    await caller.call(port)
    with Session(rig.engine) as session:
        (request,) = session.exec(select(ServiceRequest)).all()
    assert request.catalogue_code.startswith("VIA-") and request.alcaldia == "Gustavo A. Madero"
    assert (request.authority_code, request.road_class) == (authority, road_class)
    assert request.street == (street or "Calle Sierra Vertientes")
