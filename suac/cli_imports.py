"""What the importing commands share: a progress bar over the file's rows, and the report of
the rows refused (line, key, reason) with exit code 1::

    report = with_progress(console, path, lambda advance: import_catalogue(..., progress=advance))
    refuse_rejected(console, report.rejected, key="Clave")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from models.catalogue_import import Rejection

R = TypeVar("R")


def with_progress(console: Console, path: Path, load: Callable[[Callable[[int], None]], R]) -> R:
    """``load(advance)`` under a bar sized by the rows of ``path`` (its lines but the header)."""
    with path.open(encoding="utf-8-sig", errors="replace") as file:
        total = max(sum(1 for _ in file) - 1, 0)
    with Progress(console=console) as progress:
        task = progress.add_task("Importando", total=total)
        return load(lambda n: progress.advance(task, n))


def refuse_rejected(console: Console, rejected: Sequence[Rejection], *, key: str) -> None:
    """Print the refused rows (``key`` heads their key's column) and exit 1; nothing if none."""
    if not rejected:
        return
    table = Table("Línea", key, "Motivo", title="Filas rechazadas")
    for rejection in rejected:
        table.add_row(str(rejection.line), rejection.code, rejection.reason)
    console.print(table)
    raise typer.Exit(1)
