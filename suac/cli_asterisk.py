"""``suac asterisk``: render the PBX configuration and the prompts' audio."""

from __future__ import annotations

import asyncio
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


@app.command(
    help="Escribe toda la configuración de Asterisk (extensions.conf, manager.conf, pjsip.conf, "
    "queues.conf, modules.conf, musiconhold.conf…) y crea las carpetas de grabaciones."
)
def render(
    out: Annotated[Path, typer.Option(help="Carpeta donde escribir los archivos .conf.")],
    server: Annotated[str, typer.Option(help="Servidor AMI (el primero si se omite).")] = "",
    folders: Annotated[
        bool, typer.Option(help="Crear las carpetas donde Asterisk graba (en este equipo).")
    ] = True,
) -> None:
    """Write every Asterisk file and create the folders Asterisk records into."""
    from ivr.asterisk.render import create_record_folders, write_config

    settings = get_settings()
    try:
        paths = write_config(settings, out, server=server or None)
        for path in paths:
            console.print(f"Escrito {path}")
        for folder in create_record_folders(settings) if folders else []:
            console.print(f"Carpeta creada {folder}")
    except AsteriskError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from error


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


@app.command(
    help="Pregunta a un Asterisk en marcha (AMI) si tiene todo lo que el proyecto necesita: "
    "módulos, sonidos, cola, música en espera, extensiones, audios del IVR y carpetas."
)
def check(
    server: Annotated[str, typer.Option(help="Servidor AMI (el primero si se omite).")] = "",
) -> None:
    """Name, in Spanish, whatever the project needs that the live Asterisk lacks (exit 1)."""
    from ivr.asterisk.readiness_check import check_server

    try:
        readiness = asyncio.run(check_server(get_settings(), server=server or None))
    except AsteriskError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from error
    for line in readiness.report():
        console.print(line, markup=False, highlight=False)
    if readiness.missing:
        raise typer.Exit(1)


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
