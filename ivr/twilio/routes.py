"""HTTP endpoints Twilio calls: voice webhooks, call status callbacks, messages.

Each handler only checks the signature, parses the form and hands it to its front.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from ivr.twilio.messaging import MessageWebhook
from ivr.twilio.security import signed_form
from ivr.twilio.voice import VoiceWebhook

router = APIRouter(prefix="/twilio", tags=["twilio"])
XML = "application/xml"


def _part(request: Request):  # noqa: ANN202
    return request.app.state.container.ivr


async def twilio_form(request: Request) -> FormData:
    """The signed form of a Twilio webhook (403 otherwise)."""
    return await signed_form(request.app.state.container.settings, request)


SignedForm = Annotated[FormData, Depends(twilio_form)]


def _voice_hook(form: FormData) -> VoiceWebhook:
    try:
        return VoiceWebhook.model_validate(dict(form))
    except ValidationError as error:
        raise HTTPException(status_code=400, detail="Solicitud de Twilio mal formada.") from error


@router.post("/voice")
async def incoming_call(request: Request, form: SignedForm) -> Response:
    """A call arrives on a City number."""
    xml = await _part(request).voice.incoming(_voice_hook(form))
    return Response(xml, media_type=XML)


@router.post("/voice/step")
async def call_step(
    request: Request,
    form: SignedForm,
    seq: Annotated[int, Query(ge=0, le=10_000)],
    silence: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """The caller's answer to a gather (or the silence after it)."""
    xml = await _part(request).voice.step(_voice_hook(form), seq=seq, silence=bool(silence))
    return Response(xml, media_type=XML)


@router.post("/voice/status", status_code=204)
async def call_status(request: Request, form: SignedForm) -> Response:
    """Twilio's call status callback."""
    await _part(request).voice.status(_voice_hook(form))
    return Response(status_code=204)


@router.post("/messaging")
async def incoming_message(request: Request, form: SignedForm) -> Response:
    """An SMS or WhatsApp message to the City's line."""
    try:
        hook = MessageWebhook.model_validate(dict(form))
    except ValidationError as error:
        raise HTTPException(status_code=400, detail="Mensaje de Twilio mal formado.") from error
    xml = await _part(request).messaging.incoming(hook)
    return Response(xml, media_type=XML)


@router.post("/messaging/status", status_code=204)
async def message_status(request: Request, form: SignedForm) -> Response:
    """Twilio's delivery status callback for a message the City sent."""
    sid = str(form.get("MessageSid", ""))[:64]
    status = str(form.get("MessageStatus", ""))[:32]
    error = form.get("ErrorCode")
    if not (sid and status):
        raise HTTPException(status_code=400, detail="Faltan MessageSid o MessageStatus.")
    await _part(request).sender.record_status(sid, status, str(error)[:16] if error else None)
    return Response(status_code=204)
