"""The FastAGI front driving the shared call flow, against a scripted Asterisk and the
recorded FastAGI sessions."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import wave
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from ivr.asterisk.errors import CallerHungUp
from ivr.asterisk.fastagi import AgiFront, AgiOptions
from ivr.asterisk.panoramisk_adapter import AgiSession, FastAgiServer
from ivr.asterisk.prompt_audio import PromptAudio
from ivr.classifier import Classifier
from ivr.flow import CallFlow, Directory
from ivr.prompts import PromptBook
from ivr.speech import Transcript
from ivr.speech.audio import read_wav_8k
from models.bus import InProcessBus
from models.call_records import write_events
from models.calls import CallRecord
from models.handoff import HandoffContext, handoff_for
from models.lifecycle import STATUS_LABELS
from models.request_service import RequestService
from models.requests import Channel, RequestCreate, ServiceRequest

from .fake_agi import AgiPeer
from .replay import replay_agi

LINKEDID = "1795555792.8"
AUDIO = Path(__file__).resolve().parents[3] / "shared" / "stt" / "audio" / "synth-es-419"


class FakeSynthesizer:
    """Writes a short silent WAV per text (espeak-ng is exercised in test_prompts)."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def synthesize(self, text: str, target: Path) -> Path:
        self.texts.append(text)
        target.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(target), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(8000)
            out.writeframes(b"\0\0" * 800)
        return target


class ScriptedRecognizer:
    """An utterance engine that checks it got real 8 kHz audio and says ``text``."""

    name = "prueba"

    def __init__(self, text: str) -> None:
        self.text, self.samples = text, 0

    def transcribe(self, pcm16: bytes, sample_rate: int = 8000) -> Transcript:
        self.samples = len(pcm16) // 2
        return Transcript(text=self.text, confidence=0.9)


class Rig:
    """A FastAGI server running the front over the real flow, request service and DB."""

    def __init__(self, *, engine: Engine, service: RequestService, bus: InProcessBus, tmp: Path):
        self.engine, self.service, self.bus, self.tmp = engine, service, bus, tmp
        self.synth = FakeSynthesizer()

    async def record_of_call(self, port: int, peer: AgiPeer) -> CallRecord | None:
        """Serve ``peer``'s call, then apply what was published as the call recorder does."""
        async with self.bus.subscribe() as events:
            await peer.call(port)
            published = []
            with contextlib.suppress(TimeoutError):
                while True:
                    published.append(await asyncio.wait_for(anext(events), 0.2))
        write_events(self.engine, published)
        with Session(self.engine) as session:
            return session.get(CallRecord, LINKEDID)

    async def start(self, *, speech: str = "record", recognizer=None) -> int:  # noqa: ANN001
        flow = CallFlow(
            requests=self.service,
            classifier=Classifier.from_engine(self.engine),
            notifier=self.bus,
            directory=Directory(engine=self.engine),
        )
        audio = PromptAudio(folder=str(self.tmp / "voz"), book=PromptBook(), synthesizer=self.synth)
        options = AgiOptions(
            recordings_dir=str(self.tmp / "grabaciones"),
            zone=ZoneInfo("America/Mexico_City"),
            speech=speech,
        )
        front = AgiFront(flow=flow, audio=audio, options=options, recognizer=recognizer)
        self.server = FastAgiServer(host="127.0.0.1", port=0)
        front.install(self.server)
        return (await self.server.start())[1]


@pytest.fixture
async def rig(engine, service, bus, tmp_path) -> AsyncIterator[Rig]:  # noqa: ANN001
    rig = Rig(engine=engine, service=service, bus=bus, tmp=tmp_path)
    yield rig
    await rig.server.close()


def env(transcripts: Path, script: str = "ivr") -> bytes:
    data = (transcripts / "c_ivr_fastagi.agi-env.txt").read_bytes()
    return data.replace(b"agi_network_script: ivr", f"agi_network_script: {script}".encode())


