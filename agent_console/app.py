"""The web application: routes, error mapping, liveness and readiness.

It is built by the program (``suac.web.create_app``), which hands it the lifespan that builds
the container and starts the process's roles; it never builds parts itself.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from agent_console import classify_routes, public_routes
from ivr.twilio import routes as twilio_routes
from models.errors import DomainError

log = logging.getLogger(__name__)

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
Readiness = Callable[[], Awaitable[tuple[bool, dict[str, object]]]]


def build_app(*, lifespan: Lifespan) -> FastAPI:
    """The FastAPI application; ``lifespan`` sets ``app.state.container`` and ``readiness``."""

    app = FastAPI(title="SUAC Locatel", lifespan=lifespan)
    app.add_exception_handler(DomainError, _domain_error)  # type: ignore[arg-type]
    app.include_router(public_routes.router)
    app.include_router(classify_routes.router)
    app.include_router(twilio_routes.router)

    @app.get("/healthz", include_in_schema=False)
    async def health() -> dict[str, str]:
        """Alive: the process answers (nothing else is checked)."""
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def ready(request: Request) -> JSONResponse:
        """Ready: the database, Redis, each AMI link and the job backlog, each with its state."""
        ok, checks = await request.app.state.readiness()
        return JSONResponse(
            status_code=200 if ok else 503,
            content={"status": "ok" if ok else "no disponible", "checks": checks},
        )

    return app


def freeze_long_lived() -> None:
    """Move the long-lived catalogue and indexes out of the collector's generations."""
    gc.freeze()


async def _domain_error(_request: Request, error: DomainError) -> JSONResponse:
    return JSONResponse(
        status_code=error.status_code,
        content={"error_id": error.error_id, "detail": error.message},
    )

