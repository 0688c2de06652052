"""Times Twilio's webhooks (``suac_twilio_webhook_seconds{route,status}``): from the request's
arrival to the end of the answer's body, labelled with the route's template (never the raw
path, so an unknown address cannot add labels: it is ``other``)."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.telemetry import WEBHOOK_SECONDS

PREFIX = "/twilio/"


class WebhookTiming:
    """An ASGI middleware observing every HTTP request under ``/twilio/``. It must be the
    innermost one (added first): the router records the matched route in the scope it is
    given, and an outer middleware may hand on a copy."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees when the app fails before answering

        async def timed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, timed)
        finally:
            route = str(getattr(scope.get("route"), "path", "") or "other")
            WEBHOOK_SECONDS.labels(route=route, status=str(status)).observe(
                time.perf_counter() - started
            )
