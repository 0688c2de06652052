"""The administrators' list of the City's primary roads (``/admin/vias``): a request on one goes
to the catalogue entry's primary-road authority (see :mod:`models.primary_roads`).

A road is added with its aliases (how callers say it), its aliases changed, or it is taken off
the list. Every change stages ``ReferenceDataChanged`` in its transaction, so running IVR
processes reload the list; a refusal is shown on the page (status 422) and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from agent_console.auth import AdminStaff
from agent_console.templating import render
from models.catalogue_import import Stage
from models.db import run_blocking, session_scope
from models.events import BaseEvent
from models.primary_roads import (
    ALIAS_SEPARATOR,
    InvalidRoad,
    add_road,
    all_roads,
    parse_aliases,
    remove_road,
    set_aliases,
)

router = APIRouter(prefix="/admin/vias", include_in_schema=False)
LIST = "/admin/vias"
NOTICES = {
    "agregada": "Vía «{via}» agregada a la lista de vías primarias.",
    "alias": "Alias de «{via}» actualizados.",
    "quitada": "Vía «{via}» quitada de la lista: sus reportes nuevos irán a la alcaldía.",
}
Text = Annotated[str, Form(max_length=2000)]
Work = Callable[[Session, Stage], None]


async def _page(
    request: Request,
    *,
    notice: str = "",
    error: str = "",
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    container = request.app.state.container

    def load() -> list[Any]:
        with session_scope(container.engine, readonly=True) as session:
            return all_roads(session)

    roads = await run_blocking(container.engine, load)
    context = {
        "roads": roads,
        "notice": notice,
        "error": error,
        "values": values or {},
        "separator": ALIAS_SEPARATOR,
    }
    return render(request, "admin/roads.html", context, status=status)


async def _change(
    request: Request, work: Work, notice: str, name: str, values: dict[str, str]
) -> Response:
    """Run one change in a transaction with its event; publish it once committed."""
    container = request.app.state.container
    events: list[BaseEvent] = []

    def stage(session: Session, event: BaseEvent) -> None:
        container.notifier.stage(session, event)
        events.append(event)

    def run() -> None:
        with session_scope(container.engine) as session:
            work(session, stage)

    try:
        await run_blocking(container.engine, run)
    except InvalidRoad as refused:
        return await _page(request, error=refused.message, values=values, status=422)
    await container.notifier.flush(events)
    query = urlencode({"aviso": notice, "via": " ".join(name.split())})
    return RedirectResponse(f"{LIST}?{query}", status_code=303)


@router.get("")
async def roads(request: Request, staff: AdminStaff, aviso: str = "", via: str = "") -> Response:
    """Every primary road with its aliases, and the form to add one."""
    return await _page(request, notice=NOTICES.get(aviso, "").format(via=via[:120]))


@router.post("")
async def add(request: Request, staff: AdminStaff, nombre: Text = "", alias: Text = "") -> Response:
    """Add a road with its aliases (separated by ";")."""

    def work(session: Session, stage: Stage) -> None:
        add_road(session, nombre, parse_aliases(alias), stage)

    values = {"nombre": nombre, "alias": alias}
    return await _change(request, work, "agregada", nombre, values)


@router.post("/alias")
async def change_aliases(
    request: Request, staff: AdminStaff, nombre: Text = "", alias: Text = ""
) -> Response:
    """Replace a road's aliases."""

    def work(session: Session, stage: Stage) -> None:
        set_aliases(session, nombre, parse_aliases(alias), stage)

    return await _change(request, work, "alias", nombre, {})


@router.post("/quitar")
async def remove(request: Request, staff: AdminStaff, nombre: Text = "") -> Response:
    """Take a road off the list."""

    def work(session: Session, stage: Stage) -> None:
        remove_road(session, nombre, stage)

    return await _change(request, work, "quitada", nombre, {})
