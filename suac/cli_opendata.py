"""``suac opendata``: import a file in the City's official 0311 layout; export the open data.

``import`` loads the rows as historical requests (a folio already imported is skipped) with a
progress bar, then reports in Spanish the rows refused, with their line and reason; the exit
code is 1 when a row or the file was refused. ``export`` writes the open data files (the same
the worker regenerates) into a folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine

from models.business_days import BusinessCalendar
from models.config import Settings, get_settings
from models.errors import DomainError
from suac.cli_imports import refuse_rejected, with_progress
from suac.container import prepare_database

opendata_app = typer.Typer(
    help="Datos abiertos en el formato oficial 0311 de la Ciudad.", no_args_is_help=True
)
console = Console(soft_wrap=True)


def _open(settings: Settings) -> tuple[Engine, BusinessCalendar]:
    """The configured database (never a new one) and the deployment's calendar."""
    try:
        engine = prepare_database(settings, create=False)
    except DomainError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from error
    calendar = BusinessCalendar.from_file(
        settings.calendar_path, zone=settings.zone, cutoff_hour=settings.reception_cutoff_hour
    )
    return engine, calendar


@opendata_app.command(
    "import", help="Carga un CSV del formato oficial 0311 como solicitudes históricas."
)
def import_file(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Archivo CSV.")],
) -> None:
    """Load ``path`` as historical requests, idempotently; exit code 1 when rows were refused."""
    from models.open_data.importer import OpenDataFileError, import_open_data

    engine, calendar = _open(get_settings())
    try:
        report = with_progress(
            console,
            path,
            lambda advance: import_open_data(engine, path, calendar=calendar, progress=advance),
        )
    except OpenDataFileError as error:
        console.print(f"[red]No se puede importar {path}: {error}.[/red]")
        raise typer.Exit(1) from error
    console.print(
        f"Importadas: {report.added}  Ya importadas antes: {report.existing}  "
        f"Rechazadas: {len(report.rejected)}"
    )
    refuse_rejected(console, report.rejected, key="Folio")


@opendata_app.command("export", help="Escribe los archivos de datos abiertos en una carpeta.")
def export_files(
    directory: Annotated[
        Path, typer.Argument(file_okay=False, help="Carpeta (se crea si no existe).")
    ],
) -> None:
    """Write every open data file into ``directory``."""
    from models.open_data.files import write_open_data

    engine, calendar = _open(get_settings())
    try:
        paths = write_open_data(engine, directory, calendar=calendar)
    except OSError as error:
        console.print(f"[red]No se pudo escribir en {directory}: {error.strerror}.[/red]")
        raise typer.Exit(1) from error
    for path in paths:
        console.print(f"{path} ({path.stat().st_size:,} bytes)")
    console.print(f"[green]Datos abiertos escritos en {directory}.[/green]")
