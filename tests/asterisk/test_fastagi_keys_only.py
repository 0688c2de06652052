"""Keys alone register a request on the Asterisk front (issue 14, item 10), over FastAGI with
a scripted peer: a front that cannot hear (``speech = "dtmf"``, recording without a recogniser,
or a call the dialplan marks ``SUAC_VOZ=dtmf``), whose reference is recorded for a person; a
key pressed at the describe step; and a recogniser Asterisk lacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from ivr.flow.completion import NO_REFERENCE
from models.reference_audio import SPOKEN_REFERENCE, recording_of
from models.requests import ServiceRequest

from .fake_agi import AgiPeer
from .test_fastagi import AUDIO, Rig, ScriptedRecognizer, env, rig  # noqa: F401  (the rig fixture)
from .test_fastagi_place import Caller, the_request


def recorded_reference(rig: Rig, request: ServiceRequest) -> bytes | None:  # noqa: F811
    """The WAV kept as the request's reference, if any."""
    assert request.id is not None
    with Session(rig.engine) as session:
        kept = recording_of(session, request.id)
        return None if kept is None else kept.audio


def played(peer: AgiPeer) -> list[str]:
    """The prompt files played, by name (a dynamic prompt's name keeps its digest)."""
    files = [c.split()[2] for c in peer.commands if c.startswith("STREAM FILE")]
    return [f.rsplit("/", 1)[1] for f in files]


@pytest.mark.parametrize("speech", ["dtmf", "record"])  # "record" here has no recogniser
async def test_a_front_that_cannot_hear_registers_by_keys_with_the_reference_recorded(
    rig: Rig,  # noqa: F811
    transcripts: Path,
    speech: str,
) -> None:
    port = await rig.start(speech=speech)
    peer = AgiPeer(
        env=env(transcripts), keys=["1", "2", "0", "4", "#", "1"], recording=AUDIO / "bache.wav"
    )
    await peer.call(port)
    request = the_request(rig)
    assert (request.catalogue_code, request.alcaldia) == ("ALU-001", "Coyoacán")
    assert request.reference == SPOKEN_REFERENCE
    assert recorded_reference(rig, request) == (AUDIO / "bache.wav").read_bytes()
    names = played(peer)
    assert names[:4] == ["bienvenida", "aviso-grabacion", "menu-teclas", names[3]]
    assert names[3].startswith("categoria-teclas") and "alcaldia-teclas" in names
    assert not any(n.startswith("registro-describa") for n in names)
    assert "referencia-teclas" in names  # the one answer recorded, never transcribed
    assert [c.split()[:2] for c in peer.commands if c.startswith(("RECORD", "SPEECH"))] == [
        ["RECORD", "FILE"]
    ]
    assert any(n.startswith("folio-registrado") for n in names)  # the folio read back
    assert peer.set_variables["SUAC_SIGUIENTE"] == "colgar"


async def test_a_call_the_dialplan_marks_keys_only_is_never_transcribed(
    rig: Rig,  # noqa: F811
    transcripts: Path,
) -> None:
    recognizer = ScriptedRecognizer("hay un bache enorme en mi calle")
    port = await rig.start(speech="record", recognizer=recognizer)
    peer = AgiPeer(
        env=env(transcripts),
        keys=["1", "2", "0", "4", "#", "1"],
        variables={"SUAC_VOZ": "dtmf"},  # a noisy trunk, say
        recording=AUDIO / "bache.wav",
    )
    await peer.call(port)
    request = the_request(rig)
    assert request.reference == SPOKEN_REFERENCE and recorded_reference(rig, request)
    assert recognizer.samples == 0  # the one recording kept for a person, not transcribed
    assert "menu-teclas" in played(peer) and "registro-describa" not in played(peer)


async def test_a_key_at_the_describe_step_and_the_reference_skipped(
    rig: Rig,  # noqa: F811
    transcripts: Path,
) -> None:
    port = await rig.start(speech="asterisk")
    caller = Caller(
        env=env(transcripts),
        answers={
            "menu-principal": ["#1"],
            "registro-describa": ["#7"],  # a noisy line: any key offers the list
            "categoria-teclas": ["#5"],
            "alcaldia-pregunta": ["#09960"],
            "lugar-confirmar": ["#1"],
            "referencia-teclas": ["##"],
        },
    )
    await caller.call(port)
    request = the_request(rig)
    assert (request.catalogue_code, request.alcaldia) == ("VIA-001", "Iztapalapa")
    assert request.reference == NO_REFERENCE
    assert "referencia-teclas" in caller.played


async def test_without_a_recogniser_in_asterisk_silence_leads_to_the_list(
    rig: Rig,  # noqa: F811
    transcripts: Path,
) -> None:
    port = await rig.start(speech="asterisk")
    peer = AgiPeer(
        env=env(transcripts),
        speech_engine=False,  # SPEECH CREATE fails: every gather waits for keys
        keys=["1", None, None, None, "3", "1", "6", "#", "1", "#"],
    )
    await peer.call(port)
    request = the_request(rig)
    assert (request.catalogue_code, request.alcaldia) == ("ARB-001", "Xochimilco")
    assert request.reference == NO_REFERENCE
    names = played(peer)
    assert names.count("registro-describa") == 3 and "sin-respuesta" in names
    assert peer.set_variables["SUAC_SIGUIENTE"] == "colgar"
