"""An agent's queue actions and state, whichever front reaches the agent's phone.

An Asterisk interface (``PJSIP/1001``, ``SIP/…``, ``Local/…``) goes through the command path
to the process that owns the AMI link (``QueueAdd``, ``QueuePause`` with the reason,
``QueueRemove``); its state is what the PBX reported last (the web process's
:class:`models.agent_status.AgentStatusBook`). A Twilio agent (an E.164 number or a ``sip:``
address) has the service itself as its telephony side (:class:`ivr.twilio.agent_dispatch.
TwilioAgents`), and its state is its presence::

    desk = AgentDesk(telephony=telephony, twilio=twilio_agents, book=agent_states,
                     queue="locatel", phone="PJSIP/1001", name="Ana Pérez")
    await desk.act("pausa", reason="Comida")     # raises QueueActionFailed in Spanish
    status = await desk.status()
"""

from __future__ import annotations

import re

from ivr.asterisk.actions import ActionResult
from ivr.telephony import Telephony
from ivr.twilio.agent_dispatch import TwilioAgents
from ivr.twilio.commands import AGENT as TWILIO_AGENT
from models.agent_presence import shown
from models.agent_status import UNKNOWN, AgentStatus, AgentStatusBook
from models.commands import CommandError
from models.errors import DomainError
from models.events import CallTransport

ASTERISK_INTERFACE = re.compile(r"^[A-Za-z][A-Za-z0-9]*/[\w@;:.\-]{1,120}$")
ACTIONS = ("entrar", "disponible", "pausa", "salir")
FRONT_LABELS = {"asterisk": "Asterisk", "twilio": "Twilio"}


class QueueActionFailed(DomainError):
    """A queue action the telephony side did not carry out (the state did not change);
    ``status_code`` is the cause's (503 no owner, 504 time-out, 409 not in the queue…)."""

    error_id = "queue-action-failed"
    status_code = 502

    def __init__(self, message: str, *, cause: DomainError | None = None) -> None:
        super().__init__(message)
        if cause is not None:
            self.status_code = cause.status_code


def front_of(phone: str) -> str:
    """``asterisk``, ``twilio``, or "" when the phone is neither.

    >>> [front_of(p) for p in ("PJSIP/1001", "+525512345678", "sip:a@b.mx", "1001")]
    ['asterisk', 'twilio', 'twilio', '']
    """
    if TWILIO_AGENT.match(phone):
        return "twilio"
    if ASTERISK_INTERFACE.match(phone):
        return "asterisk"
    return ""


class AgentDesk:
    """One agent's phone in the agent queue."""

    def __init__(
        self,
        *,
        telephony: Telephony,
        twilio: TwilioAgents,
        book: AgentStatusBook,
        queue: str,
        phone: str,
        name: str,
    ) -> None:
        self._telephony, self._twilio_agents, self._book = telephony, twilio, book
        self.queue, self.phone, self._name = queue, phone, name
        self.front = front_of(phone)

    @property
    def transport(self) -> CallTransport:
        """The transport whose events tell this phone's state."""
        return "twilio" if self.front == "twilio" else "asterisk"

    async def status(self) -> AgentStatus:
        """The state the telephony side reports now."""
        if self.front == "twilio":
            row = await self._twilio_agents.presence.get(self.phone)
            if row is None:
                return AgentStatus("logged_out", "", self.queue)
            state, reason = shown(row)
            return AgentStatus(state, reason, row.queue, row.since)
        known = self._book.get(self.phone, transport="asterisk", home_queue=self.queue)
        return known if known is not None else UNKNOWN

    async def act(self, action: str, *, reason: str = "") -> None:
        """Carry out ``action`` (one of :data:`ACTIONS`)."""
        try:
            if self.front == "twilio":
                await self._twilio(action, reason)
                return
            result = await self._asterisk(action, reason)
        except CommandError as error:
            raise QueueActionFailed(f"No se pudo: {error.message}", cause=error) from error
        except DomainError as error:  # a pause before entering the queue
            raise QueueActionFailed(error.message, cause=error) from error
        if not result.ok:
            raise QueueActionFailed(f"La central no lo aceptó: {result.message}.")

    async def _asterisk(self, action: str, reason: str) -> ActionResult:
        telephony = self._telephony
        if action == "entrar":
            return await telephony.add_member(self.phone, name=self._name)
        if action == "disponible":
            return await telephony.unpause(self.phone)
        if action == "pausa":
            return await telephony.pause(self.phone, reason=reason)
        return await telephony.remove_member(self.phone)

    async def _twilio(self, action: str, reason: str) -> None:
        agents = self._twilio_agents
        if action == "entrar":
            await agents.sign_in(self.phone, queue=self.queue)
        elif action == "disponible":
            await agents.unpause(self.phone)
        elif action == "pausa":
            await agents.pause(self.phone, reason=reason)
        else:
            await agents.sign_out(self.phone)
