"""The call flow as it serves a conversation by messages.

The same ``CallFlow`` with the same services, but prompts written to be read (``texto/``:
"responda 1" where a call says "marque 1"), none of a call's own extras (the folio sent again
by message, a call-back offered instead of a wait: the text front hands over itself), and no
call events: a conversation is not a call, so it is never counted in the contact centre's
call figures. The request it registers says its channel (``sms``, ``whatsapp``).
"""

from __future__ import annotations

from ivr.flow.engine import CallFlow
from ivr.flow.ports import EventPublisher
from ivr.prompts import PromptBook
from models.call_facts import call_id_of
from models.events import BaseEvent, CallSpeechResult

TEXT_PROMPTS = "texto"


class WithoutCallEvents:
    """Publishes what the flow publishes, except the events of a call (steps, transcripts,
    hand-overs), which would make a call record of a conversation."""

    def __init__(self, notifier: EventPublisher) -> None:
        self._notifier = notifier

    async def publish(self, event: BaseEvent) -> None:
        """Publish ``event`` unless it belongs to a call."""
        if call_id_of(event) is None and not isinstance(event, CallSpeechResult):
            await self._notifier.publish(event)


def text_flow(voice: CallFlow) -> CallFlow:
    """The flow for messages, built from the voice flow's services."""
    return CallFlow(
        requests=voice.requests,
        classifier=voice.classifier,
        notifier=WithoutCallEvents(voice.notifier),
        directory=voice.directory,
        prompts=PromptBook(variant=TEXT_PROMPTS),
        options=voice.options,
        limiter=voice.limiter,
    )
