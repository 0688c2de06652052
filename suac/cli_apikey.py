"""``suac apikey add | list | revoke``: the Open311 API keys of the applications.

A key is shown once, when it is created; the database keeps only its SHA-256. Its channel
names the application, and every request created with the key carries that name.
"""

from __future__ import annotations

import getpass
from datetime import datetime, tzinfo
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from models.config import get_settings
from models.errors import DomainError

apikey_app = typer.Typer(help="Claves de la API Open311 de las aplicaciones.", no_args_is_help=True)
console = Console(soft_wrap=True)


def _engine() -> Engine:
    """The configured database, never a new one (its absence is one line, exit code 1)."""
    from suac.container import prepare_database

    try:
        return prepare_database(get_settings(), create=False)
    except DomainError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from error


def _local(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "—"


@apikey_app.command("add", help="Crea una clave para una aplicación y la muestra una sola vez.")
def apikey_add(
    channel: Annotated[
        str, typer.Option("--canal", help="Nombre de la aplicación (canal), p. ej. «App CDMX».")
    ],
    contact: Annotated[
        str, typer.Option("--contacto", help="Quién responde por la aplicación (correo).")
    ] = "",
) -> None:
    """Create a key for an application and print it once."""
    from models.api_key_service import InvalidApiKeyData, create_key
    from models.db import session_scope

    try:
        with session_scope(_engine()) as session:
            row, plain = create_key(
                session, channel=channel, contact=contact, created_by=getpass.getuser()
            )
            prefix = row.prefix
    except InvalidApiKeyData as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(2) from error
    console.print(
        f"[green]Clave creada para el canal «{channel.strip()}» (prefijo {prefix}).[/green]"
    )
    console.print("Guárdela ahora: no se volverá a mostrar.")
    console.print(plain, highlight=False)


@apikey_app.command("list", help="Lista las claves (nunca su secreto).")
def apikey_list() -> None:
    """List every key: prefix, channel, contact, dates; never a secret."""
    from models.api_key_service import list_keys
    from models.db import session_scope

    zone = get_settings().zone
    with session_scope(_engine(), readonly=True) as session:
        keys = list_keys(session)
    if not keys:
        console.print("No hay claves. Cree una con: suac apikey add --canal NOMBRE")
        return
    table = Table("Prefijo", "Canal", "Contacto", "Creada", "Por", "Último uso", "Revocada")
    for key in keys:
        table.add_row(
            key.prefix,
            key.channel,
            key.contact or "—",
            _local(key.created_at, zone),
            key.created_by,
            _local(key.last_used_at, zone),
            _local(key.revoked_at, zone),
        )
    console.print(table)


@apikey_app.command(
    "revoke", help="Revoca una clave por su prefijo; deja de funcionar al instante."
)
def apikey_revoke(prefix: Annotated[str, typer.Argument(help="Prefijo de la clave.")]) -> None:
    """Revoke the key with ``prefix``."""
    from models.api_key_service import ApiKeyNotFound, revoke_key
    from models.db import session_scope

    try:
        with session_scope(_engine()) as session:
            key = revoke_key(session, prefix)
            channel = key.channel
    except ApiKeyNotFound as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from error
    console.print(f"[green]Clave {prefix.strip()} del canal «{channel}» revocada.[/green]")
