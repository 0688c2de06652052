"""Every telephony action, called the same way from any process (the agent console, the
supervisors' views, the worker): one method each, answered with Asterisk's or Twilio's reply
as a typed result, or a :class:`models.commands.CommandError` in Spanish (no owner, time-out,
refused)::

    telephony = Telephony(client=CommandClient(redis_url=url), servers=["locatel"], timeout=10)
    result = await telephony.pause("PJSIP/1001", reason="comida")
    result.ok, result.message          # (True, 'Interface paused successfully')

Asterisk commands go to the process that owns the server's AMI link (``server``: the first
configured one when empty); Twilio commands run in the calling process (see
:mod:`ivr.twilio.commands`). A refused AMI action (``ok=False``) is Asterisk's answer, not an
error.
"""

from __future__ import annotations

from typing import Any

from ivr.asterisk.actions import ActionResult
from ivr.asterisk.commands import asterisk_target
from ivr.twilio.commands import TWILIO, TwilioCall
from models.commands import CommandClient, NoOwner, Target


class Telephony:
    """The one facade over the Asterisk and Twilio commands."""

    def __init__(self, *, client: CommandClient, servers: list[str], timeout: float) -> None:
        self.client, self._servers, self._timeout = client, servers, timeout

    def _asterisk(self, server: str) -> Target:
        name = server or next(iter(self._servers), "")
        if not name:
            raise NoOwner("No hay servidores Asterisk configurados (SUAC_ASTERISK__SERVERS).")
        return asterisk_target(name)

    async def _ami(self, server: str, command: str, /, **args: Any) -> ActionResult:
        target = self._asterisk(server)
        return await self.client.call(target, command, args, ActionResult, timeout=self._timeout)

    async def _twilio(self, command: str, /, **args: Any) -> TwilioCall:
        return await self.client.call(TWILIO, command, args, TwilioCall, timeout=self._timeout)

    async def pause(
        self, interface: str, *, reason: str, queue: str | None = None, server: str = ""
    ) -> ActionResult:
        """Pause an agent's phone in a queue, with the reason."""
        return await self._ami(server, "pause", interface=interface, reason=reason, queue=queue)

    async def unpause(
        self, interface: str, *, reason: str = "", queue: str | None = None, server: str = ""
    ) -> ActionResult:
        """Make a paused agent available again."""
        return await self._ami(server, "unpause", interface=interface, reason=reason, queue=queue)

    async def add_member(
        self, interface: str, *, name: str = "", penalty: int = 0, server: str = ""
    ) -> ActionResult:
        """Log an agent's phone into the queue."""
        return await self._ami(
            server, "add_member", interface=interface, name=name, penalty=penalty
        )

    async def remove_member(self, interface: str, *, server: str = "") -> ActionResult:
        """Log an agent's phone out of the queue."""
        return await self._ami(server, "remove_member", interface=interface)

    async def spy(
        self, *, supervisor: str, agent: str, mode: str, channel_id: str, server: str = ""
    ) -> ActionResult:
        """Ring a supervisor's phone to listen, whisper (``susurrar``) or barge (``intervenir``)
        on an agent's call; ``channel_id`` names the supervisor's channel (see ``hangup``)."""
        return await self._ami(
            server, "spy", supervisor=supervisor, agent=agent, mode=mode, channel_id=channel_id
        )

    async def read_status(self, channel: str, *, folio: str = "", server: str = "") -> ActionResult:
        """Send a caller back to the IVR's status reading."""
        return await self._ami(server, "read_status", channel=channel, folio=folio)

    async def hangup(self, channel: str, *, cause: int = 16, server: str = "") -> ActionResult:
        """Hang an Asterisk channel up."""
        return await self._ami(server, "hangup", channel=channel, cause=cause)

    async def originate(
        self, number: str, *, caller_id: str, call_id: str = "", server: str = ""
    ) -> ActionResult:
        """Call a citizen back through the trunk into the agent queue."""
        return await self._ami(
            server, "originate", number=number, caller_id=caller_id, call_id=call_id
        )

    async def queue_log(
        self,
        event: str,
        *,
        message: str = "",
        interface: str = "",
        uniqueid: str = "NONE",
        server: str = "",
    ) -> ActionResult:
        """Write a line of Asterisk's queue log."""
        return await self._ami(
            server,
            "queue_log",
            event=event,
            message=message,
            interface=interface,
            uniqueid=uniqueid,
        )

    async def dial_next(self, queue: str, *, agent: str) -> TwilioCall:
        """Put the caller at the front of a Twilio queue through to ``agent``."""
        return await self._twilio("dial_next", queue=queue, agent=agent)

    async def end_call(self, call_sid: str) -> TwilioCall:
        """Hang a Twilio call up."""
        return await self._twilio("end_call", call_sid=call_sid)

    async def read_status_twilio(self, call_sid: str, *, folio: str = "") -> TwilioCall:
        """Send a Twilio caller back to the IVR's status reading."""
        return await self._twilio("read_status", call_sid=call_sid, folio=folio)

    async def place_call(self, to: str, *, url: str) -> TwilioCall:
        """Place a Twilio call-back; ``url`` gives its TwiML once answered."""
        return await self._twilio("place_call", to=to, url=url)

    async def close(self) -> None:
        """Release the command client."""
        await self.client.close()
