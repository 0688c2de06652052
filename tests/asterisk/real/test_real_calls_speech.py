"""A request registered by speech end to end on a real Asterisk 22: the citizen says its
problem (a recorded sentence played into the call), the FastAGI front records it and a
scripted speech engine transcribes it; the folio is read back and stored on the call record."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from ivr.speech import Transcript
from models.events import CallSpeechResult, RequestRegistered

from ..test_fastagi import AUDIO
from .citizen import Citizen
from .real_asterisk import RealAsterisk
from .switchboard import Switchboard, switchboard

pytestmark = pytest.mark.asyncio(loop_scope="module")


class Sentences:
    """A speech engine that checks it got the caller's audio and says its sentences in turn."""

    name = "prueba"

    def __init__(self, *texts: str) -> None:
        self.texts, self.samples = list(texts), list[int]()

    def transcribe(self, pcm16: bytes, sample_rate: int = 8000) -> Transcript:
        self.samples.append(len(pcm16) // 2)
        return Transcript(text=self.texts.pop(0) if self.texts else "", confidence=0.9)


@pytest.fixture(scope="module")
def ears() -> Sentences:
    return Sentences("hay un bache enorme en mi calle", "frente al mercado")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def board(pbx: RealAsterisk, ears: Sentences) -> AsyncIterator[Switchboard]:
    async with switchboard(pbx, recognizer=ears) as started:
        yield started


def said(name: str) -> Path:
    return AUDIO / name


async def test_register_by_speech_and_hear_the_folio(board: Switchboard, ears: Sentences) -> None:
    citizen = await board.call(
        Citizen(
            [
                ("menu-principal", said("bache")),
                ("categoria-confirmar", "1"),
                ("alcaldia-pregunta", "09960"),  # the postal code, by keys
                ("lugar-confirmar", "1"),
                ("referencia-pregunta", said("si")),  # whatever is said, the engine is scripted
            ],
            hang_up_on="plazo-respuesta",  # once the folio is read
        )
    )
    record = await board.ended(citizen.call_id, 60)
    events = board.journal.of_call(citizen.call_id)
    heard = [e.transcript for e in events if isinstance(e, CallSpeechResult)]
    registered = [e for e in events if isinstance(e, RequestRegistered)]
    assert heard == ["hay un bache enorme en mi calle", "frente al mercado"]
    assert min(ears.samples) > 4000  # half a second and more of the caller, each time
    assert len(registered) == 1 and record.folios == [registered[0].folio]
    request = await board.container.requests.get(registered[0].folio)
    assert (request.catalogue_code, request.alcaldia) == ("VIA-001", "Iztapalapa")  # a pothole
    assert request.reference == "frente al mercado"
    digits = await board.folio_read(registered[0].folio)
    assert citizen.heard_after("folio-registrado")[: len(digits)] == digits
    assert (record.status, record.answered_at, record.handoff) == ("ivr", None, None)
