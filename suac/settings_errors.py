"""Reading the settings for a command: a bad setting is one Spanish line that names it.

settings = read_settings(console)   # exits with code 2 on a bad setting
"""

from __future__ import annotations

import json
import os
import re

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console

from models.config import Settings, get_settings
from models.validation_problems import problem

PREFIX, NESTED = "SUAC_", "__"
_FIELD = re.compile(r'field "(\w+)"')


def _variable(location: tuple[int | str, ...]) -> str:
    """The environment variable of an error's location, and where inside its value.

    >>> _variable(("asterisk", "servers", 0, "port"))
    'SUAC_ASTERISK__SERVERS (elemento 1, «port»)'
    """
    names = [str(part) for part in location]
    inner = next((i for i, part in enumerate(location) if isinstance(part, int)), len(names))
    variable = PREFIX + NESTED.join(names[:inner]).upper()
    where = [f"elemento {p + 1}" if isinstance(p, int) else f"«{p}»" for p in location[inner:]]
    return f"{variable} ({', '.join(where)})" if where else variable


def _unparsable(field: str) -> str:
    """The variable of group ``field`` whose JSON value does not parse (pydantic-settings
    names only the group)."""
    group = f"{PREFIX}{field.upper()}"
    for name, value in os.environ.items():
        if name.upper() == group or name.upper().startswith(group + NESTED):
            try:
                json.loads(value)
            except ValueError:
                if value.lstrip()[:1] in "[{":
                    return name.upper()
    return f"{group}{NESTED}…"


def describe(error: ValidationError | SettingsError) -> str:
    """One line, in Spanish, naming the setting at fault."""
    if isinstance(error, SettingsError):
        found = _FIELD.search(str(error))
        name = _unparsable(found.group(1)) if found else f"{PREFIX}…"
        return f"Configuración inválida: {name} no es JSON válido."
    first = error.errors()[0]
    context = first.get("ctx") or {}
    if first["type"] == "value_error" and "error" in context:
        return f"Configuración inválida: {context['error']}."
    return f"Configuración inválida: {_variable(first['loc'])} {problem(first['type'])}."


def read_settings(console: Console) -> Settings:
    """The process settings, or one clear line and exit code 2."""
    try:
        return get_settings()
    except (ValidationError, SettingsError) as error:
        console.print(f"[red]{describe(error)}[/red]")
        raise typer.Exit(2) from error
