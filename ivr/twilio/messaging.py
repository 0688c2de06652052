"""Incoming SMS and WhatsApp messages (one webhook for both): folio status, AYUDA, SÍ/NO, and
every other message to the text front (a conversation with the call flow, :mod:`ivr.text`).

A folio's status never carries personal data (only the folio, its status, authority and
deadline); the answer's gist and a rejection's reason go only to the number that registered the
request (or to anyone, for an answer the authority published), the rest are told where to read
them. Every reply fits in as few SMS segments as possible, and status queries are limited per
number so folios cannot be enumerated.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Engine
from sqlmodel import select
from twilio.twiml.messaging_response import MessagingResponse

from ivr.flow import input_limits
from ivr.flow.directory import Directory
from ivr.flow.lexicon import opening_answer
from ivr.flow.limits import QueryLimiter
from ivr.flow.state import CallState, Step
from ivr.flow.status import gist, is_citizen
from ivr.flow.understanding import fold
from ivr.phones import to_e164
from ivr.prompts.spoken import written_date
from ivr.text import TextFront
from ivr.twilio.outbound import MessageSender
from models.business_days import DeadlineState
from models.db import run_blocking, session_scope
from models.errors import ConfirmationWindowClosed, DomainError, FolioNotFound, InvalidFolio
from models.folio import format_folio, parse_folio
from models.lifecycle import OPEN_STATUSES, STATUS_LABELS
from models.messages import OutboundMessage
from models.request_service import RequestService
from models.requests import ServiceRequest, Status

log = logging.getLogger(__name__)
FOLIO_MESSAGE = re.compile(r"^\s*(folio)?[\s:#.\-]*[\d][\d\s.\-]*$", re.IGNORECASE)
MAX_REPLY_WORDS = 5  # "Sí, ya quedó" and "No, sigue igual" are answers too
MIN_FOLIO_DIGITS = 6  # fewer digits ("1", "09") are a menu's keys: a conversation's answer
HELP = frozenset({"ayuda", "help", "info", "menu"})


class MessageWebhook(BaseModel):
    """The fields of an incoming-message webhook the service reads."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    message_sid: str = Field(default="", alias="MessageSid", max_length=64)
    sender: str = Field(alias="From", min_length=1, max_length=64)
    to: str = Field(default="", alias="To", max_length=64)
    body: str = Field(default="", alias="Body")

    @field_validator("message_sid", "sender", "to")
    @classmethod
    def _e164(cls, value: str) -> str:
        """No control characters; numbers in E.164, as everywhere in the service."""
        return to_e164(input_limits.printable(value))

    @field_validator("body")
    @classmethod
    def _clean(cls, value: str) -> str:
        """Printable, ASCII digits, cut to what one message can carry (the flow's limits)."""
        return input_limits.message(value)


