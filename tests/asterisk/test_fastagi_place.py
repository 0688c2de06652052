"""The place of a request on the Asterisk front (FastAGI, speech recognised in Asterisk): the
alcaldía keyed by postal code or number (the list on request) or said, read back and
confirmed, a contradiction asked; the yes/no lexicon, "no" among the choices, and one message
for a folio of the wrong length."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlmodel import Session, select

from models.requests import ServiceRequest

from .fake_agi import AgiPeer
from .test_fastagi import Rig, env, rig  # noqa: F401  (the FastAGI rig fixture)

TIMEOUT = b"200 result=1 (timeout) endpos=0\n"


@dataclass
class Caller(AgiPeer):
    """Answers each question by the prompt just played: ``answers[prompt]`` in turn (keys as
    ``#`` + digits, anything else said), key 1 when none is left; silent at the closing menu."""

    answers: dict[str, list[str]] = field(default_factory=dict)
    played: list[str] = field(default_factory=list)

    def _answer(self, command: str) -> bytes:
        if command.startswith("STREAM FILE"):
            self.played.append(command.split()[2].rsplit("/", 1)[1])
        if not command.startswith("SPEECH RECOGNIZE"):
            return super()._answer(command)
        prompt = self.played[-1]
        if prompt.startswith("registro-siguiente"):
            return TIMEOUT
        queue = next((q for name, q in self.answers.items() if prompt.startswith(name) and q), [])
        answer = queue.pop(0) if queue else "#1"
        if answer.startswith("#"):
            self.keys.extend(answer[2:])  # the rest of the keys, one per WAIT FOR DIGIT
            return f"200 result=1 (digit) digit={answer[1]} endpos=1200\n".encode()
        return (
            b"200 result=1 (speech) endpos=9000 results=1 score0=870 "
            + f'text0="{answer}" grammar0=libre\n'.encode()
        )


async def registered(rig: Rig, transcripts: Path, answers: dict[str, list[str]]) -> Caller:  # noqa: F811
    """Run a call that describes at the menu and says the reference; return the caller."""
    port = await rig.start(speech="asterisk")
    caller = Caller(
        env=env(transcripts),
        answers={"referencia-pregunta": ["calle Morelos frente al mercado"], **answers},
    )
    await caller.call(port)
    return caller


def the_request(rig: Rig) -> ServiceRequest:  # noqa: F811
    with Session(rig.engine) as session:
        (request,) = session.exec(select(ServiceRequest)).all()
        return request


def synthesised(rig: Rig, start: str) -> list[str]:  # noqa: F811
    """The dynamic prompts played that begin with ``start``."""
    return [text for text in rig.synth.texts if text.startswith(start)]


@pytest.mark.parametrize(
    ("keys", "alcaldia"),
    [
        (["#04360"], "Coyoacán"),  # a postal code
        (["#15#"], "Venustiano Carranza"),  # the alcaldía's number, ended by #
        (["#*", "#07"], "Gustavo A. Madero"),  # the list on request, then the number
    ],
)
async def test_alcaldia_keyed_is_read_back_and_confirmed(
    rig: Rig,  # noqa: F811
    transcripts: Path,
    keys: list[str],
    alcaldia: str,
) -> None:
    asks_for_the_list = "#*" in keys
    caller = await registered(
        rig,
        transcripts,
        {
            "menu-principal": ["la lámpara de mi calle no prende"],
            "categoria-confirmar": ["así es"],
            "alcaldia-": keys,
            "lugar-confirmar": ["#1"],
        },
    )
    assert the_request(rig).alcaldia == alcaldia
    listed = synthesised(rig, "Diga su alcaldía, o marque su número: Álvaro Obregón, cero uno.")
    assert len(listed) == asks_for_the_list and caller.played.count("alcaldia-pregunta") == 1
    assert synthesised(rig, f"Alcaldía {alcaldia}, ¿es correcto?")


async def test_alcaldia_said_is_read_back_and_a_no_asks_again(
    rig: Rig,  # noqa: F811
    transcripts: Path,
) -> None:
    caller = await registered(
        rig,
        transcripts,
        {
            "menu-principal": ["la lámpara de mi calle no prende"],
            "alcaldia-pregunta": ["ista palapa", "tláhuac"],
            "lugar-confirmar": ["no", "correcto"],
        },
    )
    assert the_request(rig).alcaldia == "Tláhuac"
    assert synthesised(rig, "Alcaldía Iztapalapa, ¿es correcto?")
    assert synthesised(rig, "Alcaldía Tláhuac, ¿es correcto?")
    assert caller.played.count("alcaldia-pregunta") == 2


async def test_a_place_that_contradicts_itself_is_asked(
    rig: Rig,  # noqa: F811
    transcripts: Path,
) -> None:
    caller = await registered(
        rig,
        transcripts,
        {
            "menu-principal": ["hay una fuga de agua en la colonia Roma en Iztapalapa"],
            "categoria-elegir": ["la primera"],
            "alcaldia-pregunta": ["en la cuauhtémoc"],
            "lugar-confirmar": ["sí señor"],
        },
    )
    request = the_request(rig)
    assert (request.alcaldia, request.colonia) == ("Cuauhtémoc", "Roma")
    assert synthesised(
        rig, "Mencionó la colonia Roma, que está en Cuauhtémoc, y la alcaldía Iztapalapa."
    )
    assert synthesised(rig, "Colonia Roma, alcaldía Cuauhtémoc, ¿es correcto?")
    assert caller.played.count("alcaldia-pregunta") == 1


@pytest.mark.parametrize("said", ["no", "no, ninguna"])
async def test_no_among_the_choices_describes_again(
    rig: Rig,  # noqa: F811
    transcripts: Path,
    said: str,
) -> None:
    port = await rig.start(speech="asterisk")
    caller = Caller(
        env=env(transcripts),
        answers={
            "menu-principal": ["la lámpara de mi calle no prende"],
            "categoria-confirmar": ["negativo"],
            "categoria-elegir": [said],
            "registro-describa": ["#0"],  # asked to describe again: 0 for an agent ends the call
        },
    )
    await caller.call(port)
    choices = caller.played.index(next(p for p in caller.played if p.startswith("categoria-el")))
    assert caller.played[choices + 1] == "registro-describa", caller.played
    assert "no-entendi" not in caller.played


async def test_a_folio_of_the_wrong_length_gets_one_message(
    rig: Rig,  # noqa: F811
    transcripts: Path,
) -> None:
    port = await rig.start()
    caller = Caller(env=env(transcripts), keys=["2", *"12345", "#", "0"])
    await caller.call(port)
    after = caller.played[caller.played.index("folio-pida") + 1 :]
    assert after[:2] == ["folio-longitud", "asesor"], caller.played
