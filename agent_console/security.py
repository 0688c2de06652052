"""Protections every response and form gets: security headers, and CSRF tokens on every
form a browser posts (``asgi-csrf``: a signed double-submit cookie, checked against the
``csrftoken`` field or the ``x-csrftoken`` header).

Twilio's webhooks are exempt (they carry Twilio's signature instead), the Open311 API too (its
callers are programs with an API key, never a signed-in browser), and so are JSON calls
to ``/api/`` (a browser cannot send JSON across sites without CORS, which the app never
allows).
"""

from __future__ import annotations

from typing import Any

from asgi_csrf import asgi_csrf
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    # /reportar's "Usar mi ubicación" asks for the position: this site only, nobody it embeds
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(self)"),
]
CSRF_FAILED = (
    '<!doctype html><html lang="es-MX"><meta charset="utf-8"><title>Formulario caducado'
    "</title><p>El formulario caducó o no es válido. Vuelva a cargar la página e inténtelo "
    "de nuevo.</p></html>"
)


class SecurityHeaders:
    """Adds the security headers; pages (not static files) are never cached, since they may
    show personal data; ``Strict-Transport-Security`` when served over HTTPS."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = HEADERS + (
            [(b"strict-transport-security", b"max-age=31536000")] if https else []
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in self.headers if k not in names]
                if not static and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SecuredFastAPI(FastAPI):
    """FastAPI with :class:`SecurityHeaders` outside everything, Starlette's error middleware
    included: an added middleware sits inside that one, so the 500 it sends for an unhandled
    error (and anything an outer middleware answers) would go out without the headers."""

    def __init__(self, *, https: bool, **options: Any) -> None:
        super().__init__(**options)
        self.https = https

    def build_middleware_stack(self) -> ASGIApp:
        """Starlette's stack, wrapped in the security headers."""
        return SecurityHeaders(super().build_middleware_stack(), https=self.https)


def _exempt(scope: Scope) -> bool:
    path: str = scope["path"]
    if path.startswith(("/twilio/", "/open311/")):  # signed by Twilio / an API key
        return True
    content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
    return path.startswith("/api/") and content_type.startswith(b"application/json")


async def _csrf_failed(_scope: Scope, send: Send, _message_id: object) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"text/html; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": CSRF_FAILED.encode()})


class CsrfProtection:
    """``asgi-csrf`` as a middleware class, so FastAPI's ``add_middleware`` can take it."""

    def __init__(self, app: ASGIApp, *, secret: str, https: bool) -> None:
        self.app = asgi_csrf(
            app,
            signing_secret=secret,
            always_protect={"/entrar"},
            skip_if_scope=_exempt,
            cookie_secure=https,
            cookie_samesite="Strict",
            send_csrf_failed=_csrf_failed,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
