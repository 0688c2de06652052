"""The FastAGI front's spoken steps on a real Asterisk 22 with no sounds at all (no core, no
Spanish sounds) and no ``<recordings>/ivr`` folder: a citizen's call (a Local channel playing
a recorded sentence) is recorded and heard, and a silent one is asked again; neither goes to
the failure path."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.asterisk import constants as names
from ivr.asterisk.fastagi import AgiFront, AgiOptions
from ivr.asterisk.panoramisk_adapter import AmiConnection, FastAgiServer
from ivr.asterisk.prompt_audio import PromptAudio, spoken_templates
from ivr.classifier import Classifier
from ivr.flow import CallFlow, Directory
from ivr.prompts import PromptBook

from ..test_fastagi import AUDIO, FakeSynthesizer, ScriptedRecognizer
from .real_asterisk import SECRET, RealAsterisk, real_asterisk, write_silence

SPEECH = "hay un bache enorme en mi calle"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> RealAsterisk:  # type: ignore[misc]
    with real_asterisk(tmp_path_factory, sounds=tmp_path_factory.mktemp("sin-sonidos")) as ast:
        yield ast


@pytest.fixture
async def front(server: RealAsterisk, engine, service, bus) -> AsyncIterator[ScriptedRecognizer]:  # noqa: ANN001
    """The project's FastAGI front on the port the rendered dialplan calls; static prompts are
    short silences, and the folder of recorded answers does not exist."""
    config = server.settings().asterisk
    for name in spoken_templates(PromptBook()):
        write_silence(Path(config.prompts_dir) / f"{name}.wav", 0.2)
    shutil.rmtree(Path(config.recordings_dir) / names.UTTERANCES_DIR, ignore_errors=True)
    recognizer = ScriptedRecognizer(SPEECH)
    flow = CallFlow(
        requests=service,
        classifier=Classifier.from_engine(engine),
        notifier=bus,
        directory=Directory(engine=engine),
    )
    audio = PromptAudio(folder=config.prompts_dir, book=PromptBook(), synthesizer=FakeSynthesizer())
    options = AgiOptions(recordings_dir=config.recordings_dir, zone=ZoneInfo("America/Mexico_City"))
    agi = FastAgiServer(host="127.0.0.1", port=config.agi_port)
    AgiFront(flow=flow, audio=audio, options=options, recognizer=recognizer).install(agi)
    await agi.start()
    yield recognizer
    await agi.close()


async def _call(server: RealAsterisk, bus, audio: str) -> list:  # noqa: ANN001
    """Originate a citizen who plays ``audio`` (``&``-joined files); the call's events until
    it ends or is handed over."""
    seen: list = []
    ami = AmiConnection(
        host="127.0.0.1", port=server.ami_port, username="suac", secret=SECRET, sink=lambda _: None
    )
    await ami.open()
    async with bus.subscribe() as events:
        citizen = f"Local/s@{names.CONTEXT_INBOUND}"
        answer = await ami.send("Originate", Channel=citizen, Application="Playback", Data=audio)
        assert answer.success, answer.message
        async with asyncio.timeout(30):
            async for event in events:
                seen.append(event)
                if event.type in ("call.ended", "call.handed_over"):  # hung up, or to the queue
                    break
    ami.close()
    return seen


async def test_a_citizen_is_recorded_and_heard(server: RealAsterisk, front, bus, tmp_path) -> None:  # noqa: ANN001
    pause = write_silence(tmp_path / "pausa.wav", 1.5).with_suffix("")
    wait = write_silence(tmp_path / "espera.wav", 4.0).with_suffix("")  # stays on the line
    events = await _call(server, bus, f"{pause}&{AUDIO / 'bache'}&{wait}")
    heard = [e.transcript for e in events if e.type == "call.speech_result"]
    assert heard == [SPEECH] and front.samples > 8000  # more than a second of the caller
    assert not [e for e in events if e.type == "call.handed_over"]  # no failure path
    first = sorted(_answers(server).iterdir())[0]  # the folder made during the call
    assert first.suffix == ".wav" and first.stat().st_size > 2 * 8000


async def test_a_silent_citizen_is_asked_again(server: RealAsterisk, front, bus, tmp_path) -> None:  # noqa: ANN001
    silence = write_silence(tmp_path / "silencio.wav", 5.0).with_suffix("")
    asked_again = server.console_log.read_text().count("/voz/sin-respuesta.")
    events = await _call(server, bus, str(silence))
    asked_again = server.console_log.read_text().count("/voz/sin-respuesta.") - asked_again
    steps = [e.step for e in events if e.type == "call.ivr_step"]
    assert front.samples == 0 and steps == ["menu"]  # nothing reached the engine
    assert not [e for e in events if e.type == "call.handed_over"]
    assert [e.cause for e in events if e.type == "call.ended"] == ["caller-hangup"]
    assert asked_again == 1 and list(_answers(server).iterdir())  # recorded, not heard


def _answers(server: RealAsterisk) -> Path:
    return Path(server.settings().asterisk.recordings_dir) / names.UTTERANCES_DIR
