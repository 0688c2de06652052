"""Plain types of the AMI side, shared by the adapter and its callers (no panoramisk here)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ivr.asterisk.errors import AmiBadAction, NoRunningLoop

AmiHeaders = dict[str, Any]
SUCCESS = frozenset({"Success", "Follows", "Goodbye"})
FAILED = frozenset({"Error", "Fail", "Failure"})


def running_loop() -> asyncio.AbstractEventLoop:
    """The running loop, or a clear error instead of a deprecated implicit loop (trap 7)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError as error:
        raise NoRunningLoop(
            "Los objetos de Asterisk se crean dentro de un bucle asyncio en ejecución."
        ) from error


def check_header_values(headers: dict[str, object]) -> None:
    """Refuse line breaks in header values: they would inject extra AMI headers or actions."""
    for key, value in headers.items():
        values = value if isinstance(value, list | tuple) else (value,)
        if any("\r" in str(v) or "\n" in str(v) for v in values):
            raise AmiBadAction(f"El valor de {key} contiene un salto de línea.")


@dataclass(frozen=True)
class AmiAnswer:
    """Asterisk's answer to one action: the response headers and, for lists, the items."""

    success: bool
    message: str
    headers: AmiHeaders
    items: list[AmiHeaders] = field(default_factory=list)

    @classmethod
    def from_messages(cls, messages: Sequence[Mapping[str, Any]]) -> AmiAnswer:
        """Build from panoramisk messages: the response first, the list's items after it."""
        first = dict(messages[0].items())
        items = [dict(m.items()) for m in messages[1:] if "event" in m]
        if items and str(items[-1].get("EventList", "")).lower() == "complete":
            items = items[:-1]
        return cls(
            success=first.get("Response") in SUCCESS,
            message=str(first.get("Message", "")),
            headers=first,
            items=items,
        )
