"""``GET /metrics``: the service's Prometheus metrics (see the README's *Monitoring*).

The text carries no personal data (queue names, counts, durations, job kinds, AMI server
names), so it is served without a session; with ``SUAC_METRICS_TOKEN`` set it asks for
``Authorization: Bearer <token>``, and production should also keep it off the public side of
the proxy. The process's ``Exposition`` (``app.state.metrics``) is set by the program.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from models.db import run_blocking

router = APIRouter(include_in_schema=False)


def _allowed(request: Request) -> bool:
    token = request.app.state.container.settings.metrics_token.get_secret_value()
    if not token:
        return True
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """The metrics in Prometheus' text format (the database collectors run in a thread)."""
    if not _allowed(request):
        return PlainTextResponse(
            "Se requiere el token de métricas (Authorization: Bearer …).",
            status_code=401,
            headers={"www-authenticate": "Bearer"},
        )
    exposition = request.app.state.metrics
    body, content_type = await run_blocking(request.app.state.container.engine, exposition.render)
    return Response(body, media_type=content_type)
