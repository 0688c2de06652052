"""Likely duplicates of a request about to be registered.

An open request of the same category is a likely duplicate when it lies within ``meters`` of
the new one (both with coordinates), or when it was received in the last ``days`` days at the
same colonia and street (streets compared without accents, case, punctuation or a leading
"calle"/"avenida"). What is returned names no citizen and no exact address::

    >>> same_street("Av. Tláhuac 1234", "avenida tlahuac  1234")
    True
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlalchemy import select as sql_select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from models.lifecycle import OPEN_STATUSES
from models.requests import ServiceRequest

EARTH_RADIUS_METERS = 6_371_008.8
METERS_PER_DEGREE = math.pi * EARTH_RADIUS_METERS / 180
STREET_PREFIXES = frozenset({"calle", "c", "av", "ave", "avenida", "avda"})
SCANNED = 200  # candidates read from the database before the exact checks
_NOT_WORD = re.compile(r"[^0-9a-z]+")
CANDIDATE_COLUMNS = tuple(
    getattr(ServiceRequest, name)
    for name in (
        "folio",
        "status",
        "received_at",
        "alcaldia",
        "colonia",
        "street",
        "latitude",
        "longitude",
    )
)


@dataclass(frozen=True)
class Place:
    """Where the new request's problem is."""

    alcaldia: str | None = None
    colonia: str | None = None
    street: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class LikelyDuplicate:
    """An open request that may report the same problem (no personal data)."""

    folio: str
    status: str
    received_at: datetime
    alcaldia: str | None
    colonia: str | None
    meters: float | None
    same_street: bool


def street_key(street: str | None) -> str:
    """A street's name folded for comparison (``""`` when there is none)."""
    text = unicodedata.normalize("NFKD", street or "").encode("ascii", "ignore").decode().lower()
    words = _NOT_WORD.sub(" ", text).split()
    if len(words) > 1 and words[0] in STREET_PREFIXES:
        words = words[1:]
    return " ".join(words)


def same_street(one: str | None, other: str | None) -> bool:
    """Whether two typed street names name the same street."""
    key = street_key(one)
    return bool(key) and key == street_key(other)


def distance_meters(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_METERS * math.asin(math.sqrt(a))


def find_duplicates(
    session: Session,
    *,
    catalogue_code: str,
    place: Place,
    now: datetime,
    days: int,
    meters: float,
    limit: int = 5,
) -> list[LikelyDuplicate]:
    """Open requests of ``catalogue_code`` near ``place`` (closest, then newest, first)."""
    since = now - timedelta(days=days)
    near, same = _near(place, meters), _same_colonia(place, since)
    conditions = [c for c in (near, same) if c is not None]
    if not conditions:
        return []
    statement = (
        sql_select(*CANDIDATE_COLUMNS)
        .where(col(ServiceRequest.catalogue_code) == catalogue_code)
        .where(col(ServiceRequest.status).in_(OPEN_STATUSES))
        .where(or_(*conditions))
        .order_by(col(ServiceRequest.received_at).desc())
        .limit(SCANNED)
    )
    rows = session.connection().execute(statement)
    checked = (_check(_Row(*row), place, meters, since) for row in rows)
    found = [duplicate for duplicate in checked if duplicate is not None]
    found.sort(key=_closest_then_newest)
    return found[:limit]


def _closest_then_newest(duplicate: LikelyDuplicate) -> tuple[float, float]:
    meters = duplicate.meters if duplicate.meters is not None else math.inf
    return meters, -duplicate.received_at.timestamp()


def _near(place: Place, meters: float) -> ColumnElement[bool] | None:
    """A bounding box around the place, narrowed exactly by :func:`_check`."""
    if place.latitude is None or place.longitude is None:
        return None
    dlat = meters / METERS_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(place.latitude)), 1e-6)
    return and_(
        col(ServiceRequest.latitude).between(place.latitude - dlat, place.latitude + dlat),
        col(ServiceRequest.longitude).between(place.longitude - dlon, place.longitude + dlon),
    )


def _same_colonia(place: Place, since: datetime) -> ColumnElement[bool] | None:
    if not (place.colonia and street_key(place.street)):
        return None
    return and_(
        col(ServiceRequest.alcaldia) == place.alcaldia,
        col(ServiceRequest.colonia) == place.colonia,
        col(ServiceRequest.received_at) >= since,
    )


@dataclass(frozen=True)
class _Row:
    """The columns of a candidate that the checks read (no whole ORM object: cheaper)."""

    folio: str
    status: str
    received_at: datetime
    alcaldia: str | None
    colonia: str | None
    street: str | None
    latitude: float | None
    longitude: float | None


def _check(request: _Row, place: Place, meters: float, since: datetime) -> LikelyDuplicate | None:
    distance = None
    if place.located and request.latitude is not None and request.longitude is not None:
        assert place.latitude is not None and place.longitude is not None
        distance = distance_meters(
            place.latitude, place.longitude, request.latitude, request.longitude
        )
    street = (
        request.received_at >= since
        and bool(place.colonia)
        and request.alcaldia == place.alcaldia
        and request.colonia == place.colonia
        and same_street(request.street, place.street)
    )
    if not street and (distance is None or distance > meters):
        return None
    return LikelyDuplicate(
        folio=request.folio,
        status=request.status,
        received_at=request.received_at,
        alcaldia=request.alcaldia,
        colonia=request.colonia,
        meters=round(distance) if distance is not None else None,
        same_street=street,
    )
