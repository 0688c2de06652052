"""Speech that is no speech on the Asterisk front: a transcript that loops, or holds more words
than the recording's seconds, is not heard; the caller is asked again, and the third time
goes to an agent."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import wave
from pathlib import Path

from ivr.speech import Transcript

from .fake_agi import AgiPeer
from .test_fastagi import AUDIO, Rig, _drain, env, rig  # noqa: F401  (the FastAGI rig fixture)

LOOP = "La humía, la humía, la humía, la humía, la humía, la humía, la humía."
BACHE = "hay un bache enorme en mi calle"
# ten seconds of talk, transcribed from a recording of under three
TOO_LONG = (
    "hay un bache enorme en mi calle desde hace dos semanas, ya se cayeron tres motos y un "
    "señor en bicicleta, los vecinos pusimos unas piedras para avisar pero de noche no se ve "
    "nada porque la luminaria también está fundida desde el mes pasado"
)


class Transcripts:
    """An utterance engine that says ``texts`` in turn, then the last one again."""

    name = "prueba"

    def __init__(self, *texts: str) -> None:
        self.texts = list(texts)

    def transcribe(self, pcm16: bytes, sample_rate: int = 8000) -> Transcript:
        text = self.texts.pop(0) if len(self.texts) > 1 else self.texts[0]
        return Transcript(text=text, confidence=0.9)


def played(peer: AgiPeer) -> list[str]:
    """The prompts Asterisk was asked to play, by name (without the hash of their wording), but
    the tone before each recorded answer."""
    files = [c.split()[2] for c in peer.commands if c.startswith("STREAM FILE")]
    names = [re.sub(r"-[0-9a-f]{16}$", "", f.rsplit("/", 1)[1]) for f in files]
    return [name for name in names if name != "tono"]


async def speak(
    rig: Rig,  # noqa: F811
    transcripts: Path,
    engine: Transcripts,
    recording: Path = AUDIO / "bache.wav",
) -> tuple[AgiPeer, list]:
    """A call whose every recording is ``recording`` transcribed by ``engine``."""
    port = await rig.start(recognizer=engine)
    peer = AgiPeer(env=env(transcripts), recording=recording)
    async with rig.bus.subscribe() as events:
        await peer.call(port)
        await asyncio.sleep(0.05)
        heard = [e.transcript async for e in _drain(events) if e.type == "call.speech_result"]
    return peer, heard


async def test_a_looping_transcript_is_asked_again(rig: Rig, transcripts: Path) -> None:  # noqa: F811
    peer, heard = await speak(rig, transcripts, Transcripts(LOOP, BACHE))
    prompts = played(peer)
    assert prompts[2:6] == [
        "menu-principal",
        "sin-respuesta",
        "menu-principal",
        "categoria-confirmar",
    ]
    assert prompts.count("sin-respuesta") == 1 and "no-entendi" not in prompts
    assert heard[0] == BACHE and LOOP not in heard


async def test_loops_only_reach_an_agent_after_the_third(rig: Rig, transcripts: Path) -> None:  # noqa: F811
    peer, heard = await speak(rig, transcripts, Transcripts(LOOP))
    assert played(peer).count("sin-respuesta") == 2 and heard == []
    context = json.loads(base64.b64decode(peer.set_variables["SUAC_CONTEXTO"]))
    assert context["reason"] == "tres intentos sin éxito" and context["transcript"] == []
    assert peer.set_variables["SUAC_SIGUIENTE"] == "cola"


async def test_more_words_than_the_recording_holds_are_not_heard(
    rig: Rig,  # noqa: F811
    transcripts: Path,
) -> None:
    peer, heard = await speak(rig, transcripts, Transcripts(TOO_LONG, BACHE))
    assert played(peer).count("sin-respuesta") == 1
    assert heard[0] == BACHE and TOO_LONG not in heard


async def test_a_silent_recording_never_reaches_the_engine(
    rig: Rig,  # noqa: F811
    transcripts: Path,
    tmp_path: Path,
) -> None:
    silent = tmp_path / "silencio.wav"
    with wave.open(str(silent), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 16000)
    engine = Transcripts("No, no, no.")  # what Whisper base says over silence
    peer, heard = await speak(rig, transcripts, engine, recording=silent)
    assert heard == [] and played(peer).count("sin-respuesta") == 2
