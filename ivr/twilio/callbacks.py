"""Call-backs instead of long waits: the expected wait per queue, the callers' places in line,
and placing the call when their turn comes.

The wait is estimated from the queues' ``QueueSnapshot`` events, in every process that serves
callers (:class:`QueueWaitEstimator`). A caller who accepts the offer keeps a place
(``callback_request``, first come first served). In the worker role, the process that holds
the ``callback-dispatch`` lease (:class:`CallbackDispatcher`) follows the snapshots: when one
shows free agents and nobody waiting, it claims the oldest call-backs (``waiting`` →
``placing``, ``FOR UPDATE SKIP LOCKED``) and enqueues one ``callback.place`` job each; a worker
places the call through the Twilio REST API and records its SID before acknowledging, so a
call-back is placed once. The citizen who answers hears one sentence and joins the agent queue
with the context the IVR gathered.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from functools import partial

import stamina
from anyio import to_thread
from sqlalchemy import Engine
from sqlmodel import col, func, select
from twilio.base.exceptions import TwilioRestException

from ivr.flow.ports import EventPublisher
from ivr.flow.steps import HandoffContext
from ivr.twilio.outbound import RETRY_STATUSES, MessageSender
from models.bus import EventBus
from models.config import Settings
from models.consumer import BackgroundConsumer
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.events import CallQueued, CallStarted, Event, QueueSnapshot
from models.ivr_sessions import CallbackRequest
from models.job_worker import JobProgress, PermanentJobError
from models.jobs import ClaimedJob, JobQueue, JobSpec, enqueue
from models.periodic import Leases

log = logging.getLogger(__name__)

PLACE_CALLBACK = "callback.place"
DISPATCH_LEASE = "callback-dispatch"


class QueueWaitEstimator(BackgroundConsumer):
    """Expected wait of a new caller, from the latest snapshot of each queue."""

    def __init__(self, *, bus: EventBus, handle_seconds: float) -> None:
        super().__init__(bus=bus)
        self._handle = handle_seconds
        self._latest: dict[str, QueueSnapshot] = {}

    async def handle(self, event: Event) -> None:
        """Remember each queue's latest figures."""
        if isinstance(event, QueueSnapshot):
            self._latest[event.queue] = event

    async def expected_wait_seconds(self, queue: str) -> float | None:
        """Longest current wait, or the callers ahead times a handling time per agent."""
        snapshot = self._latest.get(queue)
        if snapshot is None:
            return None
        agents = max(1, snapshot.available_agents or snapshot.logged_in_agents)
        ahead = (snapshot.waiting + 1) * self._handle / agents if snapshot.waiting else 0.0
        return max(snapshot.longest_wait_seconds, ahead)


class CallbackQueue:
    """Callers waiting to be called back, and the placing of those calls."""

    def __init__(
        self,
        *,
        engine: Engine,
        notifier: EventPublisher,
        jobs: JobQueue,
        settings: Settings,
        sender: MessageSender,
    ) -> None:
        self._engine, self._notifier, self._jobs = engine, notifier, jobs
        self._settings, self._sender = settings, sender

    async def request_callback(
        self, *, call_id: str, phone: str, queue: str, context: HandoffContext
    ) -> None:
        """Keep the caller's place in ``queue``."""

        def work() -> int:
            with session_scope(self._engine) as session:
                session.add(
                    CallbackRequest(
                        call_id=call_id, phone=phone, queue=queue, context=context.model_dump_json()
                    )
                )
                waiting = select(func.count()).select_from(CallbackRequest)
                return session.exec(
                    waiting.where(
                        CallbackRequest.queue == queue, CallbackRequest.status == "waiting"
                    )
                ).one()

        position = await run_blocking(self._engine, work)
        await self._notifier.publish(
            CallQueued(
                call_id=call_id, queue=f"{queue}:devolucion", position=position, source="ivr"
            )
        )

    async def claim_next(self, queue: str, slots: int) -> list[int]:
        """Take the ``slots`` oldest waiting call-backs of ``queue`` and enqueue their calls."""

        def work() -> list[int]:
            with session_scope(self._engine) as session:
                statement = (
                    select(CallbackRequest)
                    .where(CallbackRequest.queue == queue, CallbackRequest.status == "waiting")
                    .order_by(col(CallbackRequest.id))
                    .limit(slots)
                    .with_for_update(skip_locked=True)
                )
                rows = list(session.exec(statement))
                for row in rows:
                    row.status = "placing"
                    session.add(row)
                    spec = JobSpec(PLACE_CALLBACK, {"id": row.id}, f"{PLACE_CALLBACK}:{row.id}")
                    enqueue(session, spec)
                return [row.id for row in rows if row.id is not None]

        claimed = await run_blocking(self._engine, work)
        if claimed:
            self._jobs.poke()
        return claimed

    async def place(self, job: ClaimedJob, progress: JobProgress) -> None:
        """The ``callback.place`` job: one REST call, its SID recorded before acknowledging."""
        row = await self.get(int(job.payload["id"]))
        if row is None:
            raise PermanentJobError(f"No existe la devolución de llamada {job.payload['id']}.")
        sid = json.loads(job.outcome or "{}").get("sid")
        if sid is None:
            sid = await self._create_call(row)
            await progress.record(json.dumps({"sid": sid}))
        row.status, row.placed_call_sid, row.placed_at = "placed", sid, row.placed_at or utcnow()
        await run_blocking(self._engine, partial(self._save, row))
        await self._notifier.publish(
            CallStarted(
                call_id=sid,
                transport="twilio",
                caller=self._settings.ivr.callback_from,
                called=row.phone,
                source="callback",
            )
        )

    async def _create_call(self, row: CallbackRequest) -> str:
        base = self._settings.public_base_url.rstrip("/")
        url = f"{base}/twilio/voice/callback?id={row.id}"

        def transient(error: Exception) -> bool:
            if isinstance(error, TwilioRestException):
                return error.status in RETRY_STATUSES
            return isinstance(error, OSError)

        async for attempt in stamina.retry_context(
            on=transient, attempts=3, wait_initial=0.5, timeout=timedelta(seconds=20)
        ):
            with attempt:
                call = await to_thread.run_sync(
                    partial(self._sender.create_call, to=row.phone, url=url)
                )
        return str(call.sid)

    def _save(self, row: CallbackRequest) -> None:
        with session_scope(self._engine) as session:
            session.merge(row)

    async def get(self, request_id: int) -> CallbackRequest | None:
        """A call-back by id."""

        def work() -> CallbackRequest | None:
            with session_scope(self._engine, readonly=True) as session:
                return session.get(CallbackRequest, request_id)

        return await run_blocking(self._engine, work)


class CallbackDispatcher(BackgroundConsumer):
    """Worker role: places call-backs when a queue has free agents and nobody waiting."""

    def __init__(
        self, *, bus: EventBus, callbacks: CallbackQueue, leases: Leases, holder: str
    ) -> None:
        super().__init__(bus=bus)
        self.callbacks, self._leases, self._holder = callbacks, leases, holder

    async def handle(self, event: Event) -> None:
        """A queue's figures changed: claim call-backs for its free agents (lease holder only)."""
        if not isinstance(event, QueueSnapshot):
            return
        if event.available_agents <= 0 or event.waiting > 0:
            return
        if await self._leases.acquire(
            DISPATCH_LEASE, holder=self._holder, ttl=timedelta(seconds=30)
        ):
            await self.callbacks.claim_next(event.queue, event.available_agents)