async def test_caller_asks_for_an_agent_hand_off_in_channel_variables(
    rig: Rig, transcripts: Path
) -> None:
    port = await rig.start()
    peer = AgiPeer(env=env(transcripts), keys=["0"])
    record = await rig.record_of_call(port, peer)
    played = [c.split()[2] for c in peer.commands if c.startswith("STREAM FILE")]
    assert [p.rsplit("/", 1)[1] for p in played] == [
        "bienvenida",
        "aviso-grabacion",
        "menu-teclas",  # recording without a recogniser hears nothing: keys only
        "asesor",
    ]
    recording = str(rig.tmp / "grabaciones" / f"{LINKEDID}.wav")
    notice = next(i for i, c in enumerate(peer.commands) if "aviso-grabacion" in c)
    assert peer.commands[notice].endswith('""')  # the notice cannot be skipped
    assert peer.commands[notice + 1] == f'EXEC MixMonitor "{recording}"'
    variables = peer.set_variables
    assert variables["SUAC_SIGUIENTE"] == "cola" and variables["SUAC_COLA"] == "locatel"
    assert variables["SUAC_GRABACION"] == recording
    assert variables["SUAC_LLAMADA"] == LINKEDID
    context = json.loads(base64.b64decode(variables["SUAC_CONTEXTO"]))
    assert context["reason"] == "el ciudadano pidió un asesor" and context["path"] == ["menu"]
    assert record is not None and record.recording == recording
    assert record.ivr_outcome == "handed_over"
    assert handoff_for(rig.engine, LINKEDID) == HandoffContext.model_validate(context)


async def test_status_reading_by_keyed_folio(rig: Rig, transcripts: Path) -> None:
    request = await rig.service.register(
        RequestCreate(catalogue_code="AGU-001", channel=Channel.AGENT, alcaldia="Tlalpan"),
        actor="agente:prueba",
    )
    port = await rig.start()
    peer = AgiPeer(env=env(transcripts), keys=["2", *request.folio, "#"])
    await peer.call(port)
    assert sum("/dinamicos/digito-" in c for c in peer.commands) == 10  # the project's voice
    label = STATUS_LABELS[request.status]
    assert any(label in text for text in rig.synth.texts), rig.synth.texts
    assert peer.set_variables["SUAC_SIGUIENTE"] == "colgar"


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("VIA-001", "La atiende la Alcaldía Gustavo A. Madero, por medio de la Dirección General"),
        ("AGU-001", "La atiende el Sistema de Aguas de la Ciudad de México, por medio de la"),
    ],
)
async def test_status_says_the_authority_with_its_article_and_kind(
    rig: Rig, transcripts: Path, code: str, said: str
) -> None:
    request = await rig.service.register(
        RequestCreate(catalogue_code=code, channel=Channel.AGENT, alcaldia="Gustavo A. Madero"),
        actor="agente:prueba",
    )
    port = await rig.start()
    await AgiPeer(env=env(transcripts), keys=["2", *request.folio, "#"]).call(port)
    assert any(text.startswith(said) for text in rig.synth.texts), rig.synth.texts


async def test_status_re_entry_with_the_folio_in_the_redirect(rig: Rig, transcripts: Path) -> None:
    request = await rig.service.register(
        RequestCreate(catalogue_code="AGU-001", channel=Channel.AGENT, alcaldia="Tlalpan"),
        actor="agente:prueba",
    )
    port = await rig.start()
    peer = AgiPeer(env=env(transcripts, "estado"), variables={"SUAC_FOLIO": request.folio})
    await peer.call(port)
    assert not any("bienvenida" in c or "MixMonitor" in c for c in peer.commands)
    assert sum("/dinamicos/digito-" in c for c in peer.commands) == 10


async def test_caller_hanging_up_mid_command_stops_everything(rig: Rig, transcripts: Path) -> None:
    port = await rig.start()
    peer = AgiPeer(env=env(transcripts), keys=["1"], hang_up_at="WAIT FOR DIGIT")
    async with rig.bus.subscribe() as events:
        await peer.call(port)
        ended = await asyncio.wait_for(_first(events, "call.ended"), 2)
    # after the -1 only a harmless check (answered after Asterisk's HANGUP line), then nothing
    assert peer.commands[-2].startswith("WAIT FOR DIGIT")
    assert peer.commands[-1] == "GET VARIABLE AGISTATUS"
    assert ended.cause == "caller-hangup"
    with Session(rig.engine) as session:
        assert session.exec(select(ServiceRequest)).first() is None


