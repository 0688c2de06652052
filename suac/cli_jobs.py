"""``suac jobs``: the jobs kept with their state, and trying a failed one again."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from models.config import get_settings
from models.errors import DomainError
from models.jobs import DONE, FAILED, PENDING, RUNNING, JobQueue
from suac.container import prepare_database

jobs_app = typer.Typer(
    help="Trabajos: mensajes, devoluciones de llamada y tareas periódicas.",
    invoke_without_command=True,
)
console = Console(soft_wrap=True)
STATUS_LABELS = {
    PENDING: "pendiente",
    RUNNING: "en curso",
    DONE: "hecho",
    FAILED: "fallido",
}


def _queue() -> JobQueue:
    try:
        return JobQueue(engine=prepare_database(get_settings(), create=False))
    except DomainError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from error


@jobs_app.callback()
def list_jobs(
    ctx: typer.Context,
    todos: Annotated[
        bool, typer.Option("--todos", help="Incluir los trabajos ya hechos.")
    ] = False,
) -> None:
    """List pending, running and failed jobs (all of them with ``--todos``)."""
    if ctx.invoked_subcommand is not None:
        return
    statuses = () if todos else (PENDING, RUNNING, FAILED)
    jobs = asyncio.run(_queue().list(statuses=statuses))
    if not jobs:
        console.print("No hay trabajos pendientes ni fallidos.")
        return
    table = Table("Id", "Tipo", "Estado", "Intentos", "Datos", "Último error", title="Trabajos")
    for job in jobs:
        table.add_row(
            str(job.id),
            job.kind,
            STATUS_LABELS.get(job.status, job.status),
            f"{job.attempts}/{job.max_attempts}",
            json.dumps(json.loads(job.payload), ensure_ascii=False),
            job.last_error,
        )
    console.print(table)


@jobs_app.command("retry", help="Vuelve a intentar ahora un trabajo fallido.")
def retry(job_id: Annotated[int, typer.Argument(help="Id del trabajo.")]) -> None:
    """Put a failed job back in the queue."""
    if asyncio.run(_queue().requeue(job_id)):
        console.print(f"[green]El trabajo {job_id} volverá a intentarse.[/green]")
        return
    console.print(f"[red]No hay un trabajo fallido con el id {job_id}.[/red]")
    raise typer.Exit(1)
