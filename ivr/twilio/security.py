"""Twilio request signatures: every webhook is checked before anything else reads it.

The URL Twilio signed is rebuilt from the configured public base URL, the raw path and the raw
query string, so validation holds behind a TLS-terminating reverse proxy (where the app itself
sees ``http://127.0.0.1:8000/...``).

A webhook's body is only ever Twilio's ``application/x-www-form-urlencoded`` form (anything
else is refused with 415, so no multipart parser runs before the signature is checked); it is
read once, bounded by the request size limit, parsed with ``urllib``'s ``parse_qsl`` and checked
against the signature before any handler sees it.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from fastapi import HTTPException, Request
from starlette.datastructures import FormData
from starlette.requests import HTTPConnection
from twilio.request_validator import RequestValidator

from models.config import Settings
from models.errors import DomainError

log = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"
MAX_FIELDS = 200  # Twilio's voice and message webhooks send about 40


class ForgedTwilioRequest(DomainError):
    """A webhook without a valid ``X-Twilio-Signature``."""

    error_id = "twilio-signature-invalid"
    status_code = 403


def public_url(settings: Settings, request: HTTPConnection) -> str:
    """The exact URL Twilio requested: public base + raw path + raw query string.

    For a media-stream WebSocket the scheme is ``wss`` (``ws`` behind a plain-HTTP base).
    """
    base = settings.public_base_url.rstrip("/")
    if request.scope.get("type") == "websocket":
        base = base.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
    path = request.scope.get("raw_path") or request.url.path.encode()
    if isinstance(path, bytes):
        path = path.decode("latin-1")
    path = path.split("?", 1)[0]
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{base}{path}?{query}" if query else f"{base}{path}"


def check_signature(settings: Settings, request: HTTPConnection, params: FormData | dict) -> None:
    """Raise :class:`ForgedTwilioRequest` unless the request is signed with the auth token."""
    if not settings.twilio.validate_signatures:
        return
    signature = request.headers.get("X-Twilio-Signature", "")
    url = public_url(settings, request)
    token = settings.twilio.auth_token.get_secret_value()
    if not (token and signature and RequestValidator(token).validate(url, params, signature)):
        client = request.client.host if request.client else "?"
        log.warning("refused an unsigned or forged Twilio request for %s from %s", url, client)
        raise ForgedTwilioRequest("La firma de Twilio no es válida.")


def parse_form(content_type: str, body: bytes) -> FormData:
    """Twilio's form, every value of a repeated key kept (they are all signed)::

        >>> parse_form("application/x-www-form-urlencoded; charset=UTF-8", b"A=1&B=%C3%B1&A=2")
        FormData([('A', '1'), ('B', 'ñ'), ('A', '2')])
    """
    if content_type.split(";", 1)[0].strip().lower() != FORM:
        raise HTTPException(status_code=415, detail=f"Twilio envía sus formularios como {FORM}.")
    try:
        text = body.decode("ascii")  # a well-formed form escapes every other byte
        pairs = parse_qsl(
            text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS
        )
    except ValueError as error:  # UnicodeDecodeError included
        raise HTTPException(status_code=400, detail="Formulario de Twilio mal formado.") from error
    return FormData([(name, value) for name, value in pairs])


async def signed_form(settings: Settings, request: Request) -> FormData:
    """The request's form, once its signature has been checked."""
    form = parse_form(request.headers.get("content-type", ""), await request.body())
    try:
        check_signature(settings, request, form)
    except ForgedTwilioRequest as error:
        raise HTTPException(status_code=403, detail=error.message) from error
    return form
