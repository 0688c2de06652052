"""The Twilio actions as commands: put the next queued caller through to an agent (the agent's
phone or SIP address is rung, and its answered leg takes the queue's front caller through this
service's own ``/twilio/voice/agent`` webhook), hang a call up, place a call-back, send a
caller back to the IVR's status reading. Twilio's REST API is reachable from every process, so
there is no link to own: every process with a Twilio account serves these itself (target
``twilio``), through the same call path as the Asterisk commands
(:class:`ivr.telephony.Telephony`)::

    commands = TwilioCommands(sender=sender, settings=settings)
    client.serve_locally(TWILIO, commands.handlers())
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urlencode

from anyio import to_thread
from pydantic import BaseModel
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.twiml.voice_response import Dial, VoiceResponse

from ivr.twilio.outbound import MessageSender
from models.commands import Handler, Target
from models.config import Settings
from models.errors import DomainError

TWILIO = Target(key="twilio", label="la cuenta de Twilio")
AGENT = re.compile(r"^(\+[1-9][0-9]{6,14}|sips?:[^\s<>\"]{3,200})$")


class TwilioCall(BaseModel):
    """Twilio's answer about one call."""

    call_sid: str
    status: str = ""


class TwilioRefused(DomainError):
    """Twilio refused the request, could not be reached, or the queue had nobody waiting."""

    error_id = "twilio-refused"
    status_code = 502


class InvalidAgent(TwilioRefused):
    """An agent's address no call can be placed to: the caller's mistake, not Twilio's."""

    error_id = "invalid-agent"
    status_code = 422


def checked_agent(agent: str) -> str:
    """``agent`` when it is an E.164 number or a SIP address a call can be placed to."""
    if not AGENT.match(agent):
        raise InvalidAgent(f"Agente no válido: «{agent}» (número +52… o dirección sip:).")
    return agent


def dial_twiml(agent: str) -> str:
    """TwiML that connects the caller to ``agent`` (an E.164 number or a SIP address)."""
    dial = Dial()
    if checked_agent(agent).startswith("sip"):
        dial.sip(agent)
    else:
        dial.number(agent)
    return str(VoiceResponse().append(dial))


class TwilioCommands:
    """The REST calls behind the Twilio commands, each answered with a :class:`TwilioCall`."""

    def __init__(self, *, sender: MessageSender, settings: Settings) -> None:
        self._sender, self._settings = sender, settings

    def handlers(self) -> dict[str, Handler]:
        """The command names and what carries them out."""
        return {
            "dial_next": self.dial_next,
            "end_call": self.end_call,
            "place_call": self.place_call,
            "read_status": self.read_status,
        }

    async def _rest(self, what: str, work: Callable[[], Any]) -> Any:
        try:
            return await to_thread.run_sync(work)
        except TwilioRestException as error:
            raise TwilioRefused(f"Twilio rechazó {what}: {error.msg}") from error
        except (TwilioException, OSError) as error:
            raise TwilioRefused(f"No se pudo hablar con Twilio para {what}: {error}") from error

    async def dial_next(self, queue: str, agent: str) -> TwilioCall:
        """Ring ``agent``; once answered, its leg takes the caller at the front of ``queue``."""
        checked_agent(agent)
        client = self._sender.client

        def waiting() -> Any:
            found = [q for q in client.queues.list() if q.friendly_name == queue]
            if not found:
                raise TwilioRefused(f"No existe la cola de Twilio «{queue}».")
            if not found[0].current_size:
                raise TwilioRefused(f"La cola «{queue}» no tiene llamadas en espera.")
            return found[0]

        await self._rest("buscar la cola", waiting)
        base = self._settings.public_base_url.rstrip("/")
        url = f"{base}/twilio/voice/agent?{urlencode({'queue': queue, 'agent': agent})}"
        return await self.place_call(agent, url=url)

    async def end_call(self, call_sid: str) -> TwilioCall:
        """Hang a call up."""
        client = self._sender.client
        call = await self._rest(
            "colgar la llamada", partial(client.calls(call_sid).update, status="completed")
        )
        return TwilioCall(call_sid=call.sid, status=call.status)

    async def read_status(self, call_sid: str, folio: str = "") -> TwilioCall:
        """Send a caller back to the IVR's status reading (of ``folio`` when given): the call
        leaves the agent and fetches this service's ``/twilio/voice/estado`` webhook."""
        if folio and not folio.isdigit():
            raise TwilioRefused(f"Folio no válido: «{folio}».")
        base = self._settings.public_base_url.rstrip("/")
        url = f"{base}/twilio/voice/estado" + (f"?{urlencode({'folio': folio})}" if folio else "")
        client = self._sender.client
        update = partial(client.calls(call_sid).update, url=url, method="POST")
        call = await self._rest("devolver la llamada al menú", update)
        return TwilioCall(call_sid=call.sid, status=call.status)

    async def place_call(self, to: str, *, url: str) -> TwilioCall:
        """Call ``to`` from the City's number (``SUAC_IVR__CALLBACK_FROM``); Twilio fetches
        ``url`` when it is answered."""
        if not self._settings.ivr.callback_from:
            raise TwilioRefused("Falta el número de salida de la Ciudad: SUAC_IVR__CALLBACK_FROM.")
        create = partial(self._sender.create_call, to=to, url=url)
        call = await self._rest("hacer la llamada", create)
        return TwilioCall(call_sid=call.sid, status=call.status)
