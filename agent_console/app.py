"""The web application factory: one lifespan builds the container and hangs it on app.state."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from agent_console import classify_routes, public_routes
from agent_console.container import build_container
from ivr.twilio import routes as twilio_routes
from models.config import Settings, get_settings
from models.errors import DomainError

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI application for ``settings`` (the environment's by default)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = await build_container(settings)
        app.state.container = container
        gc.freeze()  # the long-lived catalogue and indexes leave the collector's generations
        try:
            yield
        finally:
            await container.close()

    app = FastAPI(title="SUAC Locatel", lifespan=lifespan)
    app.add_exception_handler(DomainError, _domain_error)  # type: ignore[arg-type]
    app.include_router(public_routes.router)
    app.include_router(classify_routes.router)
    app.include_router(twilio_routes.router)

    @app.get("/healthz", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def _domain_error(_request: Request, error: DomainError) -> JSONResponse:
    return JSONResponse(
        status_code=error.status_code,
        content={"error_id": error.error_id, "detail": error.message},
    )
