"""The Jinja2 environment of the pages: the CSRF token, the signed-in account, and the
filters that show folios, dates and statuses as Mexico City's staff read them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from models.folio import format_folio
from models.lifecycle import STATUS_LABELS
from models.requests import Status
from models.users import ROLE_LABELS

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
ZONE = ZoneInfo("America/Mexico_City")
DEADLINE_LABELS = {
    "on_time": "En plazo",
    "due_soon": "Por vencer",
    "overdue": "Vencida",
    "answered_on_time": "Atendida en plazo",
    "answered_late": "Atendida fuera de plazo",
}


def local_time(value: datetime | None, pattern: str = "%d/%m/%Y %H:%M") -> str:
    """A UTC moment in the City's time."""
    return value.astimezone(ZONE).strftime(pattern) if value else "—"


def folio_groups(folio: str) -> str:
    """A folio in groups for reading aloud: ``26 000 1234 9``."""
    digits = "".join(ch for ch in folio if ch.isdigit())
    return " ".join([digits[:2], digits[2:5], digits[5:9], digits[9:]]).strip()


TEMPLATES.env.filters.update(
    local_time=local_time,
    folio=lambda value: format_folio(value) if value else "",
    folio_groups=folio_groups,
    status_label=lambda value: STATUS_LABELS.get(Status(value), value) if value else "",
    deadline_label=lambda value: DEADLINE_LABELS.get(str(value), str(value)),
    role_label=lambda value: ROLE_LABELS.get(value, value),
)


def csrf_token(request: Request) -> str:
    """The form token of this browser (``asgi-csrf`` sets its cookie when first asked)."""
    make = request.scope.get("csrftoken")
    return make() if make is not None else ""


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HTMLResponse:
    """A page, with the account and the CSRF token available to every template."""
    values = {"staff": getattr(request.state, "staff", None), "csrf": csrf_token(request)}
    return TEMPLATES.TemplateResponse(request, template, {**values, **(context or {})}, status)


def render_public(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    cache_seconds: int | None = None,
    form: bool = False,
) -> HTMLResponse:
    """A public page: no account; cacheable by browsers and proxies for ``cache_seconds``
    (the ``public.cache_seconds`` setting by default) unless it carries a ``form`` (whose
    CSRF cookie is this browser's own: then it is never stored)."""
    values = {"staff": None, "csrf": csrf_token(request) if form else ""}
    response = TEMPLATES.TemplateResponse(request, template, {**values, **(context or {})}, status)
    if form:
        response.headers["cache-control"] = "no-store"
    else:
        seconds = request.app.state.container.settings.public.cache_seconds
        seconds = seconds if cache_seconds is None else cache_seconds
        response.headers["cache-control"] = f"public, max-age={seconds}"
    return response

