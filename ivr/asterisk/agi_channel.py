"""Typed AGI commands on one channel; a hang-up anywhere raises :class:`CallerHungUp`.

Asterisk reports a caller who hung up mid-command with ``200 result=-1`` (or ``(hangup)``),
then ``511`` for any later command, and an unsolicited ``HANGUP`` line (which the adapter
absorbs). Every method turns those into one exception, so the front can stop at once and
tell the flow, leaving nothing half-written. But ``-1`` also means "could not open the file"
(``STREAM FILE`` with a missing sound, ``RECORD FILE`` in a missing folder) on a live channel,
so a ``-1`` is checked with one harmless command: on a hung-up channel Asterisk sends its
``HANGUP`` line before answering it (as in the recorded ``d_ivr_caller_hangup`` session) or
refuses it with ``511``; otherwise the failure is :class:`AgiCommandFailed` and the caller goes
to an agent::

    digit = await channel.stream_file("/var/lib/asterisk/sounds/es/suac/menu-principal")
"""

from __future__ import annotations

from ivr.asterisk.agi_result import AgiReply
from ivr.asterisk.errors import AgiCommandFailed, CallerHungUp, RecordingUnavailable
from ivr.asterisk.panoramisk_adapter import AgiSession

DIGITS = "0123456789*#"
PROBE = "GET VARIABLE AGISTATUS"  # harmless, and res_agi allows it on a dead channel too


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _digit(reply: AgiReply) -> str | None:
    """The key a command was interrupted with (``result`` is its ASCII code), if any."""
    code = reply.number or 0
    return chr(code) if code > 0 and chr(code) in DIGITS else None


class AgiChannel:
    """The commands the IVR front needs, with hang-ups as exceptions."""

    def __init__(self, session: AgiSession) -> None:
        self.session = session
        self.env = session.env

    async def run(self, command: str) -> AgiReply:
        """Send ``command``; raise :class:`CallerHungUp` when the channel is gone."""
        if self.session.hung_up:
            raise CallerHungUp("El ciudadano colgó.")
        reply = await self.session.command(command)
        failed = reply.code == 200 and reply.result == "-1" and reply.data != "hangup"
        if failed and not self.session.hung_up:
            await self._check_alive(command)
        if reply.dead_channel or self.session.hung_up:
            raise CallerHungUp(f"El ciudadano colgó durante «{command.split(' ', 2)[:2]}».")
        return reply

    async def _check_alive(self, command: str) -> None:
        """After a ``-1``: raise :class:`CallerHungUp`, or :class:`AgiCommandFailed` if up."""
        probe = await self.session.command(PROBE)
        if probe.code == 511 or self.session.hung_up:
            self.session.hung_up = True
            raise CallerHungUp(f"El ciudadano colgó durante «{command.split(' ', 2)[:2]}».")
        raise AgiCommandFailed(f"Asterisk no pudo ejecutar «{command}» (result=-1).")

    async def answer(self) -> None:
        await self.run("ANSWER")

    async def get_variable(self, expression: str) -> str:
        """The value of a variable or a ``${…}`` expression ("" when unset)."""
        reply = await self.run(f"GET FULL VARIABLE {expression}")
        return (reply.data or "") if reply.result == "1" else ""

    async def set_variable(self, name: str, value: str) -> None:
        await self.run(f"SET VARIABLE {name} {_quote(value)}")

    async def stream_file(self, path: str, *, interruptible: bool = True) -> str | None:
        """Play a file; the key that interrupted it, if any."""
        escape = DIGITS if interruptible else ""
        return _digit(await self.run(f"STREAM FILE {path} {_quote(escape)}"))

    async def wait_for_digit(self, timeout_ms: int) -> str | None:
        """The next key pressed within ``timeout_ms``, or None."""
        return _digit(await self.run(f"WAIT FOR DIGIT {timeout_ms}"))

    async def record_file(
        self, path: str, *, timeout_ms: int, silence_seconds: int = 2
    ) -> tuple[str | None, AgiReply]:
        """Record the caller to ``path``.wav until silence; a key press stops it.

        No ``BEEP`` option: Asterisk's ``beep`` is a core sound a stock server may lack (the
        front plays its own tone first). Asterisk makes no folder here: a missing one is
        ``200 result=-1 (writefile)``, raised as :class:`RecordingUnavailable`."""
        command = f"RECORD FILE {path} wav {_quote(DIGITS)} {timeout_ms} 0 s={silence_seconds}"
        try:
            reply = await self.run(command)
        except AgiCommandFailed as failed:
            raise RecordingUnavailable(f"Asterisk no pudo grabar en «{path}».") from failed
        return (_digit(reply) if reply.data == "dtmf" else None), reply

    async def exec(self, application: str, options: str = "") -> AgiReply:
        """Run a dialplan application (``MixMonitor``, ``Playback``…)."""
        return await self.run(f"EXEC {application} {_quote(options)}")

    async def verbose(self, message: str) -> None:
        await self.run(f"VERBOSE {_quote(message)} 1")
