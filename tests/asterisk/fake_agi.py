"""A scripted Asterisk for FastAGI tests: sends the recorded environment, answers commands.

The caller is a script of keys: each ``WAIT FOR DIGIT`` takes the next one (``None`` is a
time-out); keys in ``barge_in`` interrupt the next ``STREAM FILE``. ``hang_up_at`` names the
command on which the caller hangs up: Asterisk then answers ``200 result=-1``, sends its
unsolicited ``HANGUP`` line, and refuses every later command with ``511``, as the recorded
``d_ivr_caller_hangup`` session shows. A file named in ``missing`` cannot be played: Asterisk
answers ``200 result=-1 endpos=0`` and the channel stays up.
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass, field
from pathlib import Path

DEAD = b"511 Command Not Permitted on a dead channel or intercept routine\n"


@dataclass
class AgiPeer:
    """Asterisk's side of one FastAGI session."""

    env: bytes
    keys: list[str | None] = field(default_factory=list)
    barge_in: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    linkedid: str = "1795555792.8"
    hang_up_at: str | None = None
    dead_at: str | None = None  # from this command on, 511 without a HANGUP line first
    recording: Path | None = None  # what RECORD FILE "records"
    speech: list[bytes] = field(default_factory=list)  # SPEECH RECOGNIZE replies, in order
    missing: set[str] = field(default_factory=set)  # sound files Asterisk cannot open
    speech_engine: bool = True  # whether SPEECH CREATE finds res_speech_vosk
    commands: list[str] = field(default_factory=list)
    set_variables: dict[str, str] = field(default_factory=dict)
    _dead: bool = False

    async def call(self, port: int) -> None:
        """Run the session against the FastAGI server on ``port`` until it closes."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(self.env)
        try:
            while line := await asyncio.wait_for(reader.readline(), 10):
                command = line.decode().rstrip("\n")
                self.commands.append(command)
                if len(self.commands) > 200:
                    raise AssertionError(f"runaway session: {self.commands[-12:]}")
                writer.write(self._answer(command))
                await writer.drain()
        finally:
            writer.close()

    def _answer(self, command: str) -> bytes:
        if self.dead_at and command.startswith(self.dead_at):
            self._dead = True
        if self._dead:
            return DEAD
        if self.hang_up_at and command.startswith(self.hang_up_at):
            self._dead = True
            return b"200 result=-1\nHANGUP\n"
        verb = " ".join(command.split()[:2])
        if verb == "GET FULL":
            expression = command.split(" ", 3)[3]
            if expression == "${CHANNEL(linkedid)}":
                return f"200 result=1 ({self.linkedid})\n".encode()
            value = self.variables.get(expression[2:-1])
            return f"200 result=1 ({value})\n".encode() if value else b"200 result=0\n"
        if verb == "SET VARIABLE":
            _, _, name, value = command.split(" ", 3)
            self.set_variables[name] = value[1:-1].replace('\\"', '"')
            return b"200 result=1\n"
        if verb == "STREAM FILE" and command.split()[2].rsplit("/", 1)[-1] in self.missing:
            return b"200 result=-1 endpos=0\n"  # res_agi's answer; the channel is still up
        if verb in ("STREAM FILE", "SAY DIGITS", "SAY NUMBER", "SAY DATETIME"):
            if self.barge_in and '""' not in command:
                return f"200 result={ord(self.barge_in.pop(0))} endpos=4000\n".encode()
            return b"200 result=0 endpos=8000\n"
        if verb == "WAIT FOR":
            key = self.keys.pop(0) if self.keys else None
            return f"200 result={ord(key) if key else 0}\n".encode()
        if verb == "RECORD FILE":
            target = Path(command.split()[2] + ".wav")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(self.recording, target)
            return b"200 result=0 (timeout) endpos=24000\n"
        if verb == "SPEECH CREATE":
            return b"200 result=1\n" if self.speech_engine else b"200 result=0\n"
        if verb == "SPEECH RECOGNIZE":
            return self.speech.pop(0) if self.speech else b"200 result=1 (timeout) endpos=0\n"
        return b"200 result=0\n"  # ANSWER, EXEC, VERBOSE, SPEECH DESTROY
