"""What the rest of the system asks Asterisk to do, each answer reported as Asterisk gave it.

    result = await actions.pause("PJSIP/1001", reason="comida")
    result.ok, result.message   # (True, 'Interface paused successfully')

A refused action comes back with ``ok=False`` and Asterisk's own message ("No such
channel"); an unreachable or silent server raises (:class:`AmiConnectionFailed`,
:class:`AmiActionTimeout`).
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from ivr.asterisk import constants as names
from ivr.asterisk.bridge import AmiBridge
from ivr.asterisk.errors import AmiBadAction

EXTENSION = re.compile(r"^[0-9A-Za-z_]{1,32}$")
CHANNEL = re.compile(r"^[\w/@;:.\-]{1,120}$")
INTERFACE = re.compile(r"^[A-Za-z][A-Za-z0-9]*/[\w@.\-]{1,80}$")  # a phone: PJSIP/1001
NUMBER = re.compile(r"^\+?[0-9]{3,15}$")
TRUNK_ENDPOINT = "trunk"  # the carrier's PJSIP endpoint in the rendered pjsip.conf
RING_MILLISECONDS = "30000"


class ActionResult(BaseModel):
    """Asterisk's answer to one action."""

    model_config = ConfigDict(frozen=True)

    action: str
    ok: bool
    message: str


def _checked(value: str, pattern: re.Pattern[str], what: str) -> str:
    if not pattern.match(value):
        raise AmiBadAction(f"{what} no válido: «{value}».")
    return value


class AsteriskActions:
    """Queue membership and pauses, supervisors' spying, redirects, hang-ups, call-backs and
    queue-log lines."""

    def __init__(self, *, bridge: AmiBridge, queue: str, server: str = "") -> None:
        self._bridge, self._queue, self._server = bridge, queue, server

    async def _send(self, action: str, **headers: object) -> ActionResult:
        answer = await self._bridge.send(self._server, action, **headers)
        return ActionResult(action=action, ok=answer.success, message=answer.message)

    async def pause(self, interface: str, *, reason: str, queue: str | None = None) -> ActionResult:
        """Pause an agent in the queue, with the reason supervisors and reports see."""
        return await self._send(
            "QueuePause",
            Interface=_checked(interface, CHANNEL, "Interfaz"),
            Queue=queue or self._queue,
            Paused="true",
            Reason=reason,
        )

    async def unpause(
        self, interface: str, *, reason: str = "", queue: str | None = None
    ) -> ActionResult:
        """Make a paused agent available again (``reason``: why, for the queue log)."""
        return await self._send(
            "QueuePause",
            Interface=_checked(interface, CHANNEL, "Interfaz"),
            Queue=queue or self._queue,
            Paused="false",
            Reason=reason,
        )

    async def add_member(
        self, interface: str, *, name: str = "", penalty: int = 0, queue: str | None = None
    ) -> ActionResult:
        """Log an agent's phone into the queue."""
        return await self._send(
            "QueueAdd",
            Queue=queue or self._queue,
            Interface=_checked(interface, CHANNEL, "Interfaz"),
            MemberName=name or interface,
            Penalty=str(penalty),
            StateInterface=interface,
        )

    async def remove_member(self, interface: str, *, queue: str | None = None) -> ActionResult:
        """Log an agent's phone out of the queue."""
        return await self._send(
            "QueueRemove",
            Queue=queue or self._queue,
            Interface=_checked(interface, CHANNEL, "Interfaz"),
        )

    async def spy(self, *, supervisor: str, agent: str, mode: str, channel_id: str) -> ActionResult:
        """Ring a supervisor's phone; once answered, it listens, whispers or barges on the
        agent's live channel (``Originate`` straight into ``ChanSpy``).

        ``supervisor`` and ``agent`` are interfaces (``PJSIP/1900``, ``PJSIP/1001``); ``mode``
        is ``escuchar``, ``susurrar`` or ``intervenir`` (options ``qES``, ``qwES``, ``qBES``);
        ``channel_id`` (starting with ``suac-escucha-``) becomes the supervisor's channel's
        Uniqueid, so its end is reported and ``hangup(channel_id)`` ends it.
        """
        options = names.SPY_MODES.get(mode)
        if options is None:
            raise AmiBadAction(f"Modo de supervisión desconocido: «{mode}».")
        if not channel_id.startswith(names.SPY_CHANNEL_PREFIX):
            raise AmiBadAction(f"Canal de supervisión no válido: «{channel_id}».")
        return await self._send(
            "Originate",
            Channel=_checked(supervisor, INTERFACE, "Teléfono del supervisor"),
            Application=names.SPY_APPLICATION,
            Data=f"{_checked(agent, INTERFACE, 'Teléfono del asesor')}-,{options}",
            ChannelId=_checked(channel_id, CHANNEL, "Canal"),
            CallerID=f'"Supervisión: {mode}"',
            Timeout=RING_MILLISECONDS,
        )

    async def read_status(self, channel: str, *, folio: str = "") -> ActionResult:
        """Send a caller back into the IVR's status reading (for ``folio`` when given)."""
        if folio and not folio.isdigit():
            raise AmiBadAction(f"Folio no válido: «{folio}».")
        return await self._send(
            "Redirect",
            Channel=_checked(channel, CHANNEL, "Canal"),
            Context=names.CONTEXT_STATUS,
            Exten=folio or names.EXTEN_START,
            Priority="1",
        )

    async def hangup(self, channel: str, *, cause: int = 16) -> ActionResult:
        """Hang a channel up (cause 16: normal clearing)."""
        return await self._send(
            "Hangup", Channel=_checked(channel, CHANNEL, "Canal"), Cause=str(cause)
        )

    async def originate(self, number: str, *, caller_id: str, call_id: str = "") -> ActionResult:
        """Call a citizen back through the trunk; once answered, the call joins the queue.

        ``call_id`` (the first call's id) is set on the new channel as ``SUAC_LLAMADA``.
        """
        variables = {}
        if call_id:
            variables["Variable"] = f"{names.VAR_CALL_ID}={_checked(call_id, CHANNEL, 'Llamada')}"
        return await self._send(
            "Originate",
            Channel=f"PJSIP/{_checked(number, NUMBER, 'Número')}@{TRUNK_ENDPOINT}",
            Context=names.CONTEXT_QUEUE,
            Exten=names.EXTEN_START,
            Priority="1",
            CallerID=_checked(caller_id, NUMBER, "Número de origen"),
            Timeout=RING_MILLISECONDS,
            **variables,
        )

    async def queue_log(
        self,
        event: str,
        *,
        message: str = "",
        interface: str = "",
        uniqueid: str = "NONE",
        queue: str | None = None,
    ) -> ActionResult:
        """Write one line of the queue log (``queue_log``), e.g. an agent's wrap-up code."""
        return await self._send(
            "QueueLog",
            Queue=queue or self._queue,
            Event=_checked(event, EXTENSION, "Evento"),
            Uniqueid=uniqueid,
            Interface=_checked(interface, CHANNEL, "Interfaz") if interface else "",
            Message=message,
        )
