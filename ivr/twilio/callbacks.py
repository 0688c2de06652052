"""Call-backs instead of long waits: the expected wait per queue, the callers' places in line,
and placing the call when their turn comes.

The wait is estimated from the queues' ``QueueSnapshot`` events. A caller who accepts the offer
keeps a place (``callback_request``, first come first served); when a snapshot shows the queue
with free agents and nobody waiting, the oldest call-backs are placed through the Twilio REST
API. The citizen who answers hears one sentence and joins the agent queue with the context the
IVR gathered, and the call is published (``CallStarted``, ``CallHandedOver``) like any other.
"""

from __future__ import annotations

import json
import logging
from functools import partial

from anyio import to_thread
from sqlalchemy import Engine
from sqlmodel import col, func, select

from ivr.twilio.consumers import BackgroundConsumer
from ivr.twilio.outbound import MessageSender
from models.bus import EventBus
from models.config import Settings
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.events import CallQueued, CallStarted, QueueSnapshot
from models.ivr_sessions import CallbackRequest

log = logging.getLogger(__name__)


class QueueWaitEstimator:
    """Expected wait of a new caller, from the latest snapshot of each queue."""

    def __init__(self, *, handle_seconds: float) -> None:
        self._handle = handle_seconds
        self._latest: dict[str, QueueSnapshot] = {}

    def observe(self, snapshot: QueueSnapshot) -> None:
        """Remember the queue's latest figures."""
        self._latest[snapshot.queue] = snapshot

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
        self, *, engine: Engine, bus: EventBus, settings: Settings, sender: MessageSender
    ) -> None:
        self._engine = engine
        self._bus = bus
        self._settings = settings
        self._sender = sender

    async def request_callback(
        self, *, call_id: str, phone: str, queue: str, context: dict
    ) -> None:
        """Keep the caller's place in ``queue``."""

        def work() -> int:
            with session_scope(self._engine) as session:
                session.add(
                    CallbackRequest(
                        call_id=call_id, phone=phone, queue=queue, context=json.dumps(context)
                    )
                )
                waiting = select(func.count()).select_from(CallbackRequest)
                return session.exec(
                    waiting.where(
                        CallbackRequest.queue == queue, CallbackRequest.status == "waiting"
                    )
                ).one()

        position = await run_blocking(self._engine, work)
        await self._bus.publish(
            CallQueued(
                call_id=call_id, queue=f"{queue}:devolucion", position=position, source="ivr"
            )
        )

    def _oldest(self, queue: str, count: int) -> list[CallbackRequest]:
        with session_scope(self._engine) as session:
            statement = (
                select(CallbackRequest)
                .where(CallbackRequest.queue == queue, CallbackRequest.status == "waiting")
                .order_by(col(CallbackRequest.id))
                .limit(count)
            )
            rows = list(session.exec(statement))
            for row in rows:
                row.status = "placing"
                session.add(row)
            return rows

    async def place_next(self, queue: str, slots: int) -> list[CallbackRequest]:
        """Call back the ``slots`` oldest waiting callers of ``queue``."""
        rows = await run_blocking(self._engine, lambda: self._oldest(queue, slots))
        base = self._settings.public_base_url.rstrip("/")
        source = self._settings.ivr.callback_from
        for row in rows:
            options = {
                "to": row.phone,
                "from_": source,
                "url": f"{base}/twilio/voice/callback?id={row.id}",
                "status_callback": f"{base}/twilio/voice/status",
            }
            try:
                call = await to_thread.run_sync(
                    partial(self._sender.client.calls.create, **options)
                )
                row.status, row.placed_call_sid, row.placed_at = "placed", call.sid, utcnow()
            except Exception:
                log.exception("could not place call-back %s", row.id)
                row.status = "waiting"
            await run_blocking(self._engine, partial(self._save, row))
            if row.placed_call_sid:
                await self._bus.publish(
                    CallStarted(
                        call_id=row.placed_call_sid,
                        transport="twilio",
                        caller=source,
                        called=row.phone,
                        source="callback",
                    )
                )
        return rows

    def _save(self, row: CallbackRequest) -> None:
        with session_scope(self._engine) as session:
            session.merge(row)

    async def get(self, request_id: int) -> CallbackRequest | None:
        """A call-back by id."""

        def work() -> CallbackRequest | None:
            with session_scope(self._engine) as session:
                return session.get(CallbackRequest, request_id)

        return await run_blocking(self._engine, work)


class CallbackDispatcher(BackgroundConsumer):
    """Follows queue snapshots: updates the wait estimate, places call-backs on free agents."""

    def __init__(
        self, *, bus: EventBus, estimator: QueueWaitEstimator, callbacks: CallbackQueue
    ) -> None:
        super().__init__(bus=bus)
        self.estimator = estimator
        self.callbacks = callbacks

    async def on_snapshot(self, snapshot: QueueSnapshot) -> None:
        """A queue's figures changed."""
        self.estimator.observe(snapshot)
        if snapshot.available_agents > 0 and snapshot.waiting == 0:
            await self.callbacks.place_next(snapshot.queue, snapshot.available_agents)

    async def run(self) -> None:
        """Follow the snapshots until cancelled."""
        async with self._bus.subscribe() as events:
            self._ready.set()
            async for event in events:
                if isinstance(event, QueueSnapshot):
                    try:
                        await self.on_snapshot(event)
                    except Exception:
                        log.exception("call-backs of queue %s were not placed", event.queue)
