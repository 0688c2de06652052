"""Building the Asterisk front from the settings: AMI bridge, actions, FastAGI server.

The composition root builds it (without starting anything); the telephony role (``suac
asterisk run``, or ``suac serve`` on the embedded defaults) starts it, so that no two
processes hold the same AMI session.
"""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ivr.asterisk.actions import AsteriskActions
from ivr.asterisk.bridge import AmiBridge, Backoff
from ivr.asterisk.fastagi import AgiFront, AgiOptions
from ivr.asterisk.panoramisk_adapter import FastAgiServer
from ivr.asterisk.prompt_audio import PromptAudio, Synthesizer
from ivr.flow import CallFlow
from ivr.flow.ports import EventPublisher
from ivr.speech import make_engine
from models.config import Settings
from models.events import BaseEvent, CallEnded, CallStarted


class AmiAuthoritativeNotifier:
    """The flow's notifier on Asterisk calls: the AMI bridge alone reports a call's start and
    end (it sees calls the IVR never does), so the flow's copies are not published twice."""

    def __init__(self, notifier: EventPublisher) -> None:
        self._notifier = notifier

    async def publish(self, event: BaseEvent) -> None:
        if not isinstance(event, CallStarted | CallEnded):
            await self._notifier.publish(event)


@dataclass
class AsteriskPart:
    """The Asterisk front's long-lived parts."""

    settings: Settings
    bridge: AmiBridge
    actions: AsteriskActions
    front: AgiFront
    pool: ThreadPoolExecutor
    agi: FastAgiServer | None = field(default=None)

    async def start(self) -> tuple[str, int]:
        """Connect to every AMI server and listen for FastAGI; return the AGI address."""
        await self.bridge.start()
        config = self.settings.asterisk
        self.agi = FastAgiServer(host=config.agi_host, port=config.agi_port)
        self.front.install(self.agi)
        return await self.agi.start()

    async def close(self) -> None:
        """Stop listening, close the AMI connections, finish the writes."""
        if self.agi is not None:
            await self.agi.close()
        await self.bridge.stop()
        self.pool.shutdown(wait=False, cancel_futures=True)


def build_asterisk(settings: Settings, *, notifier: EventPublisher, flow: CallFlow) -> AsteriskPart:
    """Create the Asterisk front's parts (nothing connects until :meth:`AsteriskPart.start`)."""
    config = settings.asterisk
    bridge = AmiBridge(
        servers=config.servers,
        notifier=notifier,
        timeout=config.action_timeout_seconds,
        keepalive=config.keepalive_seconds,
        backoff=Backoff(ceiling=config.reconnect_max_seconds),
    )
    asterisk_flow = copy.copy(flow)
    asterisk_flow.notifier = AmiAuthoritativeNotifier(notifier)
    recognizer = make_engine(settings.ivr) if config.speech == "record" else None
    pool = ThreadPoolExecutor(config.speech_workers, thread_name_prefix="suac-speech")
    front = AgiFront(
        flow=asterisk_flow,
        audio=PromptAudio(folder=config.prompts_dir, book=flow.prompts, synthesizer=Synthesizer()),
        options=AgiOptions(
            recordings_dir=config.recordings_dir, zone=settings.zone, speech=config.speech
        ),
        recognizer=recognizer,
        pool=pool,
    )
    actions = AsteriskActions(bridge=bridge, queue=settings.ivr.agent_queue)
    return AsteriskPart(settings=settings, bridge=bridge, actions=actions, front=front, pool=pool)