async def test_without_asterisk_speech_engine_keys_still_work(rig: Rig, transcripts: Path) -> None:
    port = await rig.start(speech="asterisk")
    peer = AgiPeer(env=env(transcripts), keys=["0"], speech_engine=False)
    await peer.call(port)
    assert "SPEECH CREATE vosk" in peer.commands
    assert not any(c.startswith("SPEECH RECOGNIZE") for c in peer.commands)
    assert peer.set_variables["SUAC_SIGUIENTE"] == "cola"


async def test_dead_channel_answer_511_ends_the_session(rig: Rig, transcripts: Path) -> None:
    port = await rig.start()
    peer = AgiPeer(env=env(transcripts), keys=["1"], dead_at="WAIT FOR DIGIT")
    async with rig.bus.subscribe() as events:
        await peer.call(port)
        ended = await asyncio.wait_for(_first(events, "call.ended"), 2)
    assert peer.commands[-1].startswith("WAIT FOR DIGIT")  # 511: nothing more is sent
    assert ended.cause == "caller-hangup" and "SUAC_SIGUIENTE" not in peer.set_variables
    with Session(rig.engine) as session:
        assert session.exec(select(ServiceRequest)).first() is None


async def test_missing_sound_file_is_not_a_hang_up(rig: Rig, transcripts: Path) -> None:
    port = await rig.start()
    peer = AgiPeer(env=env(transcripts), keys=["1"], missing={"menu-teclas"})
    async with rig.bus.subscribe() as events:
        await peer.call(port)
        await asyncio.sleep(0.05)
        ended = [e async for e in _drain(events) if e.type == "call.ended"]
    assert not ended  # the caller did not hang up: the flow was not told so
    assert peer.set_variables["SUAC_SIGUIENTE"] == "cola"
    assert peer.set_variables["SUAC_MOTIVO"] == "falla del sistema"
    assert "falla-asesor" in peer.commands[-1]


async def _drain(events):  # noqa: ANN001, ANN202
    while True:
        try:
            yield await asyncio.wait_for(anext(aiter(events)), 0.05)
        except TimeoutError:
            return


async def test_speech_recorded_and_transcribed_off_the_loop(rig: Rig, transcripts: Path) -> None:
    recognizer = ScriptedRecognizer("hay un bache enorme en mi calle")
    port = await rig.start(recognizer=recognizer)
    peer = AgiPeer(env=env(transcripts), recording=AUDIO / "bache.wav")
    async with rig.bus.subscribe() as events:
        await peer.call(port)
        heard = await asyncio.wait_for(_first(events, "call.speech_result"), 2)
    record = next(c for c in peer.commands if c.startswith("RECORD FILE"))
    assert record.split()[3] == "wav" and record.endswith(" 0 s=2")  # no BEEP: our own tone
    assert recognizer.samples == len(read_wav_8k(AUDIO / "bache.wav")) // 2
    assert heard.transcript == "hay un bache enorme en mi calle"


async def test_speech_recognised_by_asterisk_keeps_the_whole_sentence(
    rig: Rig, transcripts: Path
) -> None:
    port = await rig.start(speech="asterisk")
    peer = AgiPeer(
        env=env(transcripts),
        speech=[
            b"200 result=1 (speech) endpos=9000 results=1 score0=870 "
            b'text0="hay una fuga de agua en mi calle" grammar0=libre\n'
        ],
    )
    async with rig.bus.subscribe() as events:
        await peer.call(port)
        heard = await asyncio.wait_for(_first(events, "call.speech_result"), 2)
    assert "SPEECH CREATE vosk" in peer.commands and "SPEECH DESTROY" in peer.commands
    assert (heard.transcript, heard.confidence) == ("hay una fuga de agua en mi calle", 0.87)
    recognize = next(c for c in peer.commands if c.startswith("SPEECH RECOGNIZE"))
    assert int(recognize.split()[3]) <= 60  # res_agi reads seconds here, not milliseconds


