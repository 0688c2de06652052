"""Open311 errors in the spec's format: a list of ``{code, description}`` in the requested
format, with the HTTP status as ``code`` and a Spanish description.

Every route of the API is an :class:`Open311Route`, which turns a domain error (or a
parameter FastAPI refuses) into that answer, so no route handles errors itself.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel

from agent_console.open311.serializers import FORMATS, respond
from models.errors import DomainError


class UnknownFormat(DomainError):
    """A response format other than json and xml."""

    error_id = "unknown-format"
    status_code = 404


class BadParameter(DomainError):
    """A parameter that is missing or cannot be read."""

    error_id = "bad-parameter"
    status_code = 400


class NotFound(DomainError):
    """A service or request that does not exist."""

    error_id = "not-found"
    status_code = 404


class Open311Error(BaseModel):
    """One error of an Open311 answer."""

    code: int
    description: str


XML = {"text/xml": {"schema": {"type": "string"}}}
ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "La respuesta, en JSON o en XML según el formato.", "content": XML},
    "4XX": {
        "description": "Errores en el formato de Open311 (formato, parámetros, api_key, "
        "inexistente, límite alcanzado con Retry-After).",
        "model": list[Open311Error],
        "content": XML,
    },
}


def error_response(request: Request, status: int, description: str) -> Response:
    """The error as the spec writes it, in the format the path asks for (JSON otherwise)."""
    chosen = request.path_params.get("response_format")
    response_format = chosen if chosen in FORMATS else "json"
    errors = [{"code": status, "description": description}]
    return respond(errors, response_format, root="errors", status=status)


def _describe(error: RequestValidationError) -> str:
    names = sorted({str(item["loc"][-1]) for item in error.errors() if item.get("loc")})
    return f"Parámetro no válido: {', '.join(names)}." if names else "Parámetros no válidos."


class Open311Route(APIRoute):
    """A route whose errors are answered in the Open311 format."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except DomainError as error:
                refused = error_response(request, error.status_code, error.message)
                refused.headers.update(getattr(error, "headers", {}))  # a limit's Retry-After
                return refused
            except RequestValidationError as error:
                return error_response(request, 400, _describe(error))

        return guarded
