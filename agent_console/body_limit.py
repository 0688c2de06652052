"""A size limit on every HTTP request's body, enforced before the application reads it.

A declared ``Content-Length`` over the limit is answered 413 at once, unread; a body sent in
chunks is counted as it is received and cut with 413 the moment it passes the limit, so no
form, JSON or multipart parser ever holds more than the limit. Paths under a prefix can have a
smaller limit (Twilio's webhooks: its forms are a few kilobytes)::

    app.add_middleware(BodyLimit, default=1_048_576, by_prefix={"/twilio/": 65_536})

Starlette and uvicorn have no such limit of their own, hence this middleware.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(HTTPException):
    """The body passed its limit while it was being read: the application's own error
    handling answers 413 (a reader outside it, such as the CSRF check, gets it from here)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=too_large(limit))


def too_large(limit: int) -> str:
    """The Spanish message of a refused body::

        >>> too_large(65536)
        'La solicitud es demasiado grande: se admiten hasta 65 536 bytes.'
    """
    return f"La solicitud es demasiado grande: se admiten hasta {limit:,} bytes.".replace(",", " ")


class BodyLimit:
    """An ASGI middleware refusing bodies over ``default`` bytes (or a prefix's own limit)."""

    def __init__(self, app: ASGIApp, *, default: int, by_prefix: dict[str, int]) -> None:
        self.app = app
        self.default = default
        self.by_prefix = by_prefix

    def limit_for(self, path: str) -> int:
        """The limit of ``path``: its prefix's, else the default."""
        return next((n for p, n in self.by_prefix.items() if path.startswith(p)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, too_large(limit))
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as error:
            if not started:  # a response already begun cannot be replaced: the body is cut
                await _refuse(send, error.detail)


async def _refuse(send: Send, detail: str) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
