"""The ``GET requests`` parameters read into a :class:`RequestQuery`.

``service_request_id`` (folios, comma separated, at most 100) overrides every other filter;
otherwise ``service_code`` (comma separated), ``status`` (``open``, ``closed`` or both) and a
``start_date``–``end_date`` range (ISO 8601, a date without zone read as the City's time) of at
most 90 days, by default the last 90::

    >>> from datetime import datetime, timezone
    >>> now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    >>> query = read_query({"status": "open"}, now=now, zone=timezone.utc)
    >>> query.statuses, query.start.date(), query.end.date()
    (frozenset({'open'}), datetime.date(2026, 9, 2), datetime.date(2026, 12, 1))
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from agent_console.open311.errors import BadParameter
from models.errors import InvalidFolio
from models.folio import parse_folio
from models.open311_requests import MAX_SPAN, OPEN311_STATUSES, RequestQuery

MAX_FOLIOS = 100


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _moment(params: Mapping[str, str], name: str, zone: tzinfo) -> datetime | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        raise BadParameter(
            f"{name} debe ir en formato ISO 8601 (2026-12-01T00:00:00-06:00)."
        ) from error
    return value if value.tzinfo else value.replace(tzinfo=zone)


def _folios(text: str) -> tuple[str, ...]:
    items = _items(text)
    if len(items) > MAX_FOLIOS:
        raise BadParameter(f"service_request_id admite hasta {MAX_FOLIOS} folios.")
    try:
        return tuple(dict.fromkeys(parse_folio(item) for item in items))
    except InvalidFolio as error:
        raise BadParameter(f"service_request_id: {error.message}") from error


def read_query(params: Mapping[str, str], *, now: datetime, zone: tzinfo) -> RequestQuery:
    """The listing ``params`` ask for, checked."""
    folios = _folios(params.get("service_request_id", ""))
    if folios:
        return RequestQuery(folios=folios)
    statuses = frozenset(_items(params.get("status", "").lower()))
    if statuses - OPEN311_STATUSES:
        raise BadParameter("status admite open, closed o ambos separados por coma.")
    start, end = _moment(params, "start_date", zone), _moment(params, "end_date", zone)
    end = end or (start + MAX_SPAN if start and start + MAX_SPAN < now else now)
    start = start or end - MAX_SPAN
    if start > end:
        raise BadParameter("start_date debe ser anterior a end_date.")
    if end - start > MAX_SPAN:
        raise BadParameter("El periodo entre start_date y end_date no puede pasar de 90 días.")
    return RequestQuery(
        service_codes=frozenset(_items(params.get("service_code", ""))),
        statuses=statuses,
        start=start,
        end=end,
    )
