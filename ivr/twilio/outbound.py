"""Outbound SMS and WhatsApp through the ``twilio`` REST client, with retries and a record of
each message and of every status callback Twilio sends about it.

    sender = MessageSender(settings=settings, engine=engine, notifier=notifier)
    await sender.send("+5255…", "Locatel: …", purpose="folio", folio="2600000012")
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import stamina
from anyio import to_thread
from sqlalchemy import Engine
from sqlmodel import select
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from ivr.phones import can_receive_sms
from ivr.prompts import PromptBook
from ivr.prompts.spoken import written_date
from ivr.twilio.sms_text import fit_sms
from models.config import Settings
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.events import MessageStatusChanged
from models.folio import format_folio
from models.lifecycle import STATUS_LABELS
from models.messages import OutboundMessage
from models.notifier import Notifier
from models.requests import ServiceRequest, Status

log = logging.getLogger(__name__)


class TransientSendError(Exception):
    """A send that may succeed when tried again (429, 5xx, network)."""


WHATSAPP = "whatsapp:"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BACKOFF_SECONDS = 0.5
REST_TIMEOUT_SECONDS = 15.0  # a hanging REST API must not hold a worker's thread for ever


class MessageSender:
    """Sends citizens their folio, status changes and the 72-hour confirmation question."""

    def __init__(
        self,
        *,
        settings: Settings,
        engine: Engine,
        notifier: Notifier,
        prompts: PromptBook | None = None,
        client: Client | None = None,
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._notifier = notifier
        self.prompts = prompts or PromptBook()
        self._client = client

    @property
    def client(self) -> Client:
        """The REST client, pointed at the configured API base URL."""
        if self._client is None:
            twilio = self._settings.twilio
            client = Client(
                twilio.account_sid,
                twilio.auth_token.get_secret_value(),
                http_client=TwilioHttpClient(timeout=REST_TIMEOUT_SECONDS),
            )
            client.api.base_url = twilio.api_base_url.rstrip("/")
            self._client = client  # only once whole: jobs in other threads may read it
        return self._client

    def create_call(self, *, to: str, url: str):  # noqa: ANN201  (twilio's CallInstance)
        """Place a call to ``to`` from the City's number (blocking: run it in a thread); Twilio
        fetches ``url`` when it is answered and reports to the call status webhook."""
        base = self._settings.public_base_url.rstrip("/")
        return self.client.calls.create(
            to=to,
            from_=self._settings.ivr.callback_from,
            url=url,
            status_callback=f"{base}/twilio/voice/status",
        )

    def sender_for(self, to: str) -> str:
        """The configured sender for the channel of ``to`` ("" when there is none)."""
        twilio = self._settings.twilio
        if to.startswith(WHATSAPP):
            return f"{WHATSAPP}{twilio.whatsapp_sender}" if twilio.whatsapp_sender else ""
        return twilio.sms_sender

    def can_receive(self, phone: str) -> bool:
        """A WhatsApp address, or a Mexican number that takes SMS, with a sender configured
        for it."""
        if not self.sender_for(phone):
            return False
        return phone.startswith(WHATSAPP) or can_receive_sms(phone)

    def body_for(self, to: str, text: str) -> str:
        """SMS bodies are fitted to the fewest segments; WhatsApp keeps every accent."""
        return text if to.startswith(WHATSAPP) else fit_sms(text)

    async def send(
        self,
        to: str,
        text: str,
        *,
        purpose: str,
        folio: str | None = None,
        record_id: int | None = None,
        on_stored: Callable[[int], Awaitable[None]] | None = None,
    ) -> OutboundMessage:
        """Send one message, retrying transient failures (``stamina``); the stored record.

        The record is stored before the first attempt (and ``on_stored`` told its id), so a
        reply that races the carrier's answer (a quick SÍ to the confirmation question) still
        finds what it answers, and a job resumed after a crash reuses it (``record_id``).
        """
        body = self.body_for(to, text)
        record = OutboundMessage(
            id=record_id,
            channel="whatsapp" if to.startswith(WHATSAPP) else "sms",
            to=to,
            body=body,
            purpose=purpose,
            folio=folio,
            status="sending",
        )
        record = await run_blocking(self._engine, lambda: self._store(record))
        if on_stored is not None:
            assert record.id is not None
            await on_stored(record.id)
        options: dict[str, str] = {"to": to, "from_": self.sender_for(to), "body": body}
        if self._settings.ivr.sms_status_callbacks:
            base = self._settings.public_base_url.rstrip("/")
            options["status_callback"] = f"{base}/twilio/messaging/status"
        try:
            async for attempt in stamina.retry_context(
                on=TransientSendError,
                attempts=self._settings.ivr.sms_retries + 1,
                wait_initial=BACKOFF_SECONDS,
                wait_max=BACKOFF_SECONDS * 8,
                timeout=None,
            ):
                with attempt:
                    record.attempts += 1
                    message = await self._create(options, record)
            record.sid, record.status, record.error_code = message.sid, message.status, None
        except (TransientSendError, TwilioRestException):
            log.warning("message (%s) failed after %d attempts", purpose, record.attempts)
        return await run_blocking(self._engine, lambda: self._store(record))

    async def _create(self, options: dict[str, str], record: OutboundMessage):  # noqa: ANN202
        """One attempt at Twilio's REST API; a transient failure raises TransientSendError."""
        try:
            return await to_thread.run_sync(lambda: self.client.messages.create(**options))
        except TwilioRestException as error:
            record.status, record.error_code = "failed", str(error.code or error.status)
            if error.status in RETRY_STATUSES:
                raise TransientSendError(record.error_code) from error
            raise
        except (TwilioException, OSError) as error:
            record.status, record.error_code = "failed", type(error).__name__
            raise TransientSendError(record.error_code) from error

    def _store(self, record: OutboundMessage) -> OutboundMessage:
        record.updated_at = utcnow()
        with session_scope(self._engine) as session:
            record = session.merge(record)
            session.flush()
            session.refresh(record)
            return record

    async def record_status(self, sid: str, status: str, error_code: str | None) -> bool:
        """A status callback from Twilio: update the record and publish the change."""

        def work() -> str | None:
            with session_scope(self._engine) as session:
                row = session.exec(
                    select(OutboundMessage).where(OutboundMessage.sid == sid)
                ).first()
                if row is None:
                    return None
                row.status, row.error_code, row.updated_at = status, error_code, utcnow()
                session.add(row)
                return row.folio or ""

        folio = await run_blocking(self._engine, work)
        if folio is None:
            return False
        await self._notifier.publish(
            MessageStatusChanged(
                message_sid=sid, status=status, folio=folio or None, source="twilio"
            )
        )
        return True

    # --- what the City sends ------------------------------------------------------------------

    def _due(self, request: ServiceRequest) -> str:
        if request.due_at is None:
            return ""
        return written_date(request.due_at.astimezone(self._settings.zone).date())

    def folio_text(self, request: ServiceRequest) -> str:
        """The folio of a request registered by phone, with its due date."""
        return self.prompts.text(
            "sms-folio", folio=format_folio(request.folio), fecha=self._due(request)
        )

    def confirmation_text(self, request: ServiceRequest) -> str:
        """Whether the answered request solved the problem (SÍ/NO within 72 hours)."""
        return self.prompts.text("sms-confirmacion-pregunta", folio=format_folio(request.folio))

    def status_text(self, request: ServiceRequest, status: Status) -> str:
        """The request's new ``status`` (as it was when it changed)."""
        label = STATUS_LABELS[status]
        return self.prompts.text(
            "sms-cambio-estado", folio=format_folio(request.folio), estado=label
        )
