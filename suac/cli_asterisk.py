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
console = Console(soft_wrap=True)


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


@app.command(help="Genera en 8 kHz los audios de todos los mensajes del IVR (espeak-ng y sox).")
def prompts(
    out: Annotated[Path, typer.Option(help="Carpeta donde escribir los archivos .wav.")],
) -> None:
    """Render every static voice prompt to ``OUT/<name>.wav``."""
    from ivr.asterisk.prompt_audio import Synthesizer, render_prompts
    from ivr.prompts import PromptBook

    try:
        paths = render_prompts(out, book=PromptBook(), synthesizer=Synthesizer())
    except AsteriskError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from error
    console.print(f"{len(paths)} audios escritos en {out}")


@app.command(help="Rol de telefonía: enlaces AMI, FastAGI y comandos, hasta Ctrl+C.")
def run() -> None:
    """The telephony role: own the AMI links, serve the FastAGI IVR and telephony commands."""
    from suac.roles import TELEPHONY
    from suac.runner import run_roles

    settings = get_settings()
    if not settings.asterisk.servers:
        console.print("[red]No hay servidores Asterisk: configure SUAC_ASTERISK__SERVERS.[/red]")
        raise typer.Exit(1)
    run_roles(settings, {TELEPHONY}, banner="Telefonía en marcha: enlaces AMI y FastAGI.")