async def test_key_pressed_during_asterisk_speech_recognition(rig: Rig, transcripts: Path) -> None:
    port = await rig.start(speech="asterisk")
    # res_agi's exact reply when the caller presses a key instead of speaking
    peer = AgiPeer(env=env(transcripts), speech=[b"200 result=1 (digit) digit=0 endpos=1200\n"])
    await peer.call(port)
    assert peer.set_variables["SUAC_SIGUIENTE"] == "cola"
    context = json.loads(base64.b64decode(peer.set_variables["SUAC_CONTEXTO"]))
    assert context["reason"] == "el ciudadano pidió un asesor"


async def _first(events, kind: str):  # noqa: ANN001, ANN202
    async for event in events:
        if event.type == kind:
            return event
    return None


# --- the recorded FastAGI sessions, replayed byte for byte -------------------------------------

RECORDED = [
    "ANSWER",
    "GET FULL VARIABLE ${CALLERID(num)}",
    'VERBOSE "SUAC Locatel IVR" 1',
    'STREAM FILE hello-world "0123456789*#"',
    "WAIT FOR DIGIT 8000",
]


async def _replay(transcripts: Path, flow: str, script) -> list:  # noqa: ANN001
    replies: list = []
    done = asyncio.Event()

    async def route(session: AgiSession) -> None:
        for command in script:
            replies.append(await session.command(command))
        done.set()

    server = FastAgiServer(host="127.0.0.1", port=0)
    server.route("ivr", route)
    _, port = await server.start()
    await replay_agi(transcripts / f"{flow}.agi.interleaved.txt", port)
    await asyncio.wait_for(done.wait(), 5)
    await server.close()
    return replies


async def test_replay_ivr_with_dtmf(transcripts: Path) -> None:
    script = [
        *RECORDED,
        "GET DATA beep 8000 5",
        'SAY DIGITS 4521 ""',
        'SET VARIABLE IVR_CHOICE "1"',
        "CHANNEL STATUS",
        'SET VARIABLE IVR_NEXT "queue"',
    ]
    replies = await _replay(transcripts, "c_ivr_fastagi", script)
    assert replies[1].data == "5587654321" and replies[3].fields["endpos"] == "8365"
    assert chr(replies[4].number) == "1" and replies[5].result == "4521"
    assert replies[8].number == 6 and all(r.ok for r in replies)


async def test_replay_caller_hangup_does_not_shift_replies(transcripts: Path) -> None:
    script = [*RECORDED, "GET VARIABLE AGISTATUS", 'VERBOSE "after hangup" 1']
    replies = await _replay(transcripts, "d_ivr_caller_hangup", script)
    assert replies[4].dead_channel  # WAIT FOR DIGIT: 200 result=-1
    # panoramisk 1.4 took the HANGUP line for GET VARIABLE's reply and shifted the rest
    assert (replies[5].code, replies[5].result) == (200, "0")
    assert (replies[6].code, replies[6].result) == (200, "1")


async def test_agi_channel_turns_a_hangup_into_an_exception(transcripts: Path) -> None:
    from ivr.asterisk.agi_channel import AgiChannel

    outcome: asyncio.Future = asyncio.get_running_loop().create_future()

    async def route(session: AgiSession) -> None:
        channel = AgiChannel(session)
        await channel.answer()
        assert await channel.get_variable("${CALLERID(num)}") == "5533334444"
        await channel.verbose("SUAC Locatel IVR")
        assert await channel.stream_file("hello-world") is None
        try:
            await channel.wait_for_digit(8000)
        except CallerHungUp as error:
            outcome.set_result(error)

    server = FastAgiServer(host="127.0.0.1", port=0)
    server.route("ivr", route)
    _, port = await server.start()
    await replay_agi(transcripts / "d_ivr_caller_hangup.agi.interleaved.txt", port, grace=0.1)
    assert isinstance(await asyncio.wait_for(outcome, 5), CallerHungUp)
    await server.close()
