"""The FastAGI front's failure path is a hand-off like any other: the agent gets the context
gathered so far (``SUAC_CONTEXTO``, ``call.handed_over``), not a bare "falla del sistema"."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

from models.handoff import HandoffContext, handoff_for

from .fake_agi import AgiPeer
from .test_fastagi import LINKEDID, Rig, env, rig  # noqa: F401  (the FastAGI rig fixture)


@dataclass
class BrokenSounds(AgiPeer):
    """Once the call's recording has started, Asterisk cannot open any sound file but those
    named in ``playable`` (the channel stays up: ``200 result=-1 endpos=0``)."""

    playable: frozenset[str] = frozenset()
    recording_started: bool = False

    def _answer(self, command: str) -> bytes:
        self.recording_started |= command.startswith("EXEC MixMonitor")
        name = command.split()[2].rsplit("/", 1)[-1] if command.startswith("STREAM FILE") else ""
        if self.recording_started and name and name not in self.playable:
            return b"200 result=-1 endpos=0\n"
        return super()._answer(command)


async def test_a_failure_hands_over_with_the_context_gathered(
    rig: Rig,  # noqa: F811
    transcripts: Path,
) -> None:
    port = await rig.start()
    peer = BrokenSounds(env=env(transcripts), playable=frozenset({"falla-asesor"}))
    record = await rig.record_of_call(port, peer)
    variables = peer.set_variables
    assert variables["SUAC_SIGUIENTE"] == "cola" and variables["SUAC_COLA"] == "locatel"
    assert variables["SUAC_LLAMADA"] == LINKEDID and variables["SUAC_MOTIVO"] == "falla del sistema"
    context = json.loads(base64.b64decode(variables["SUAC_CONTEXTO"]))
    assert context["reason"] == "falla del sistema" and context["path"] == ["menu"]
    assert context["caller"] == "+525587654321"
    assert record is not None and record.ivr_outcome == "handed_over"
    assert handoff_for(rig.engine, LINKEDID) == HandoffContext.model_validate(context)
    assert "falla-asesor" in peer.commands[-1]


async def test_the_variables_are_set_even_when_the_notice_cannot_be_played(
    rig: Rig,  # noqa: F811
    transcripts: Path,
) -> None:
    port = await rig.start()
    peer = BrokenSounds(env=env(transcripts))
    await peer.call(port)
    context = json.loads(base64.b64decode(peer.set_variables["SUAC_CONTEXTO"]))
    assert context["reason"] == "falla del sistema"
    assert peer.set_variables["SUAC_SIGUIENTE"] == "cola"
