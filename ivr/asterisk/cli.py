"""``suac asterisk``: render the PBX configuration and the prompts' audio."""

from __future__ import annotations

import asyncio
import contextlib
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


@app.command(help="Conecta el puente AMI y atiende el IVR por FastAGI hasta Ctrl+C.")
def run() -> None:
    """Own the AMI connections and serve the FastAGI IVR in this process."""
    from agent_console.container import build_container

    async def serve() -> None:
        container = await build_container(get_settings())
        assert container.asterisk is not None
        try:
            host, port = await container.asterisk.start()
            console.print(f"FastAGI en agi://{host}:{port}; puente AMI en marcha.")
            await asyncio.Event().wait()
        finally:
            await container.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
