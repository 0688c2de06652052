"""Stored requests for the benchmarks: a month of citizens' requests as the service keeps them.

Every catalogue entry, the 16 alcaldías with their colonias, real folios (with check digit),
due dates from the business calendar, three in four answered within 0–14 days (closed once
the confirmation window passed), some rejected, the status changes in the history, and one
in ten handed from one authority to another. Citizens carry names, phones and streets, so
what the public sees can be checked for them.
"""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert, select, text
from sqlmodel import Session, col

from models.authorities import Authority
from models.business_days import BusinessCalendar
from models.catalogue import CatalogueEntry
from models.folio import make_folio
from models.requests import RequestHistory, ServiceRequest, Status

BATCH = 5000
COLONIAS = Path(__file__).resolve().parent.parent / "ivr/classifier/data/colonias.csv"


def _colonias() -> dict[str, list[str]]:
    by_alcaldia: dict[str, list[str]] = {}
    with COLONIAS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            by_alcaldia.setdefault(row["alcaldia"], []).append(row["colonia"])
    return by_alcaldia


def _reference(engine: Engine) -> tuple[list, dict[str, str], dict[str, str]]:
    with Session(engine) as session:
        entries = list(
            session.execute(select(col(CatalogueEntry.code), col(CatalogueEntry.authority)))
        )
        units = dict(
            session.execute(
                text(
                    "SELECT authority_code, min(code) FROM administrative_unit "
                    "GROUP BY authority_code"
                )
            ).all()
        )
        alcaldias = dict(
            session.execute(
                select(col(Authority.code), col(Authority.alcaldia)).where(
                    col(Authority.alcaldia).is_not(None)
                )
            ).all()
        )
    return entries, units, alcaldias


def _history(request_id: int, at: datetime, old: str, new: str) -> dict[str, object]:
    return {
        "request_id": request_id,
        "at": at,
        "actor": "bench",
        "field": "status",
        "from_value": old,
        "to_value": new,
        "note": "",
    }


def store_requests(
    engine: Engine,
    count: int,
    calendar: BusinessCalendar,
    *,
    start: datetime,
    days: int = 30,
    now: datetime,
    seed: int = 7,
) -> None:
    """Store ``count`` requests received over ``days`` from ``start``, as seen at ``now``."""
    rng = random.Random(seed)
    entries, units, alcaldias = _reference(engine)
    colonias = _colonias()
    requests, history = [], []
    for n in range(1, count + 1):
        code, authority = rng.choice(entries)
        place = rng.choice(list(alcaldias))
        alcaldia = alcaldias[place]
        authority = place if authority == "ALCALDIA" else authority
        received = start + timedelta(seconds=rng.randrange(days * 86400))
        answered = closed = None
        status = Status.ASSIGNED
        roll = rng.random()
        if roll < 0.75:
            answered = min(received + timedelta(hours=rng.randrange(1, 14 * 24)), now)
            status = Status.ANSWERED if answered > now - timedelta(days=3) else Status.CLOSED
            closed = answered + timedelta(days=3) if status == Status.CLOSED else None
        elif roll < 0.8:
            status = Status.REJECTED
        requests.append(
            {
                "id": n,
                "folio": make_folio(start.year, n),
                "kind": "servicio",
                "catalogue_code": code,
                "channel": "agent",
                "received_at": received,
                "due_at": calendar.due_at(received, authority),
                "status": status,
                "authority_code": authority,
                "unit_code": units.get(authority),
                "responsible_person": "Ing. Laura Gómez" if answered else None,
                "answer_text": "Se atendió el reporte." if answered else None,
                "answered_at": answered,
                "closed_at": closed,
                "alcaldia": alcaldia,
                "colonia": rng.choice(colonias.get(alcaldia, [None])),
                "latitude": 19.3 + rng.random() * 0.3,
                "longitude": -99.3 + rng.random() * 0.3,
                "street": f"Calle Privada {n}",
                "citizen_name": f"Ciudadana Prueba {n}",
                "citizen_phone": f"+5255{n:08d}",
                "description": f"Reporte de prueba número {n}",
            }
        )
        history.append(_history(n, received, Status.RECEIVED, Status.ASSIGNED))
        if answered:
            history.append(_history(n, answered, Status.ASSIGNED, Status.ANSWERED))
        if closed:
            history.append(_history(n, closed, Status.ANSWERED, Status.CLOSED))
        if n % 10 == 0:
            history.append(
                {
                    "request_id": n,
                    "at": received,
                    "actor": "bench",
                    "field": "authority",
                    "from_value": "SOBSE/DGOIV",
                    "to_value": f"{authority}/{units.get(authority)}",
                    "note": "",
                }
            )
    with engine.begin() as connection:
        for first in range(0, len(requests), BATCH):
            connection.execute(insert(ServiceRequest), requests[first : first + BATCH])
        for first in range(0, len(history), BATCH):
            connection.execute(insert(RequestHistory), history[first : first + BATCH])
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))
