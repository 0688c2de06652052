"""``suac demo``: the whole system on one machine with simulated telephony and traffic, in a
fresh demonstration folder, until Ctrl+C (or ``--minutes``)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from suac.demo.system import DemoSystem

HELP = "Demostración: todo el sistema con llamadas, asesores y autoridad simulados."
PAGES = (
    ("/consola", "consola del agente: estado en la cola, llamada en pantalla, cierre"),
    ("/consola/capturar", "captura de solicitudes"),
    ("/supervision/tablero", "tablero en vivo de la supervisión"),
    ("/bandeja", "bandeja de la autoridad"),
    ("/folio", "consulta pública de folios"),
)


def _banner(console: Console, demo: DemoSystem, folder: Path, temporary: bool) -> None:
    shown = [a for a in demo.accounts if not a.simulated]
    console.print(f"\n[bold green]SUAC Locatel: demostración en marcha[/bold green] en {demo.url}")
    for path, what in PAGES:
        console.print(f"  {demo.url}{path}  [dim]{what}[/dim]")
    table = Table("Usuario", "Contraseña", "Para qué", title="Cuentas de la demostración")
    for account in shown:
        table.add_row(account.username, account.password, account.purpose)
    console.print(table)
    agents = sum(1 for a in demo.accounts if a.simulated and a.phone) // 2
    console.print(
        "Llamadas simuladas por las vías reales: Twilio (webhooks firmados y una réplica local "
        "de su API) y Asterisk (AMI y FastAGI de un Asterisk simulado). Las atienden "
        f"{agents} asesores simulados por cada vía; una funcionaria simulada de SACMEX responde "
        "sus solicitudes. Los teléfonos contestan solos: entre a la cola desde /consola y "
        "le llegarán llamadas."
    )
    kept = "se borra al terminar; use --data-dir para conservarla" if temporary else "se conserva"
    console.print(f"Datos de la demostración: {folder} ({kept}).")
    console.print(f"Registro detallado: {folder / 'demo.log'}")
    console.print("[bold]Detenga la demostración con Ctrl+C.[/bold]\n")


def _summary(console: Console, demo: DemoSystem) -> None:
    traffic = getattr(demo, "traffic", None)
    if traffic is None:
        return
    counts = traffic.counts
    console.print(
        f"Llamadas terminadas: atendidas {counts.get('answered', 0)}, "
        f"abandonadas {counts.get('abandoned', 0)}, resueltas en el menú {counts.get('ivr', 0)}."
    )


async def run_demo(
    console: Console, folder: Path, *, temporary: bool, host: str, port: int, minutes: float
) -> int:
    """Run the demonstration until a stop signal or ``minutes``; the exit code."""
    from suac.demo.system import DemoOptions, DemoRefused, DemoSystem

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stop.set)
    options = DemoOptions(data_dir=folder, host=host, port=port)
    demo = DemoSystem(options, announce=lambda line: console.print(line))
    console.print("Arrancando la demostración (servicio, Asterisk simulado, Twilio simulado)…")
    starting = asyncio.create_task(demo.start())
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if starting.done():
            await starting
            _banner(console, demo, folder, temporary)
            await asyncio.wait({stopping}, timeout=minutes * 60 if minutes > 0 else None)
    except DemoRefused as error:
        console.print(f"[red]{error}[/red]")
        return 1
    finally:
        starting.cancel()
        stopping.cancel()
        console.print("Deteniendo la demostración…")
        await demo.stop()
    _summary(console, demo)
    console.print("[green]Demostración detenida.[/green]")
    return 0


def demo(
    port: Annotated[int, typer.Option(help="Puerto del servicio.")] = 8000,
    host: Annotated[str, typer.Option(help="Dirección donde escuchar.")] = "127.0.0.1",
    minutes: Annotated[float, typer.Option(help="Minutos que dura (0: hasta Ctrl+C).", min=0)] = 0,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Carpeta de la demostración (nueva, vacía o de otra demostración); "
            "por omisión, una temporal que se borra al terminar."
        ),
    ] = None,
) -> None:
    """Todo el sistema en esta máquina, con llamadas, asesores y autoridad simulados."""
    from suac.demo.system import DemoRefused, configure_logging, prepare_folder

    console = Console(soft_wrap=True)
    temporary = data_dir is None
    folder = Path(tempfile.mkdtemp(prefix="suac-locatel-demo-")) if data_dir is None else data_dir
    try:
        prepare_folder(folder)
    except DemoRefused as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    folder = folder.expanduser().resolve()
    configure_logging(folder)
    code = 0
    try:
        with contextlib.suppress(KeyboardInterrupt):  # a Ctrl+C before the handlers are set
            code = asyncio.run(
                run_demo(
                    console, folder, temporary=temporary, host=host, port=port, minutes=minutes
                )
            )
    finally:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
    raise typer.Exit(code)
