"""``suac folio show``: a request, its status and deadline state in Spanish, and its history."""

from __future__ import annotations

import asyncio
from datetime import datetime, tzinfo
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from models.config import get_settings
from models.errors import DomainError

folio_app = typer.Typer(help="Folios.", no_args_is_help=True)
console = Console(soft_wrap=True)
HISTORY_FIELDS = {"status": "estado", "authority": "autoridad"}


def _local(moment: datetime | None, zone: tzinfo) -> str:
    """A time in the City's zone, to the second ("—" when there is none)."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


@folio_app.command("show", help="Muestra una solicitud, su plazo y su historial.")
def folio_show(folio: Annotated[str, typer.Argument(help="Folio de la solicitud.")]) -> None:
    """Show a request, its deadline state and its history, in Spanish."""
    from models.business_days import DEADLINE_LABELS
    from models.folio import format_folio
    from models.lifecycle import STATUS_LABELS
    from models.requests import Status
    from suac.container import build_container

    def status(value: str | None) -> str:
        return STATUS_LABELS[Status(value)] if value else ""

    async def show() -> None:
        container = await build_container(get_settings(), create_database=False)
        try:
            service, zone = container.requests, container.calendar.zone
            request = await service.get(folio)
            history = await service.history(folio)
            console.print(f"[bold]Folio {format_folio(request.folio)}[/bold]")
            for label, value in (
                ("Categoría", request.catalogue_code),
                ("Estado", status(request.status)),
                ("Alcaldía", request.alcaldia or "—"),
                ("Autoridad", f"{request.authority_code or '—'} / {request.unit_code or '—'}"),
                ("Recibida", _local(request.received_at, zone)),
                ("Vence", _local(request.due_at, zone)),
                ("Plazo", DEADLINE_LABELS[service.deadline_state(request)]),
            ):
                console.print(f"{label}: {value}")
            table = Table("Cuándo", "Quién", "Campo", "De", "A", "Nota", title="Historial")
            for h in history:
                shown = status if h.field == "status" else lambda v: v or ""
                table.add_row(
                    _local(h.at, zone),
                    h.actor,
                    HISTORY_FIELDS.get(h.field, h.field),
                    shown(h.from_value),
                    shown(h.to_value),
                    h.note,
                )
            console.print(table)
        finally:
            await container.close()

    try:
        asyncio.run(show())
    except DomainError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from error
