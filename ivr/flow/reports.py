"""What a front reports about a call outside the IVR's turns, published as call events.

A front translates its transport's words (Twilio's ``QueueResult``, AMI headers) into these
calls; the events themselves are built here, so both fronts publish the same ones::

    reports = CallReports(notifier=notifier, prompts=PromptBook())
    hold_message = await reports.waiting("CA1", queue="locatel", position=1)
    turn = await reports.left_queue("CA1", queue="locatel", how=QueueExit.ABANDONED,
                                    wait_seconds=7)
"""

from __future__ import annotations

from enum import StrEnum

from ivr.flow.common import say
from ivr.flow.ports import EventPublisher
from ivr.flow.steps import Hangup, Say, Turn
from ivr.prompts import PromptBook
from models.events import (
    CallAbandoned,
    CallConnected,
    CallEnded,
    CallLeftQueue,
    CallQueued,
    CallRecordingStarted,
    CallTransferred,
    EndedBy,
)


class QueueExit(StrEnum):
    """How a call left an agent queue."""

    ABANDONED = "abandoned"  # the caller hung up while waiting
    TALKED = "talked"  # it was connected to an agent and that conversation is over
    LEFT = "left"  # taken out of the queue on purpose (redirected elsewhere)
    FAILED = "failed"  # the queue refused it or failed (full, error)


class CallReports:
    """Publishes the call events a front reports, and says what the caller hears then."""

    def __init__(
        self, *, notifier: EventPublisher, prompts: PromptBook, source: str = "ivr"
    ) -> None:
        self._notifier, self._prompts, self._source = notifier, prompts, source

    async def waiting(self, call_id: str, *, queue: str, position: int | None) -> Say:
        """The call waits in ``queue`` at ``position`` (1 is next): the hold message."""
        await self._notifier.publish(
            CallQueued(call_id=call_id, queue=queue, position=position, source=self._source)
        )
        return say(self._prompts.prompt("cola-espera"))

    async def connected(
        self, call_id: str, *, queue: str, agent: str, wait_seconds: float | None
    ) -> None:
        """An agent took the call after ``wait_seconds`` in the queue."""
        await self._notifier.publish(
            CallConnected(
                call_id=call_id,
                queue=queue,
                agent=agent,
                wait_seconds=wait_seconds,
                source=self._source,
            )
        )

    async def left_queue(
        self,
        call_id: str,
        *,
        queue: str,
        how: QueueExit,
        wait_seconds: float | None,
        ended_by: EndedBy = "",
    ) -> Turn:
        """The call left ``queue`` (an abandon, the end of the agent's conversation…): what
        the caller, if still on the line, hears before the call ends."""
        if how == QueueExit.ABANDONED:
            await self._notifier.publish(
                CallAbandoned(
                    call_id=call_id, queue=queue, wait_seconds=wait_seconds, source=self._source
                )
            )
        elif how == QueueExit.LEFT:
            await self._notifier.publish(
                CallLeftQueue(
                    call_id=call_id,
                    queue=queue,
                    reason="left",
                    wait_seconds=wait_seconds,
                    source=self._source,
                )
            )
        elif how == QueueExit.TALKED:
            await self._notifier.publish(
                CallEnded(
                    call_id=call_id, cause="agent-call-over", ended_by=ended_by, source=self._source
                )
            )
        elif how == QueueExit.FAILED:
            return Turn(actions=(say(self._prompts.prompt("cola-no-disponible")),), then=Hangup())
        return Turn(then=Hangup())

    async def transferred(self, call_id: str, *, target: str) -> None:
        """An agent transferred the call to ``target``."""
        await self._notifier.publish(
            CallTransferred(call_id=call_id, target=target, source=self._source)
        )

    async def recording_started(self, call_id: str, *, path: str) -> None:
        """The call is being recorded to ``path`` (after the caller heard the notice)."""
        await self._notifier.publish(
            CallRecordingStarted(call_id=call_id, path=path, source=self._source)
        )
