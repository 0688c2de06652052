"""Building the IVR's parts from the settings: the call flow (shared with Asterisk) and the
Twilio fronts. The composition root (``suac.container``) calls :func:`build_ivr`; nothing
here starts a task: the roles do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from ivr.flow.directory import Directory
from ivr.flow.engine import CallFlow, FlowOptions
from ivr.flow.limits import lookup_limiter
from ivr.flow.ports import ClassifierLike
from ivr.prompts import PromptBook
from ivr.speech import VoskEngine, WhisperEngine, make_engine
from ivr.text import ConversationStore, TextFront, text_flow
from ivr.text.flow import WithoutCallEvents
from ivr.twilio.call_store import CallStore
from ivr.twilio.callbacks import PLACE_CALLBACK, CallbackQueue, QueueWaitEstimator
from ivr.twilio.messaging import MessagingFront
from ivr.twilio.outbound import MessageSender
from ivr.twilio.redis_store import RedisCallStore
from ivr.twilio.reference_fetch import ReferenceFetcher
from ivr.twilio.twiml import TwimlRenderer
from ivr.twilio.voice import VoiceFront
from models.config import Settings
from models.job_worker import Handler
from models.jobs import JobQueue
from models.notifier import Notifier
from models.request_service import RequestService


@dataclass
class IvrPart:
    """The call flow and the fronts that drive it (Twilio voice, messages)."""

    flow: CallFlow
    directory: Directory
    voice: VoiceFront
    renderer: TwimlRenderer
    sender: MessageSender
    messaging: MessagingFront
    texts: TextFront
    estimator: QueueWaitEstimator
    speech: VoskEngine | WhisperEngine | None = None
    callbacks: CallbackQueue | None = None
    references: ReferenceFetcher | None = None  # recordings to bring home from Twilio

    def job_handlers(self) -> dict[str, Handler]:
        """The jobs this part carries out in the worker role."""
        handlers = self.references.handlers() if self.references is not None else {}
        if self.callbacks is not None:
            handlers[PLACE_CALLBACK] = self.callbacks.place
        return handlers

    async def close(self) -> None:
        """Release the call-state store."""
        await self.voice.store.close()


def build_ivr(
    settings: Settings,
    *,
    engine: Engine,
    notifier: Notifier,
    jobs: JobQueue,
    requests: RequestService,
    classifier: ClassifierLike,
) -> IvrPart:
    """Create the IVR's parts in dependency order."""
    ivr = settings.ivr
    directory = Directory(engine=engine, authorities_path=settings.authorities_path)
    prompts = PromptBook()
    sender = MessageSender(settings=settings, engine=engine, notifier=notifier, prompts=prompts)
    estimator = QueueWaitEstimator(bus=notifier.bus, handle_seconds=ivr.callback_handle_seconds)
    callbacks = None
    if ivr.callback_from and settings.twilio.account_sid:
        callbacks = CallbackQueue(
            engine=engine, notifier=notifier, jobs=jobs, settings=settings, sender=sender
        )
    limiter = lookup_limiter(settings, engine=engine)
    flow = CallFlow(
        requests=requests,
        classifier=classifier,
        notifier=notifier,
        directory=directory,
        prompts=prompts,
        options=FlowOptions(
            agent_queue=ivr.agent_queue,
            max_failures=ivr.max_failures,
            callback_wait_seconds=ivr.callback_wait_seconds,
            speech_engine=ivr.speech_engine,
        ),
        messages=sender,
        wait_estimator=estimator,
        callbacks=callbacks,
        limiter=limiter,
    )
    base = settings.public_base_url.rstrip("/")
    speech = make_engine(ivr)
    websocket_base = base.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
    renderer = TwimlRenderer(
        voice=settings.twilio.voice,
        step_url=lambda seq: f"{base}/twilio/voice/step?seq={seq}",
        transfer=ivr.transfer,
        sip_uri=ivr.sip_uri,
        speech_model=ivr.gather_speech_model,
        stream_url=f"{websocket_base}/twilio/media" if speech is not None else "",
        stream_secret=settings.secret_key.get_secret_value(),
        public_url=base,
    )
    lease = timedelta(seconds=ivr.claim_lease_seconds)
    store = (
        RedisCallStore(url=ivr.state_redis_url, lease=lease)
        if ivr.state_redis_url
        else CallStore(engine=engine, lease=lease)
    )
    voice = VoiceFront(
        flow=flow,
        store=store,
        renderer=renderer,
        today=lambda: datetime.now(settings.zone).date(),
    )
    texts = TextFront(
        flow=text_flow(flow),
        conversations=ConversationStore(store=store, idle=timedelta(minutes=ivr.text_idle_minutes)),
        callbacks=None
        if callbacks is None
        else CallbackQueue(  # a conversation's place in line is no call to record
            engine=engine,
            notifier=WithoutCallEvents(notifier),
            jobs=jobs,
            settings=settings,
            sender=sender,
        ),
    )
    messaging = MessagingFront(
        engine=engine,
        requests=requests,
        sender=sender,
        limiter=limiter,
        texts=texts,
        directory=directory,
    )
    return IvrPart(
        flow=flow,
        directory=directory,
        voice=voice,
        renderer=renderer,
        sender=sender,
        messaging=messaging,
        texts=texts,
        estimator=estimator,
        speech=speech,
        callbacks=callbacks,
        references=ReferenceFetcher(settings=settings, engine=engine, client=lambda: sender.client)
        if settings.twilio.account_sid
        else None,
    )
