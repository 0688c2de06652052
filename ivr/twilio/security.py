"""Twilio request signatures: every webhook is checked before anything else reads it.

The URL Twilio signed is rebuilt from the configured public base URL, the raw path and the raw
query string, so validation holds behind a TLS-terminating reverse proxy (where the app itself
sees ``http://127.0.0.1:8000/...``).
"""

from __future__ import annotations

import logging

from fastapi import HTTPException, Request
from starlette.datastructures import FormData
from starlette.requests import HTTPConnection
from twilio.request_validator import RequestValidator

from models.config import Settings
from models.errors import DomainError

log = logging.getLogger(__name__)


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


async def signed_form(settings: Settings, request: Request) -> FormData:
    """The request's form, once its signature has been checked."""
    form = await request.form()
    try:
        check_signature(settings, request, form)
    except ForgedTwilioRequest as error:
        raise HTTPException(status_code=403, detail=error.message) from error
    return form
