"""HTTP endpoints Twilio calls: voice webhooks, queue webhooks, call status callbacks, messages.

Each handler only checks the signature, parses the form and hands it to its front.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, WebSocket
from pydantic import ValidationError
from starlette.datastructures import FormData

from ivr.speech.media_stream import MediaSession
from ivr.twilio.messaging import MessageWebhook
from ivr.twilio.security import ForgedTwilioRequest, check_signature, signed_form
from ivr.twilio.stream_auth import StreamAdmission
from ivr.twilio.voice import VoiceWebhook
from models.error_answers import error_responses

XML = "application/xml"


class TwiML(Response):
    """A TwiML document (what every voice and messaging webhook answers)."""

    media_type = XML


router = APIRouter(
    prefix="/twilio",
    tags=["twilio"],
    default_response_class=TwiML,
    responses=error_responses(400, 403, 413, 415, 422),
)


def _part(request: Request):  # noqa: ANN202
    return request.app.state.container.ivr


async def twilio_form(request: Request) -> FormData:
    """The signed form of a Twilio webhook (403 otherwise)."""
    return await signed_form(request.app.state.container.settings, request)


SignedForm = Annotated[FormData, Depends(twilio_form)]
QueueName = Annotated[str, Query(alias="queue", min_length=1, max_length=64)]


def _voice_hook(request: Request, form: FormData) -> VoiceWebhook:
    """The webhook's fields (400 in Spanish when malformed; a recording only on Twilio's API
    or the configured stand-in)."""
    api_base = request.app.state.container.settings.twilio.api_base_url
    try:
        return VoiceWebhook.model_validate(dict(form), context={"api_base": api_base})
    except ValidationError as error:
        if any("RecordingUrl" in problem["loc"] for problem in error.errors()):
            detail = "La grabación no está en la API de Twilio."
            raise HTTPException(status_code=400, detail=detail) from error
        raise HTTPException(status_code=400, detail="Solicitud de Twilio mal formada.") from error


@router.post("/voice")
async def incoming_call(request: Request, form: SignedForm) -> Response:
    """A call arrives on a City number."""
    xml = await _part(request).voice.incoming(_voice_hook(request, form))
    return Response(xml, media_type=XML)


@router.post("/voice/step")
async def call_step(
    request: Request,
    form: SignedForm,
    seq: Annotated[int, Query(ge=0, le=10_000)],
    silence: Annotated[int, Query(ge=0, le=1)] = 0,
    media: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """The caller's answer to a gather (or the silence after it, a media stream's result, or a
    recording's URL)."""
    hook = _voice_hook(request, form)
    xml = await _part(request).voice.step(hook, seq=seq, silence=bool(silence), media=bool(media))
    return Response(xml, media_type=XML)


@router.post("/voice/callback")
async def callback_answered(
    request: Request, form: SignedForm, request_id: Annotated[int, Query(alias="id", ge=1)]
) -> Response:
    """A citizen answered the call-back they asked for."""
    part = _part(request)
    row = await part.callbacks.get(request_id) if part.callbacks is not None else None
    context = json.loads(row.context) if row is not None else None
    queue = row.queue if row is not None else part.flow.options.agent_queue
    xml = await part.voice.callback(_voice_hook(request, form), context, queue)
    return Response(xml, media_type=XML)


@router.post("/voice/queue/wait")
async def queue_wait(request: Request, form: SignedForm, queue: QueueName) -> Response:
    """``<Enqueue waitUrl>``: the hold loop of a queued caller (with its position)."""
    xml = await _part(request).voice.queue_wait(_voice_hook(request, form), queue)
    return Response(xml, media_type=XML)


@router.post("/voice/queue/connected")
async def queue_connected(
    request: Request,
    form: SignedForm,
    queue: QueueName,
    agent: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """``<Queue url>``: an agent's call dequeued the caller (with its wait)."""
    xml = await _part(request).voice.queue_connected(_voice_hook(request, form), queue, agent)
    return Response(xml, media_type=XML)


@router.post("/voice/queue/result")
async def queue_result(request: Request, form: SignedForm, queue: QueueName) -> Response:
    """``<Enqueue action>``: the call left the queue (``QueueResult``, ``QueueTime``)."""
    xml = await _part(request).voice.queue_result(_voice_hook(request, form), queue)
    return Response(xml, media_type=XML)


@router.post("/voice/agent")
async def agent_leg(
    request: Request,
    form: SignedForm,
    queue: Annotated[str, Query(max_length=64)] = "",
    agent: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """An agent's call takes the next caller of ``queue``: a call the agent made (its ``From``
    names the agent) or one placed to the agent (``agent``, by the ``dial_next`` command)."""
    xml = _part(request).voice.agent_leg(queue, agent or _voice_hook(request, form).caller)
    return Response(xml, media_type=XML)


@router.post("/voice/transfer")
async def call_transferred(
    request: Request,
    form: SignedForm,
    target: Annotated[str, Query(min_length=3, max_length=200)],
) -> Response:
    """A caller's call redirected here (by an agent's transfer) is dialled to ``target``."""
    xml = await _part(request).voice.transferred(_voice_hook(request, form), target)
    return Response(xml, media_type=XML)


@router.post("/voice/estado")
async def status_reading(
    request: Request,
    form: SignedForm,
    folio: Annotated[str, Query(max_length=20, pattern=r"^[0-9]*$")] = "",
) -> Response:
    """A caller an agent sent back to the IVR's status reading (``folio`` read at once)."""
    xml = await _part(request).voice.read_status(_voice_hook(request, form), folio)
    return Response(xml, media_type=XML)


@router.post("/voice/status", status_code=204)
async def call_status(request: Request, form: SignedForm) -> Response:
    """Twilio's call status callback."""
    await _part(request).voice.status(_voice_hook(request, form))
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


@router.websocket("/media")
async def media_stream(websocket: WebSocket) -> None:
    """Twilio Media Streams (``<Connect><Stream>``) into the configured local speech engine:
    signed by Twilio, then admitted only for the call and turn its ``token`` was made for
    (a refused or malformed stream is closed with 1008, the policy code)."""
    settings = websocket.app.state.container.settings
    part = websocket.app.state.container.ivr
    try:
        check_signature(settings, websocket, {})
    except ForgedTwilioRequest:
        await websocket.close(code=1008)
        return
    if part.speech is None:
        await websocket.close(code=1011)
        return
    await websocket.accept()
    secret = settings.secret_key.get_secret_value()
    admission = StreamAdmission(secret=secret, store=part.voice.store)
    session = MediaSession(part.speech, timeout_seconds=6, limits=settings.limits)
    result = await session.run(websocket, admit=admission.refusal)
    if result.refused:
        await websocket.close(code=1008)
        return
    if result.call_sid:
        await part.voice.store.put_media(
            result.call_sid,
            seq=result.seq,
            speech=result.speech,
            digits=result.digits,
            seconds=result.seconds,
        )
    if result.ended_by != "disconnect":
        await websocket.close()
