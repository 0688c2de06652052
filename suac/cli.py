"""The ``suac`` command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine

from models.config import get_settings
from models.db import make_engine, pending_migrations, session_scope, upgrade
from models.errors import DomainError
from suac.cli_apikey import apikey_app
from suac.cli_asterisk import app as asterisk_app
from suac.cli_call import call_app
from suac.cli_demo import HELP as DEMO_HELP
from suac.cli_demo import demo
from suac.cli_folio import folio_app
from suac.cli_imports import refuse_rejected, with_progress
from suac.cli_jobs import jobs_app
from suac.cli_opendata import opendata_app
from suac.settings_errors import read_settings

app = typer.Typer(
    help="SUAC Locatel: servicio, base de datos, catálogo y folios.", no_args_is_help=True
)
db_app = typer.Typer(help="Base de datos.", no_args_is_help=True)
catalogue_app = typer.Typer(help="Catálogo de trámites y servicios.", no_args_is_help=True)
user_app = typer.Typer(help="Cuentas del personal.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(folio_app, name="folio")
app.add_typer(user_app, name="user")
app.add_typer(asterisk_app, name="asterisk")
app.add_typer(call_app, name="call")
app.command(name="demo", help=DEMO_HELP)(demo)
app.add_typer(jobs_app, name="jobs")
app.add_typer(opendata_app, name="opendata")
app.add_typer(apikey_app, name="apikey")
console = Console(soft_wrap=True)


@app.callback()
def main() -> None:
    """Read the settings once for every command: a bad one is one line and exit code 2."""
    read_settings(console)


def _one_shot_engine() -> Engine:
    """The configured database for a one-shot command, never a new one."""
    from suac.container import prepare_database

    try:
        return prepare_database(get_settings(), create=False)
    except DomainError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from error


@app.command(help="Inicia el servicio: web y, en la configuración embebida, todos los roles.")
def serve(
    host: Annotated[str, typer.Option(help="Dirección donde escuchar.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Puerto.")] = 8000,
    workers: Annotated[int, typer.Option(help="Procesos de uvicorn.")] = 1,
    role: Annotated[
        str,
        typer.Option(
            help="Roles de este proceso: all (web, telephony y worker) o web. Por omisión, "
            "all con la base embebida y web con una base externa."
        ),
    ] = "",
) -> None:
    """Start the web service (every role on the embedded defaults, the web role otherwise)."""
    import os

    import uvicorn

    from suac.metrics_server import multiprocess_metrics
    from suac.roles import ALL_ROLES, WEB
    from suac.web import ROLES_VARIABLE, SERVER_OPTIONS, default_roles

    settings = get_settings()
    if role not in {"", "all", WEB}:
        console.print("[red]--role acepta all o web (use suac worker y suac asterisk run).[/red]")
        raise typer.Exit(2)
    roles = ALL_ROLES if role == "all" else {WEB} if role == WEB else default_roles(settings)
    if workers > 1 and roles != {WEB}:
        console.print(
            "[red]Con varios procesos (--workers) use --role web y arranque aparte "
            "suac worker y suac asterisk run.[/red]"
        )
        raise typer.Exit(2)
    if not settings.is_embedded_database:
        missing = pending_migrations(make_engine(settings.resolved_database_url))
        if missing:
            console.print(
                "[red]La base de datos no está actualizada "
                f"(faltan {', '.join(sorted(missing))}). Ejecute: suac db upgrade[/red]"
            )
            raise typer.Exit(1)
    os.environ[ROLES_VARIABLE] = ",".join(sorted(roles))
    with multiprocess_metrics(workers):
        uvicorn.run(
            "suac.web:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            **SERVER_OPTIONS,  # type: ignore[arg-type]
        )


@app.command(help="Rol worker: trabajos (SMS, devoluciones de llamada) y tareas periódicas.")
def worker() -> None:
    """The worker role: jobs, periodic tasks, the call recorder, until Ctrl+C or SIGTERM."""
    from suac.roles import WORKER
    from suac.runner import run_roles

    run_roles(get_settings(), {WORKER}, banner="Worker en marcha: trabajos y tareas periódicas.")


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
    """Load or update catalogue entries from a CSV file, idempotently; running processes
    reload it (the event is staged with the import); exit code 1 when rows were rejected."""
    from models.catalogue_import import CatalogueFileError, import_catalogue
    from suac.container import outbox_stage

    engine = _one_shot_engine()
    try:
        report = with_progress(
            console,
            path,
            lambda advance: import_catalogue(
                engine, path, stage=outbox_stage(engine), progress=advance
            ),
        )
    except CatalogueFileError as error:
        console.print(f"[red]No se puede importar {path}: {error}[/red]")
        raise typer.Exit(1) from error
    console.print(
        f"Agregadas: {len(report.added)}  Modificadas: {len(report.changed)}  "
        f"Sin cambios: {len(report.unchanged)}  Rechazadas: {len(report.rejected)}"
    )
    refuse_rejected(console, report.rejected, key="Clave")


def _ask_password() -> str:
    """The password typed twice without echo (click's own prompt answers in English)."""
    while True:
        first = typer.prompt("Contraseña", hide_input=True)
        if typer.prompt("Repita la contraseña", hide_input=True) == first:
            return str(first)
        console.print("[red]Las contraseñas no coinciden; escríbala de nuevo.[/red]")


@user_app.command("add", help="Crea una cuenta del personal con contraseña cifrada.")
def user_add(
    username: Annotated[str, typer.Argument(help="Nombre de usuario.")],
    full_name: Annotated[str, typer.Option("--name", help="Nombre completo.")],
    role: Annotated[str, typer.Option(help="agent, supervisor, authority o admin.")] = "agent",
    authority: Annotated[
        str, typer.Option(help="Autoridad del personal de autoridad (código, p. ej. SACMEX).")
    ] = "",
    unit: Annotated[str, typer.Option(help="Unidad administrativa (opcional).")] = "",
    phone: Annotated[
        str, typer.Option(help="Teléfono del agente: PJSIP/1001, +52… o sip:… (opcional).")
    ] = "",
    password: Annotated[
        str | None,
        typer.Option(help="Contraseña (si se omite, se pide dos veces sin mostrarla)."),
    ] = None,
) -> None:
    """Create a staff account with a hashed password."""
    from models.users import InvalidAccount, Role, StaffCreate, check_phone, create_user

    if role not in {r.value for r in Role}:
        console.print(
            f"[red]Rol desconocido: {role}. Use agent, supervisor, authority o admin.[/red]"
        )
        raise typer.Exit(2)
    data = StaffCreate(
        username=username,
        full_name=full_name,
        role=Role(role),
        authority_code=authority,
        unit_code=unit,
        phone=phone,
    )
    if not data.username:
        console.print("[red]El nombre de usuario no puede estar vacío.[/red]")
        raise typer.Exit(2)
    try:
        check_phone(data)
        with session_scope(_one_shot_engine()) as session:
            create_user(session, data, password=password or _ask_password())
    except InvalidAccount as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(2 if error.field == "password" else 1) from error
    console.print(f"[green]Usuario {data.username} creado con el rol {role}.[/green]")


if __name__ == "__main__":
    app()
