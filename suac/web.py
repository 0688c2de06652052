"""The uvicorn factory: builds the container, starts this process's roles, serves the app.

``suac serve`` passes the roles in ``SUAC_SERVE_ROLES`` (uvicorn's workers import this module
afresh); without it, the embedded database gets every role in one process and an external
one the web role only.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager

from fastapi import FastAPI

from agent_console.app import build_app, freeze_long_lived
from agent_console.citizen_report_routes import ReportLimiter
from agent_console.login_routes import LoginLimiter
from agent_console.open311.limits import Open311Limiter
from agent_console.public_cache import PublicCache
from agent_console.public_routes import FolioLookupLimiter, FolioProofLimiter, forget_changed_folios
from models.config import Settings, get_settings
from suac.container import build_container
from suac.health import liveness, readiness
from suac.roles import ALL_ROLES, WEB, Runtime

ROLES_VARIABLE = "SUAC_SERVE_ROLES"
SERVER_OPTIONS: dict[str, object] = {
    "proxy_headers": False,  # the app trusts SUAC_PUBLIC__TRUSTED_PROXIES only, never 127.0.0.1
    "ws_max_size": 64 * 1024,  # a media stream's frames are well under 1 KB; refused unread
}


def default_roles(settings: Settings) -> frozenset[str]:
    """Every role on the embedded database, the web role alone on an external one."""
    chosen = os.environ.get(ROLES_VARIABLE, "")
    if chosen:
        return frozenset(chosen.split(","))
    return ALL_ROLES if settings.is_embedded_database else frozenset({WEB})


def create_app(
    settings: Settings | None = None, *, roles: Collection[str] | None = None
) -> FastAPI:
    """The application for ``settings`` (the environment's by default) and ``roles``."""
    settings = settings or get_settings()
    chosen = frozenset(roles) if roles is not None else default_roles(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = await build_container(settings)
        runtime = Runtime(container, roles=chosen | {WEB})
        app.state.container = container
        app.state.runtime = runtime
        app.state.liveness = lambda: liveness(runtime)
        app.state.readiness = lambda: readiness(runtime)
        app.state.live = runtime.live
        app.state.recent_calls = runtime.recent_calls
        app.state.live_figures = runtime.live_figures
        app.state.metrics = runtime.exposition
        app.state.login_limiter = LoginLimiter(settings.console, redis_url=settings.redis_url)
        app.state.report_limiter = ReportLimiter(settings.public, redis_url=settings.redis_url)
        app.state.folio_proof_limiter = FolioProofLimiter(
            settings.console, redis_url=settings.redis_url
        )
        app.state.folio_lookup_limiter = FolioLookupLimiter(
            settings.public, redis_url=settings.redis_url
        )
        app.state.public_cache = PublicCache(seconds=settings.public.cache_seconds)
        app.state.folio_cache = PublicCache(seconds=settings.public.cache_seconds, size=20_000)
        app.state.open311_limiter = Open311Limiter(settings.public, redis_url=settings.redis_url)
        try:
            await runtime.start()
            forgetting = asyncio.create_task(
                forget_changed_folios(runtime.live, app.state.folio_cache)
            )
            try:
                freeze_long_lived()
                yield
            finally:
                forgetting.cancel()
        finally:
            await runtime.stop()
            await container.close()

    return build_app(lifespan=lifespan, settings=settings)
