"""``suac call``: a terminal softphone that plays Twilio against a running server.

It signs every webhook with the configured auth token exactly as Twilio would, prints what the
IVR says (and speaks it with ``espeak-ng`` when installed), and takes typed keys or typed
"speech": a line of digits, ``*`` or ``#`` is keyed, any other text is said, an empty line is
silence, and ``colgar`` (or Ctrl-D) hangs up.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from typing import Annotated

import httpx
import typer
from rich.console import Console

from ivr.twilio.simulator import SimulatedCall, TwimlPage
from models.config import Settings, get_settings

call_app = typer.Typer(help="Llamada de prueba al IVR desde la terminal.")
KEYS = re.compile(r"^[0-9*#]+$")
HANG_UP = {"colgar", "adiós", "adios"}


def _speak(text: str, enabled: bool) -> None:
    espeak = shutil.which("espeak-ng")
    if enabled and espeak:
        subprocess.run([espeak, "-v", "es-419", "-s", "165", text], check=False)


def _show(console: Console, page: TwimlPage, speak: bool) -> None:
    if page.status_code != 200:
        console.print(f"[red]El servidor respondió {page.status_code}: {page.xml[:200]}[/red]")
        return
    for sentence in page.spoken:
        console.print(f"[cyan]IVR:[/cyan] {sentence}")
        _speak(sentence, speak)
    if page.end:
        console.print(f"[yellow]— fin: {page.end} —[/yellow]")
    elif page.stream and not page.action:
        console.print(
            "[red]El servidor escucha con un motor de voz local (audio por Media Streams): "
            "esta terminal sólo envía teclas y texto. Use SUAC_IVR__SPEECH_ENGINE=twilio.[/red]"
        )


async def run_call(
    server: str,
    caller: str,
    speak: bool,
    console: Console,
    *,
    settings: Settings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    """Play one call in the terminal (``transport`` lets tests reach an app in process)."""
    settings = settings or get_settings()
    token = settings.twilio.auth_token.get_secret_value()
    async with httpx.AsyncClient(base_url=server, timeout=30, transport=transport) as http:
        call = SimulatedCall(
            http=http, public_base_url=settings.public_base_url, auth_token=token, caller=caller
        )
        page = await call.start()
        _show(console, page, speak)
        while page.status_code == 200 and not page.end and page.action:
            try:
                line = console.input("[green]usted>[/green] ").strip()
            except EOFError:
                line = "colgar"
            if line.lower() in HANG_UP:
                await call.hang_up()
                console.print("[yellow]— colgó —[/yellow]")
                return
            if not line:
                page = await call.silence()
            elif KEYS.match(line):
                page = await call.press(line)
            else:
                page = await call.say(line)
            _show(console, page, speak)
        await call.hang_up()


@call_app.callback(invoke_without_command=True)
def call(
    server: Annotated[str, typer.Option(help="Dirección del servidor SUAC.")] = (
        "http://127.0.0.1:8000"
    ),
    caller: Annotated[str, typer.Option(help="Número que llama.")] = "+525512345678",
    speak: Annotated[bool, typer.Option(help="Leer en voz alta con espeak-ng.")] = True,
) -> None:
    """Llamar al IVR como lo haría Twilio: teclas (1, 2, 0, folio#) o texto como voz."""
    asyncio.run(run_call(server, caller, speak, Console()))
