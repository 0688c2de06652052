"""Consumes request events and messages the citizen: status changes and the 72-hour
confirmation question once an authority answers."""

from __future__ import annotations

import asyncio
import logging

from ivr.twilio.outbound import MessageSender
from models.bus import EventBus
from models.events import RequestStatusChanged
from models.request_service import CITIZEN_ACTOR, RequestService
from models.requests import Status

log = logging.getLogger(__name__)

NOTIFIED = frozenset({Status.IN_PROGRESS, Status.REASSIGNED, Status.REJECTED})


class BackgroundConsumer:
    """A task that follows the bus from ``start()`` (subscribed on return) to ``stop()``."""

    def __init__(self, *, bus: EventBus) -> None:
        self._bus = bus
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def run(self) -> None:
        """Consume events until cancelled (set ``self._ready`` once subscribed)."""
        raise NotImplementedError

    async def start(self) -> None:
        """Run in the background, subscribed before this returns."""
        self._task = asyncio.create_task(self.run(), name=type(self).__name__)
        await self._ready.wait()

    async def stop(self) -> None:
        """Stop the background task."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None


class StatusMessenger(BackgroundConsumer):
    """Turns ``RequestStatusChanged`` events into messages to the citizen who asked."""

    def __init__(self, *, bus: EventBus, requests: RequestService, sender: MessageSender) -> None:
        super().__init__(bus=bus)
        self._requests = requests
        self._sender = sender

    async def handle(self, event: RequestStatusChanged) -> bool:
        """Message the citizen about ``event``; True when a message was sent."""
        if event.actor == CITIZEN_ACTOR:
            return False
        target = Status(event.to_status)
        if target != Status.ANSWERED and target not in NOTIFIED:
            return False
        request = await self._requests.get(event.folio)
        phone = request.citizen_phone or ""
        if not self._sender.can_receive(phone):
            return False
        if target == Status.ANSWERED:
            return await self._sender.ask_confirmation(phone=phone, request=request)
        return await self._sender.status_changed(phone=phone, request=request)

    async def run(self) -> None:
        """Handle events until cancelled; one failure never stops the consumer."""
        async with self._bus.subscribe() as events:
            self._ready.set()
            async for event in events:
                if not isinstance(event, RequestStatusChanged):
                    continue
                try:
                    await self.handle(event)
                except Exception:
                    log.exception("could not message the citizen about folio %s", event.folio)
