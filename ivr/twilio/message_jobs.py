"""Messages to citizens as jobs: the folio after a phone registration (or a registration by an
agent or at a service window that asked for it, see :func:`folio_sms`), status changes, and the
72-hour confirmation question once an authority answers.

The jobs are enqueued by the notifier in the same transaction as the change (see
:func:`message_reactions`), so one status change is one job, whatever the number of processes,
and a worker sends it once. Each job records the stored message's id, then Twilio's message
SID, before it is acknowledged: a job resumed after its worker died reuses the message record
and, once the SID is recorded, sends nothing again.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from ivr.phones import can_receive_sms
from ivr.twilio.outbound import MessageSender
from models.errors import FolioNotFound
from models.events import BaseEvent, RequestRegistered, RequestStatusChanged
from models.job_worker import Handler, JobProgress, PermanentJobError
from models.jobs import ClaimedJob, JobSpec
from models.notifier import Reaction
from models.request_service import CITIZEN_ACTOR, RequestService
from models.requests import Channel, ServiceRequest, Status

FOLIO_MESSAGE, STATUS_MESSAGE = "message.folio", "message.status"
PHONE_CHANNELS = frozenset({Channel.TWILIO_CALL, Channel.ASTERISK_CALL})
STAFF_CHANNELS = frozenset({Channel.AGENT, Channel.VENTANILLA})
# every change staff make: turned over (to an authority or unit), in progress, answered, rejected
NOTIFIED = frozenset(
    {Status.ASSIGNED, Status.REASSIGNED, Status.IN_PROGRESS, Status.ANSWERED, Status.REJECTED}
)


class MessageNotSent(Exception):
    """Twilio did not take the message; the job is tried again later."""


def message_jobs(event: BaseEvent) -> list[JobSpec]:
    """The messages an event calls for."""
    if isinstance(event, RequestRegistered) and (
        event.channel in PHONE_CHANNELS or (event.channel in STAFF_CHANNELS and event.folio_sms)
    ):
        return [JobSpec(FOLIO_MESSAGE, {"folio": event.folio}, f"{FOLIO_MESSAGE}:{event.folio}")]
    if (
        isinstance(event, RequestStatusChanged)
        and event.actor != CITIZEN_ACTOR
        and event.to_status in NOTIFIED
    ):
        payload = {"folio": event.folio, "status": event.to_status}
        return [JobSpec(STATUS_MESSAGE, payload, f"{STATUS_MESSAGE}:{event.event_id}")]
    return []


def folio_sms(channel: str, phone: str | None) -> bool:
    """Whether a registration by staff should text the folio to the citizen's ``phone``.

    >>> folio_sms(Channel.AGENT, "+525512345678"), folio_sms(Channel.AGENT, "+522001234567")
    (True, False)
    """
    return channel in STAFF_CHANNELS and bool(phone) and can_receive_sms(phone or "")


def message_reactions(*, sender: MessageSender) -> list[Reaction]:
    """The reactions the notifier applies; none when no sender is configured at all."""
    configured = sender.sender_for("+52") or sender.sender_for("whatsapp:+52")
    return [message_jobs] if configured else []


def message_handlers(*, sender: MessageSender, requests: RequestService) -> dict[str, Handler]:
    """The job handlers of the messages, by kind."""

    def text_for(job: ClaimedJob, request: ServiceRequest) -> tuple[str, str]:
        if job.kind == FOLIO_MESSAGE:
            return sender.folio_text(request), "folio"
        if job.payload.get("status") == Status.ANSWERED:
            return sender.confirmation_text(request), "confirmation"
        return sender.status_text(request, Status(job.payload["status"])), "status"

    async def deliver(job: ClaimedJob, progress: JobProgress) -> None:
        done = json.loads(job.outcome or "{}")
        if done.get("sid"):
            return  # sent before the worker that held this job died
        try:
            request = await requests.get(job.payload["folio"])
        except FolioNotFound as error:
            raise PermanentJobError(error.message) from error
        phone = request.citizen_phone or ""
        if not sender.can_receive(phone):
            return
        text, purpose = text_for(job, request)
        remember: Callable[[int], Awaitable[None]] = lambda record_id: progress.record(  # noqa: E731
            json.dumps({"record": record_id})
        )
        record = await sender.send(
            phone,
            text,
            purpose=purpose,
            folio=request.folio,
            record_id=done.get("record"),
            on_stored=remember,
        )
        if not record.sid:
            raise MessageNotSent(f"Twilio no aceptó el mensaje ({record.error_code}).")
        await progress.record(json.dumps({"record": record.id, "sid": record.sid}))

    return {FOLIO_MESSAGE: deliver, STATUS_MESSAGE: deliver}
