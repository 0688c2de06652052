"""``suac asterisk``: render the PBX configuration and the prompts' audio."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ivr.asterisk.errors import AsteriskError
from models.config import get_settings

app = typer.Typer(
    help="Asterisk: configuración de la central y audios del IVR.", no_args_is_help=True
)
console = Console()


@app.command(help="Escribe extensions.conf, manager.conf, queues.conf, pjsip.conf y modules.conf.")
def render(
    out: Annotated[Path, typer.Option(help="Carpeta donde escribir los archivos .conf.")],
    server: Annotated[str, typer.Option(help="Servidor AMI (el primero si se omite).")] = "",
) -> None:
    """Write extensions.conf, manager.conf, queues.conf, pjsip.conf and modules.conf."""
    from ivr.asterisk.render import write_config

    try:
        paths = write_config(get_settings(), out, server=server or None)
    except AsteriskError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from error
    for path in paths:
        console.print(f"Escrito {path}")
