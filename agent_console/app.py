"""The web application: routes, error mapping, liveness and readiness.

It is built by the program (``suac.web.create_app``), which hands it the lifespan that builds
the container and starts the process's roles; it never builds parts itself.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from swagger_ui_bundle import swagger_ui_path
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from agent_console import (
    abandoned_routes,
    admin_roads_routes,
    admin_routes,
    agent_routes,
    board_routes,
    call_routes,
    capture_routes,
    citizen_report_routes,
    classify_routes,
    folio_routes,
    inbox_routes,
    login_routes,
    metrics_routes,
    open_data_routes,
    performance_routes,
    public_routes,
    report_routes,
    spy_routes,
    stats_routes,
    wallboard_routes,
)
from agent_console.auth import Forbidden, NotSignedIn
from agent_console.body_limit import BodyLimit
from agent_console.open311 import routes as open311_routes
from agent_console.security import CsrfProtection, SecuredFastAPI
from agent_console.templating import render
from agent_console.webhook_timing import WebhookTiming
from ivr.twilio import routes as twilio_routes
from models.config import Settings
from models.errors import DomainError
from models.validation_problems import problem

log = logging.getLogger(__name__)

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
Readiness = Callable[[], Awaitable[tuple[bool, dict[str, object]]]]


STATIC = Path(__file__).parent / "static"


def build_app(*, lifespan: Lifespan, settings: Settings) -> FastAPI:
    """The FastAPI application; ``lifespan`` sets ``app.state.container``, ``liveness``,
    ``readiness``, ``live`` and ``login_limiter``."""

    https = settings.secure_cookies
    app = SecuredFastAPI(  # the security headers on every response, errors included
        https=https,
        title="SUAC Locatel",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.serves_docs else None,
    )
    app.add_middleware(WebhookTiming)  # innermost: it reads the route the router matched
    app.add_middleware(CsrfProtection, secret=settings.secret_key.get_secret_value(), https=https)
    limits = settings.limits  # outside every reader of bodies (the CSRF check reads forms)
    app.add_middleware(
        BodyLimit, default=limits.max_body_bytes, by_prefix={"/twilio/": limits.twilio_body_bytes}
    )
    if settings.public.trusted_proxies:  # only these peers may say who the client is
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.public.trusted_proxies)
    app.add_exception_handler(DomainError, _domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(NotSignedIn, _not_signed_in)  # type: ignore[arg-type]
    app.add_exception_handler(Forbidden, _forbidden)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    if settings.serves_docs:  # in production only when it may be public (SUAC_DOCS_PUBLIC)
        app.mount("/static/swagger", StaticFiles(directory=swagger_ui_path), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(login_routes.router)
    app.include_router(admin_routes.router)
    app.include_router(admin_roads_routes.router)
    app.include_router(abandoned_routes.router)
    app.include_router(public_routes.router)
    app.include_router(public_routes.page_router)
    app.include_router(citizen_report_routes.router)
    app.include_router(board_routes.router)
    app.include_router(stats_routes.router)
    app.include_router(inbox_routes.router)
    app.include_router(capture_routes.router)
    app.include_router(folio_routes.router)
    app.include_router(classify_routes.router)
    app.include_router(agent_routes.router)
    app.include_router(call_routes.router)
    app.include_router(performance_routes.router)
    app.include_router(report_routes.router)
    app.include_router(spy_routes.router)
    app.include_router(wallboard_routes.router)
    app.include_router(metrics_routes.router)
    app.include_router(twilio_routes.router)
    app.include_router(open_data_routes.router)
    app.include_router(open311_routes.router)

    if settings.serves_docs:

        @app.get("/docs", include_in_schema=False)
        async def docs(request: Request) -> HTMLResponse:
            """The API's documentation, with Swagger UI served by this app (no CDN)."""
            return render(request, "docs.html")

    @app.get("/healthz", include_in_schema=False)
    async def health(request: Request) -> dict[str, object]:
        """Alive: the process answers (always 200); ``checks`` says whether Redis answers
        (``status`` "degradado" while it does not)."""
        return await request.app.state.liveness()  # type: ignore[no-any-return]

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


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", "text/html"
    )


async def _not_signed_in(request: Request, _error: NotSignedIn) -> Response:
    if _wants_html(request):
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/entrar?siguiente={target}", status_code=303)
    return JSONResponse(status_code=401, content={"detail": "Inicie sesión para continuar."})


async def _forbidden(request: Request, _error: Forbidden) -> Response:
    message = "Su cuenta no tiene permiso para esta página."
    if _wants_html(request):
        return render(request, "error.html", {"message": message}, status=403)
    return JSONResponse(status_code=403, content={"detail": message})


PAGE_ERRORS = {404: "La página que busca no existe.", 405: "Esa acción no está permitida aquí."}
UNPARSABLE_BODY = "There was an error parsing the body"  # FastAPI's own 400


async def _http_error(request: Request, error: HTTPException) -> Response:
    """Pages get a Spanish page for a missing address; APIs keep FastAPI's JSON."""
    if error.status_code in PAGE_ERRORS and _wants_html(request):
        context = {"title": "No encontrada", "message": PAGE_ERRORS[error.status_code]}
        return render(request, "error.html", context, status=error.status_code)
    if _unreadable_body(error):
        detail = "El cuerpo de la solicitud no se pudo leer (formulario o JSON mal formado)."
        return JSONResponse(status_code=400, content={"detail": detail})
    return await http_exception_handler(request, error)


def _unreadable_body(error: HTTPException) -> bool:
    """A 400 of FastAPI's or Starlette's own body parsing (its text is English)."""
    if error.status_code != 400:
        return False
    return error.detail == UNPARSABLE_BODY or isinstance(error.__context__, MultiPartException)


async def _invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's list of the fields at fault, each said in Spanish."""
    fields = [
        {"loc": list(item["loc"]), "msg": problem(item["type"]), "type": item["type"]}
        for item in error.errors()
    ]
    return JSONResponse(status_code=422, content={"detail": fields})


async def _domain_error(_request: Request, error: DomainError) -> JSONResponse:
    return JSONResponse(
        status_code=error.status_code,
        content={"error_id": error.error_id, "detail": error.message},
        headers=getattr(error, "headers", None),  # a limit's Retry-After, say
    )
