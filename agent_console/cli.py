"""The ``suac`` command line."""

from __future__ import annotations

import asyncio
import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlmodel import select

from ivr.asterisk.cli import app as asterisk_app
from ivr.cli_call import call_app
from models.config import get_settings
from models.db import make_engine, pending_migrations, session_scope, upgrade
from models.errors import DomainError

app = typer.Typer(
    help="SUAC Locatel: servicio, base de datos, catálogo y folios.", no_args_is_help=True
)
db_app = typer.Typer(help="Base de datos.", no_args_is_help=True)
catalogue_app = typer.Typer(help="Catálogo de trámites y servicios.", no_args_is_help=True)
folio_app = typer.Typer(help="Folios.", no_args_is_help=True)
user_app = typer.Typer(help="Cuentas del personal.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(folio_app, name="folio")
app.add_typer(user_app, name="user")
app.add_typer(asterisk_app, name="asterisk")
app.add_typer(call_app, name="call")
console = Console()


@app.command(help="Inicia el servicio web (SQLite y bus en proceso salvo otra configuración).")
def serve(
    host: Annotated[str, typer.Option(help="Dirección donde escuchar.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Puerto.")] = 8000,
    workers: Annotated[int, typer.Option(help="Procesos de uvicorn.")] = 1,
) -> None:
    """Start the web service (SQLite and in-process bus unless configured otherwise)."""
    import uvicorn

    settings = get_settings()
    if not settings.is_embedded_database:
        missing = pending_migrations(make_engine(settings.resolved_database_url))
        if missing:
            console.print(
                "[red]La base de datos no está actualizada "
                f"(faltan {', '.join(sorted(missing))}). Ejecute: suac db upgrade[/red]"
            )
            raise typer.Exit(1)
    uvicorn.run(
        "agent_console.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
    )


@db_app.command("upgrade", help="Aplica las migraciones pendientes a la base configurada.")
def db_upgrade() -> None:
    """Apply every pending migration to the configured database."""
    settings = get_settings()
    upgrade(make_engine(settings.resolved_database_url))
    console.print("[green]Base de datos actualizada.[/green]")


@catalogue_app.command("import", help="Carga o actualiza el catálogo desde un CSV, sin duplicar.")
def catalogue_import(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Archivo CSV.")],
) -> None:
    """Load or update catalogue entries from a CSV file, idempotently."""
    from agent_console.container import prepare_database
    from models.catalogue_import import CatalogueFileError, import_catalogue

    engine = prepare_database(get_settings())
    total = max(sum(1 for _ in path.open(encoding="utf-8-sig", errors="replace")) - 1, 0)
    try:
        with Progress(console=console) as progress:
            task = progress.add_task("Importando", total=total)
            report = import_catalogue(engine, path, progress=lambda n: progress.advance(task, n))
    except CatalogueFileError as error:
        console.print(f"[red]No se puede importar {path}: {error}[/red]")
        raise typer.Exit(1) from error
    console.print(
        f"Agregadas: {len(report.added)}  Modificadas: {len(report.changed)}  "
        f"Sin cambios: {len(report.unchanged)}  Rechazadas: {len(report.rejected)}"
    )
    if report.rejected:
        table = Table("Línea", "Clave", "Motivo", title="Filas rechazadas")
        for rejection in report.rejected:
            table.add_row(str(rejection.line), rejection.code, rejection.reason)
        console.print(table)


@folio_app.command("show", help="Muestra una solicitud, su plazo y su historial.")
def folio_show(folio: Annotated[str, typer.Argument(help="Folio de la solicitud.")]) -> None:
    """Show a request and its history."""
    from agent_console.container import build_container
    from models.folio import format_folio

    async def show() -> None:
        container = await build_container(get_settings())
        try:
            service = container.requests
            request = await service.get(folio)
            history = await service.history(folio)
            console.print(f"[bold]Folio {format_folio(request.folio)}[/bold]")
            for label, value in (
                ("Categoría", request.catalogue_code),
                ("Estado", request.status),
                ("Alcaldía", request.alcaldia or "—"),
                ("Autoridad", f"{request.authority_code or '—'} / {request.unit_code or '—'}"),
                ("Recibida", request.received_at.astimezone(container.calendar.zone)),
                ("Vence", request.due_at and request.due_at.astimezone(container.calendar.zone)),
                ("Plazo", service.deadline_state(request)),
            ):
                console.print(f"{label}: {value}")
            table = Table("Cuándo", "Quién", "Campo", "De", "A", "Nota", title="Historial")
            for h in history:
                table.add_row(
                    str(h.at.astimezone(container.calendar.zone)),
                    h.actor,
                    h.field,
                    h.from_value or "",
                    h.to_value or "",
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


@user_app.command("add", help="Crea una cuenta del personal con contraseña cifrada.")
def user_add(
    username: Annotated[str, typer.Argument(help="Nombre de usuario.")],
    full_name: Annotated[str, typer.Option("--name", help="Nombre completo.")],
    role: Annotated[str, typer.Option(help="agent, supervisor o admin.")] = "agent",
    password: Annotated[
        str | None, typer.Option(help="Contraseña (si se omite, se pide sin mostrarla).")
    ] = None,
) -> None:
    """Create a staff account with a hashed password."""
    from agent_console.container import prepare_database
    from models.users import Role, User, hash_password

    if role not in {r.value for r in Role}:
        console.print(f"[red]Rol desconocido: {role}. Use agent, supervisor o admin.[/red]")
        raise typer.Exit(2)
    secret = password or getpass.getpass("Contraseña: ")
    try:
        password_hash = hash_password(secret)
    except ValueError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    engine = prepare_database(get_settings())
    with session_scope(engine) as session:
        if session.exec(select(User).where(User.username == username)).first():
            console.print(f"[red]El usuario {username} ya existe.[/red]")
            raise typer.Exit(1)
        session.add(
            User(username=username, full_name=full_name, role=role, password_hash=password_hash)
        )
    console.print(f"[green]Usuario {username} creado con el rol {role}.[/green]")
