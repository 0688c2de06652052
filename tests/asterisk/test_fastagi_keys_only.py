"""Keys alone register a request on the Asterisk front (issue 14, item 10), over FastAGI with
a scripted peer: a front that cannot hear (``speech = "dtmf"``, or recording without a
recogniser), a key pressed at the describe step, and a recogniser Asterisk lacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.flow.completion import NO_REFERENCE

from .fake_agi import AgiPeer
from .test_fastagi import Rig, env, rig  # noqa: F401  (the FastAGI rig fixture)
from .test_fastagi_place import Caller, the_request


def played(peer: AgiPeer) -> list[str]:
    """The prompt files played, by name (a dynamic prompt's name keeps its digest)."""
    files = [c.split()[2] for c in peer.commands if c.startswith("STREAM FILE")]
    return [f.rsplit("/", 1)[1] for f in files]


@pytest.mark.parametrize("speech", ["dtmf", "record"])  # "record" here has no recogniser
async def test_a_front_that_cannot_hear_registers_by_keys(
    rig: Rig,  # noqa: F811
    transcripts: Path,
    speech: str,
) -> None:
    port = await rig.start(speech=speech)
    peer = AgiPeer(env=env(transcripts), keys=["1", "2", "0", "4", "#", "1"])
    await peer.call(port)
    request = the_request(rig)
    assert (request.catalogue_code, request.alcaldia) == ("ALU-001", "Coyoacán")
    assert request.reference == NO_REFERENCE
    names = played(peer)
    assert names[:4] == ["bienvenida", "aviso-grabacion", "menu-teclas", names[3]]
    assert names[3].startswith("categoria-teclas") and "alcaldia-teclas" in names
    assert not any(n.startswith(("registro-describa", "referencia")) for n in names)
    assert not any(c.startswith(("RECORD FILE", "SPEECH")) for c in peer.commands)
    assert any(n.startswith("folio-registrado") for n in names)  # the folio read back
    assert peer.set_variables["SUAC_SIGUIENTE"] == "colgar"


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