class MessagingFront:
    """Answers citizens' messages."""

    def __init__(
        self,
        *,
        engine: Engine,
        requests: RequestService,
        sender: MessageSender,
        limiter: QueryLimiter,
        directory: Directory,
        texts: TextFront,
    ) -> None:
        self._engine = engine
        self._requests = requests
        self._sender = sender
        self._limiter = limiter
        self._directory = directory  # the authority, as it is written to citizens
        self._texts = texts

    async def incoming(self, hook: MessageWebhook) -> str:
        """The TwiML reply to one incoming message."""
        try:
            text = await self.reply_text(hook)
        except Exception:
            log.exception("the message %s could not be answered", hook.message_sid)
            text = self._texts.failure()
        response = MessagingResponse()
        response.message(self._sender.body_for(hook.sender, text))
        return str(response)

    async def reply_text(self, hook: MessageWebhook) -> str:
        """What to answer, in Spanish: a live conversation goes on; otherwise a reply to the
        confirmation question, AYUDA or a folio are answered here, and anything else starts a
        conversation."""
        conversation = await self._texts.current(hook.sender)
        words = fold(hook.body).split()
        answer = opening_answer(hook.body) if len(words) <= MAX_REPLY_WORDS else None
        if answer is not None:
            since = conversation.last_at if conversation is not None else None
            confirmed = await self._confirmation(hook, solved=answer, since=since)
            if confirmed is not None:
                return confirmed
        if conversation is not None:
            return await self._in_conversation(hook, conversation.state)
        if words and words[0] in HELP and len(words) <= 2:
            return self._sender.prompts.text("sms-ayuda")
        if (
            FOLIO_MESSAGE.match(hook.body)
            and sum(c.isdigit() for c in hook.body) >= MIN_FOLIO_DIGITS
        ):
            return await self._limited_status(hook)
        return await self._texts.reply(hook.sender, hook.message_sid, hook.body)

    async def _in_conversation(self, hook: MessageWebhook, state: CallState) -> str:
        """A valid folio sent in the middle of a conversation (not asked for) gets its status
        and the conversation's question again; any other message goes on with it."""
        if state.step != Step.FOLIO and FOLIO_MESSAGE.match(hook.body) and _valid(hook.body):
            status = await self._limited_status(hook)
            follow = self._sender.prompts.text("sms-continuar")
            return f"{status} {follow} {await self._texts.question(state)}"
        return await self._texts.reply(hook.sender, hook.message_sid, hook.body)

    async def _limited_status(self, hook: MessageWebhook) -> str:
        if not await self._limiter.allow(hook.sender, call_id=hook.message_sid):
            return self._sender.prompts.text("sms-limite")
        return await self._status(hook.body, hook.sender)

    async def _status(self, body: str, sender: str) -> str:
        prompts = self._sender.prompts
        try:
            request = await self._requests.get(parse_folio(body))
        except InvalidFolio:
            return prompts.text("sms-folio-invalido")
        except FolioNotFound:
            return prompts.text("sms-folio-no-encontrado")
        status = Status(request.status)
        overdue = False
        date_text = ""
        if status in OPEN_STATUSES and request.due_at is not None:
            overdue = self._requests.deadline_state(request) == DeadlineState.OVERDUE
            date_text = written_date(request.due_at.astimezone(self._requests.calendar.zone).date())
        text = prompts.text(
            "sms-estado",
            folio=format_folio(request.folio),
            estado=STATUS_LABELS[status],
            autoridad=await self._directory.authority_name(request.authority_code, short=True),
            vencido=overdue,
            fecha=date_text,
        )
        return " ".join([text, *self._answer(request, citizen=is_citizen(request, sender))])

    def _answer(self, request: ServiceRequest, *, citizen: bool) -> list[str]:
        """The answer's gist and a rejection's reason for the ``citizen`` (the answer for
        anyone once published); for anyone else, where to read them."""
        prompts = self._sender.prompts
        said = []
        if request.answer_text and (citizen or request.answer_public):
            said.append(prompts.text("sms-estado-respuesta", resumen=gist(request.answer_text)))
        if request.status == Status.REJECTED and request.rejection_reason and citizen:
            said.append(prompts.text("sms-estado-rechazo", motivo=gist(request.rejection_reason)))
        hidden = request.answer_text or request.rejection_reason
        if hidden and not said and not citizen:
            said.append(prompts.text("sms-estado-reservada"))
        return said

    async def _confirmation(
        self, hook: MessageWebhook, *, solved: bool, since: datetime | None
    ) -> str | None:
        """The answer to the confirmation question; None when none was asked (after
        ``since``: a conversation's last message, when one is going on)."""
        prompts = self._sender.prompts
        folio = await self._asked_folio(hook.sender, since)
        if folio is None:
            return None
        shown = format_folio(folio)
        try:
            await self._requests.confirm(folio, solved=solved, citizen_words=hook.body[:200])
        except ConfirmationWindowClosed:
            return prompts.text("sms-confirmacion-cerrada", folio=shown)
        except DomainError:
            return prompts.text("sms-guia")
        return prompts.text("sms-confirmacion-si" if solved else "sms-confirmacion-no", folio=shown)

    async def _asked_folio(self, sender: str, since: datetime | None) -> str | None:
        """The folio of the latest confirmation question sent to ``sender`` (after ``since``)."""

        def work() -> str | None:
            with session_scope(self._engine) as session:
                row = session.exec(
                    select(OutboundMessage)
                    .where(OutboundMessage.to == sender, OutboundMessage.purpose == "confirmation")
                    .order_by(OutboundMessage.id.desc())  # type: ignore[union-attr]
                ).first()
                return row.folio if row and (since is None or row.created_at > since) else None

        return await run_blocking(self._engine, work)


def _valid(body: str) -> bool:
    """``body`` is a well-formed folio (ten digits and a right check digit)."""
    try:
        parse_folio(body)
    except InvalidFolio:
        return False
    return True
