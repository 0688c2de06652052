"""What the rest of the system asks Asterisk to do, each answer reported as Asterisk gave it.

    result = await actions.pause("PJSIP/1001", reason="comida")
    result.ok, result.message   # (True, 'Interface paused successfully')

A refused action comes back with ``ok=False`` and Asterisk's own message ("No such
channel"); an unreachable or silent server raises (:class:`AmiConnectionFailed`,
:class:`AmiActionTimeout`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ivr.asterisk import constants as names
from ivr.asterisk.bridge import AmiBridge
from ivr.asterisk.errors import AmiBadAction

EXTENSION = re.compile(r"^[0-9A-Za-z_]{1,32}$")
CHANNEL = re.compile(r"^[\w/@;:.\-]{1,120}$")


@dataclass(frozen=True)
class ActionResult:
    """Asterisk's answer to one action."""

    action: str
    ok: bool
    message: str


def _checked(value: str, pattern: re.Pattern[str], what: str) -> str:
    if not pattern.match(value):
        raise AmiBadAction(f"{what} no válido: «{value}».")
    return value


class AsteriskActions:
    """Queue membership and pauses, supervisors' spying, redirects and hang-ups."""

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

    async def unpause(self, interface: str, *, queue: str | None = None) -> ActionResult:
        """Make a paused agent available again."""
        return await self._send(
            "QueuePause",
            Interface=_checked(interface, CHANNEL, "Interfaz"),
            Queue=queue or self._queue,
            Paused="false",
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

    async def spy(self, *, supervisor: str, agent: str, mode: str) -> ActionResult:
        """Ring a supervisor's phone; once answered, listen, whisper or barge on ``agent``.

        ``mode`` is ``escuchar``, ``susurrar`` or ``intervenir`` (``ChanSpy`` options
        ``qES``, ``qwES``, ``qBES`` in the supervisors' context).
        """
        if mode not in names.SPY_MODES:
            raise AmiBadAction(f"Modo de supervisión desconocido: «{mode}».")
        phone = _checked(supervisor, EXTENSION, "Extensión")
        return await self._send(
            "Originate",
            Channel=f"PJSIP/{phone}",
            Context=names.CONTEXT_SUPERVISOR,
            Exten=f"{mode}-{_checked(agent, EXTENSION, 'Extensión')}",
            Priority="1",
            CallerID=f'"Supervisión {mode}" <{phone}>',
            Timeout="30000",
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
