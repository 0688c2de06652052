"""The body of an error answer, and the OpenAPI description of the errors a route answers.

An error answered in JSON is ``{"detail": "<texto en español>"}``, with the stable
``error_id`` of the domain error (:mod:`models.errors`) that caused it; a request FastAPI
refuses keeps its list of the fields at fault as ``detail``. Routers and routes declare the
statuses they answer with :func:`error_responses`, so the schema documents them::

    >>> sorted(error_responses(404, 429))
    [404, 429]
    >>> list(error_responses(409, html=True)[409]["content"])
    ['application/json', 'text/html']
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

DESCRIPTIONS = {
    400: "Solicitud mal formada.",
    401: "Inicie sesión para continuar.",
    403: "Sin permiso, sin una firma válida o con el formulario caducado.",
    404: "No existe.",
    409: "La acción no es posible en el estado actual.",
    413: "El cuerpo de la solicitud es demasiado grande.",
    415: "Tipo de contenido no admitido.",
    422: "Datos no válidos.",
    429: "Límite alcanzado: vuelva a intentarlo después de Retry-After segundos.",
    503: "Servicio no disponible por el momento.",
}
HTML = {"text/html": {"schema": {"type": "string"}}}


class ErrorAnswer(BaseModel):
    """An error: what went wrong, in Spanish, and the domain error's stable id if any."""

    error_id: str | None = Field(default=None, examples=["folio-not-found"])
    detail: str | list[dict[str, Any]] = Field(
        description="El motivo, en español (o la lista de campos no válidos)."
    )


_JSON = {"application/json": {"schema": ErrorAnswer.model_json_schema()}}


def error_responses(
    *statuses: int, html: bool = False, json: bool = True
) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of ``statuses``: an :class:`ErrorAnswer` in JSON, and an HTML
    page too when ``html`` (pages answer their errors as pages), or only a page when not
    ``json``."""
    answers: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        # spelt out: FastAPI would give a "model" the route's own media type (a page's, TwiML's)
        content = {**(_JSON if json else {}), **(HTML if html else {})}
        answers[status] = {"description": DESCRIPTIONS[status], "content": content}
    return answers


def described_errors(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """Like :func:`error_responses` (JSON), each status with a description of the route's own."""
    answers = error_responses(*descriptions)
    for status, description in descriptions.items():
        answers[status]["description"] = description
    return answers
