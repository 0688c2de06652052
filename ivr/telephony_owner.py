"""What the telephony role runs besides the AMI links: the command servers of every AMI
server, the periodic correction of the queues' state, and the Twilio queues' tracker::

    owner = TelephonyOwner(telephony=telephony, bridge=bridge, notifier=notifier,
                           queue="locatel", holder="host:12:telephony", refresh_seconds=5)
    await owner.start()
"""

from __future__ import annotations

import asyncio
import contextlib

from ivr.asterisk.bridge import AmiBridge
from ivr.asterisk.commands import AsteriskCommandServers
from ivr.telephony import Telephony
from ivr.twilio.queue_state import TwilioQueueTracker
from models.agent_presence import Presence
from models.notifier import Notifier


class TelephonyOwner:
    """Serves the AMI servers' commands and keeps every queue's state published."""

    def __init__(
        self,
        *,
        telephony: Telephony,
        bridge: AmiBridge,
        notifier: Notifier,
        queue: str,
        holder: str,
        refresh_seconds: float,
        presence: Presence | None = None,
    ) -> None:
        self._bridge, self._refresh_seconds = bridge, refresh_seconds
        self.commands = AsteriskCommandServers(
            client=telephony.client, bridge=bridge, queue=queue, owner=holder
        )
        self.twilio_queues = TwilioQueueTracker(
            bus=notifier.bus, notifier=notifier, interval=refresh_seconds, presence=presence
        )
        self._refresher: asyncio.Task[None] | None = None

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_seconds)
            await self._bridge.refresh_queues()

    async def start(self) -> None:
        """Start serving commands, refreshing the queues and following the Twilio calls."""
        await self.commands.start()
        await self.twilio_queues.start()
        if self._bridge.links:
            self._refresher = asyncio.create_task(self._refresh(), name="queue-refresh")

    async def stop(self) -> None:
        """Stop all of it, commands last (a command under way gets its answer)."""
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher
        await self.twilio_queues.stop()
        await self.commands.stop()
