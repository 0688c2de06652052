"""``suac call``: a terminal softphone that plays Twilio against a running server.

It signs every webhook with the configured auth token exactly as Twilio would, prints what the
IVR says (and speaks it with ``espeak-ng`` when installed), and takes typed keys or typed
"speech": a line of digits, ``*`` or ``#`` is keyed, any other text is said, an empty line is
silence, and ``colgar`` (or Ctrl-D) hangs up. A refused signature or a server that does not
answer ends the command with one line and exit code 1.
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
TIMEOUT_SECONDS = 30.0


class CallFailed(Exception):
    """The server refused the call or did not answer; ``str()`` is the operator's line."""


def _check(page: TwimlPage) -> None:
    """Refuse anything but a TwiML page, naming the settings a 403 points at."""
    if page.status_code == 403:
        raise CallFailed(
            "El servidor rechazó la firma de Twilio (403): SUAC_TWILIO__AUTH_TOKEN y "
            "SUAC_PUBLIC_BASE_URL deben ser los mismos aquí y en el servidor."
        )
    if page.status_code != 200:
        raise CallFailed(f"El servidor respondió {page.status_code}: {page.xml[:200]}")


def _speak(text: str, enabled: bool) -> None:
    espeak = shutil.which("espeak-ng")
    if enabled and espeak:
        subprocess.run([espeak, "-v", "es-419", "-s", "165", text], check=False)


def _show(console: Console, page: TwimlPage, speak: bool) -> None:
    _check(page)
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
    """Play one call in the terminal (``transport`` lets tests reach an app in process);
    raises :class:`CallFailed` when the server refuses it or does not answer."""
    settings = settings or get_settings()
    try:
        await _play(server, caller, speak, console, settings, transport)
    except httpx.TimeoutException as error:
        raise CallFailed(
            f"El servidor {server} no respondió en {TIMEOUT_SECONDS:.0f} s."
        ) from error
    except httpx.TransportError as error:
        raise CallFailed(
            f"No se pudo conectar con el servidor en {server}: ¿está en marcha «suac serve»?"
        ) from error


async def _play(
    server: str,
    caller: str,
    speak: bool,
    console: Console,
    settings: Settings,
    transport: httpx.AsyncBaseTransport | None,
) -> None:
    token = settings.twilio.auth_token.get_secret_value()
    client = httpx.AsyncClient(base_url=server, timeout=TIMEOUT_SECONDS, transport=transport)
    async with client as http:
        call = SimulatedCall(
            http=http, public_base_url=settings.public_base_url, auth_token=token, caller=caller
        )
        page = await call.start()
        _show(console, page, speak)
        while not page.end and page.action:
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
    console = Console()
    try:
        asyncio.run(run_call(server, caller, speak, console))
    except CallFailed as error:
        console.print(f"[red]{error}[/red]", soft_wrap=True)
        raise typer.Exit(1) from error
