"""A simulated citizen on a real Asterisk, and the tests' own dialplan.

The citizen is the ``;1`` half of a Local channel originated into the inbound context: its
dialplan (:data:`CITIZEN_CONTEXT`) plays silence, or once the sentence the test names in
``SUAC_PRUEBA_HABLA`` (AMI ``Setvar``). It listens as a person would, through the tests' AMI
session: each ``AGIExecStart`` of its call says which prompt the IVR plays and when the IVR
waits for an answer (``WAIT FOR DIGIT``, ``RECORD FILE``); then it presses its keys, one per
wait (a key pressed while the IVR is between commands would be lost, as on a real line), or
says its sentence; over a long spoken prompt it presses its first key at once. It may hang
up on hearing a prompt::

    citizen = Citizen([("menu-teclas", "1"), ("alcaldia-teclas", "04#")], hang_up_on="registro")
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from ivr.asterisk.panoramisk_adapter import AmiConnection
from ivr.asterisk.prompt_audio import DYNAMIC, TONE

CITIZEN_CONTEXT = "suac-prueba-ciudadano"
AGENTS_CONTEXT = "suac-prueba-asesores"
SPEAK = "SUAC_PRUEBA_HABLA"
SUPERVISOR = "supervisor"
MODULES = ("app_senddtmf.so",)  # AMI PlayDTMF: the citizen's keys


def dialplan_of_tests(silence: Path) -> str:
    """The citizens' side and the Local-channel phones of members and supervisors."""
    quiet = silence.with_suffix("")
    return f"""; The tests' own contexts (never rendered by the product).
[{CITIZEN_CONTEXT}]
exten => s,1,Answer()
 same => n(oye),GotoIf($["${{{SPEAK}}}" != ""]?habla)
 same => n,Playback({quiet})
 same => n,Goto(oye)
 same => n(habla),Set(ARCHIVO=${{{SPEAK}}})
 same => n,Set({SPEAK}=)
 same => n,Playback(${{ARCHIVO}})
 same => n,Goto(oye)

; queue members (Local/asesor…) and a supervisor's phone: answer at once, stay on the line
[{AGENTS_CONTEXT}]
exten => _asesor.,1,Answer()
 same => n(linea),Playback({quiet})
 same => n,Goto(linea)
exten => {SUPERVISOR},1,Answer()
 same => n(linea),Playback({quiet})
 same => n,Goto(linea)
"""


Answer = str | Path  # keys, or a recorded sentence (a path without its extension)


class Citizen:
    """A caller who answers the prompts named in ``script`` (in order) and hears the rest."""

    def __init__(self, script: list[tuple[str, Answer]], *, hang_up_on: str = "") -> None:
        self.script, self.hang_up_on = list(script), hang_up_on
        self.call_id = ""
        self.ami: AmiConnection | None = None
        self.heard: list[str] = []  # every file the IVR played, by name
        self.ivr_channel = ""  # the IVR's half (the leg the dialplan queues)
        self._keys: list[str] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.hung_up = asyncio.Event()
        self.errors: list[str] = []  # what the citizen could not do (shown on a time-out)

    def heard_after(self, prompt: str) -> list[str]:
        """The files heard after the first one whose name starts with ``prompt``."""
        start = next(i for i, name in enumerate(self.heard) if name.startswith(prompt))
        return self.heard[start + 1 :]

    def on_event(self, headers: dict[str, str]) -> None:
        """An AMI event of this call (from the tests' session)."""
        if headers.get("Event") == "Hangup" and headers.get("Uniqueid") == self.call_id:
            self.hung_up.set()
        if headers.get("Event") != "AGIExecStart":
            return
        self.ivr_channel = headers.get("Channel", "")
        command = headers.get("Command", "")
        if command.startswith("STREAM FILE "):
            self._hear(command.split()[2])
        elif command.startswith(("WAIT FOR DIGIT", "RECORD FILE")):
            self._answer(recording=command.startswith("RECORD FILE"))

    def _hear(self, path: str) -> None:
        """A file starts playing: hang up on it, or press keys over a long spoken prompt (a
        static prompt here is a short silence: its keys wait for the IVR to listen)."""
        name = path.rsplit("/", 1)[-1]
        self.heard.append(name)
        if self.hang_up_on and name.startswith(self.hang_up_on):
            self.hang_up_on = ""
            self._do(self.hang_up())
        elif f"/{DYNAMIC}/" in path and self._asked(name) and isinstance(self.script[0][1], str):
            self._reply()

    def _asked(self, name: str) -> bool:
        return bool(self.script) and not self._keys and name.startswith(self.script[0][0])

    def _answer(self, *, recording: bool) -> None:
        """The IVR listens: the next key of an answer, or the answer to the last prompt."""
        if self._keys:
            self._do(self._press(self._keys.pop(0)))
            return
        asked = next((name for name in reversed(self.heard) if name != TONE), "")
        if not self._asked(asked):
            return
        if isinstance(self.script[0][1], Path) and not recording:
            self.errors.append(f"the IVR waits for keys, not speech, after {asked}")
            return
        self._reply()

    def _reply(self) -> None:
        _, answer = self.script.pop(0)
        if isinstance(answer, Path):
            self._do(self._send("Setvar", Channel=self.call_id, Variable=SPEAK, Value=str(answer)))
        else:
            first, *self._keys = answer
            self._do(self._press(first))

    def _do(self, work) -> None:  # noqa: ANN001  (a coroutine)
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.errors.append(repr(task.exception()))

    async def _press(self, key: str) -> None:
        await self._send("PlayDTMF", Channel=self.call_id, Digit=key, Duration="120")

    async def _send(self, action: str, **headers: str) -> None:
        assert self.ami is not None
        answer = await self.ami.send(action, **headers)
        assert answer.success, f"{action}: {answer.message}"

    async def hang_up(self) -> None:
        """Put the phone down."""
        await self._send("Hangup", Channel=self.call_id, Cause="16")  # normal clearing

    async def done(self, seconds: float = 30.0) -> None:
        """Wait until the citizen's side has hung up (either end)."""
        await asyncio.wait_for(self.hung_up.wait(), seconds)
