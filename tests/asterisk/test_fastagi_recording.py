"""Spoken steps on a stock Asterisk: no ``<recordings>/ivr`` folder, no core sounds (no
``beep``), no Spanish sounds. Each answer is what res_agi sends in that case (read in
``res/res_agi.c``: ``handle_recordfile``), and none of them is a system failure: the folder is
made, the caller is asked again or by keys, and digits and dates are read in the project's
own Spanish voice."""

from __future__ import annotations

import asyncio
import shlex
import wave
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.prompts.spoken import spoken_date, spoken_digits
from models.requests import Channel, RequestCreate

from .fake_agi import AgiPeer
from .test_fastagi import AUDIO, Rig, ScriptedRecognizer, _drain, env, rig  # noqa: F401
from .test_fastagi_heard import played

SPEECH = "hay un bache enorme en mi calle"


@dataclass
class StockAsterisk(AgiPeer):
    """A caller on a stock server: RECORD FILE neither makes folders nor finds ``beep``, SAY
    finds no sound, ``EXEC System`` runs its command (when ``app_system`` is loaded)."""

    system: bool = True
    silent: bool = False  # the caller says nothing: Asterisk writes a WAV of no samples
    systems: list[str] = field(default_factory=list)

    def _answer(self, command: str) -> bytes:
        words = command.split()
        verb = " ".join(words[:2])
        if verb == "RECORD FILE":
            if any(not w.startswith("s=") for w in words[7:]):  # the BEEP option
                return b"200 result=-1 (randomerror) endpos=0\n"  # no sounds/en/beep
            if not Path(words[2]).parent.is_dir():
                return b"200 result=-1 (writefile)\n"
            if self.silent:
                _write_wav(Path(words[2] + ".wav"), b"")
                return b"200 result=0 (timeout) endpos=0\n"
        if verb in ("SAY DIGITS", "SAY NUMBER", "SAY DATETIME"):
            return b"200 result=-1\n"  # no sounds/es (and no fall-back sounds/en)
        if verb == "EXEC System":
            if not self.system:
                return b"200 result=-2\n"  # res_agi: no such application
            self.systems.append(command)
            argv = shlex.split(shlex.split(command.split(" ", 2)[2])[0])
            assert argv[:2] == ["mkdir", "-p"], argv
            Path(argv[2]).mkdir(parents=True)
            self.variables["SYSTEMSTATUS"] = "SUCCESS"
            return b"200 result=0\n"
        return super()._answer(command)


def _write_wav(path: Path, pcm16: bytes) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(pcm16)


def _failed(peer: AgiPeer) -> bool:
    return peer.set_variables.get("SUAC_MOTIVO") == "falla del sistema"


@pytest.mark.parametrize("system", [True, False], ids=["by-asterisk", "without-app-system"])
async def test_the_first_answer_is_recorded_on_a_stock_server(
    rig: Rig,  # noqa: F811
    transcripts: Path,
    system: bool,
) -> None:
    port = await rig.start(recognizer=ScriptedRecognizer(SPEECH))
    peer = StockAsterisk(env=env(transcripts), recording=AUDIO / "bache.wav", system=system)
    async with rig.bus.subscribe() as events:
        await peer.call(port)
        await asyncio.sleep(0.05)
        heard = [e async for e in _drain(events) if e.type == "call.speech_result"]
    assert heard and heard[0].transcript == SPEECH and not _failed(peer)
    assert len(peer.systems) == system  # made once: by Asterisk's own user, else here
    assert (rig.tmp / "grabaciones" / "ivr").is_dir()
    records = [c for c in peer.commands if c.startswith("RECORD FILE")]
    assert all("BEEP" not in c for c in records)
    tone = peer.commands.index(records[-1]) - 1  # the project's own tone, then the recording
    assert peer.commands[tone].startswith("STREAM FILE ") and "/voz/tono " in peer.commands[tone]


async def test_a_silent_caller_is_asked_again(rig: Rig, transcripts: Path) -> None:  # noqa: F811
    port = await rig.start(recognizer=ScriptedRecognizer(SPEECH))
    peer = StockAsterisk(env=env(transcripts), silent=True)
    await peer.call(port)
    assert not _failed(peer)
    assert played(peer).count("sin-respuesta") == 2  # asked again, then the third: an agent


async def test_without_a_folder_to_record_in_the_caller_is_asked_by_keys(
    rig: Rig,  # noqa: F811
    transcripts: Path,
) -> None:
    port = await rig.start(recognizer=ScriptedRecognizer(SPEECH))
    (rig.tmp / "grabaciones").write_text("")  # not a folder: nobody can make ivr/ in it
    peer = StockAsterisk(env=env(transcripts), keys=["0"], system=False)
    await peer.call(port)
    assert not _failed(peer)
    assert any(c.startswith("WAIT FOR DIGIT") for c in peer.commands)
    assert peer.set_variables["SUAC_SIGUIENTE"] == "cola"  # the caller pressed 0


async def test_digits_and_dates_are_read_in_the_projects_voice(
    rig: Rig,  # noqa: F811
    transcripts: Path,
) -> None:
    request = await rig.service.register(
        RequestCreate(catalogue_code="AGU-001", channel=Channel.AGENT, alcaldia="Tlalpan"),
        actor="agente:prueba",
    )
    port = await rig.start()
    peer = StockAsterisk(env=env(transcripts), keys=["2", *request.folio, "#"])
    await peer.call(port)
    assert not _failed(peer) and peer.set_variables["SUAC_SIGUIENTE"] == "colgar"
    assert not any(c.startswith("SAY ") for c in peer.commands)
    due = request.due_at.astimezone(ZoneInfo("America/Mexico_City")).date()
    assert spoken_date(due) in rig.synth.texts
    folio = spoken_digits(request.folio).replace(",", "").split()
    digits = [p for p in played(peer) if p.startswith("digito")]
    assert len(digits) == len(folio) == 10
    assert set(folio) <= set(rig.synth.texts)  # one file per digit, whatever the folio
