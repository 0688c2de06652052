"""A hand-counted December 2026 for the public statistics, with the shipped calendar.

The City stops from 21 to 31 December 2026 and on 4-5 January 2027; 25 December and
1 January are holidays. SACMEX works 28-31 December anyway; Alcaldía Tlalpan does not.
So for a request received on Thursday 17 December at 10:00 SACMEX's business days are
18, 28, 29, 30, 31 (due Thursday 31) and Tlalpan's are 18 December, 6, 7, 8, 11 January
(due Monday 11). Received on Wednesday 30 December at 10:00: SACMEX counts from that day
(31, 6, 7, 8, 11: due Monday 11 January), Tlalpan from Wednesday 6 January (due 13).

Every request carries a citizen's personal data, which no public output may show.
"""

from __future__ import annotations

from datetime import date, datetime

from models.authority_performance import Period
from models.business_days import MEXICO_CITY
from models.request_service import RequestService
from models.requests import Channel, RequestCreate

DECEMBER = Period(date(2026, 12, 1), date(2026, 12, 31))
PERSONAL = {
    "citizen_name": "Rosalinda Quintanar Yáñez",
    "citizen_phone": "5598761234",
    "citizen_email": "rosalinda.quintanar@example.com",
    "street": "Callejón del Secreto 417",
    "reference": "Zaguán verde junto a la tortillería",
    "description": "Mi vecino Evaristo Jiménez dejó la fuga abierta",
}
ANSWER = "Texto de respuesta dirigido solo a la ciudadana"


def local(year: int, month: int, day: int, hour: int) -> datetime:
    """An instant given in Mexico City's time."""
    return datetime(year, month, day, hour, tzinfo=MEXICO_CITY)


NOW = local(2027, 1, 12, 12)  # Tuesday 12 January 2027, noon


class Clock:
    """A settable clock for the request service."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def register(service: RequestService, code: str, alcaldia: str) -> str:
    """AGU-001 goes to SACMEX, VIA-001 in Tlalpan to Alcaldía Tlalpan (ALC-TLP)."""
    data = RequestCreate(catalogue_code=code, channel=Channel.AGENT, alcaldia=alcaldia, **PERSONAL)
    return (await service.register(data, actor="agente:ana")).folio


async def answer(service: RequestService, clock: Clock, folio: str, at: datetime) -> None:
    clock.now = at
    request = await service.get(folio)
    assert request.unit_code is not None
    await service.answer(
        folio,
        text=ANSWER,
        responsible_person="Ing. Ruiz",
        unit_code=request.unit_code,
        actor="autoridad:luz",
    )


async def seed_december(service: RequestService, clock: Clock) -> dict[str, str]:
    """Seven requests (see each comment); the clock is left at ``NOW``."""
    clock.now = local(2026, 12, 17, 10)
    folios = {
        "sac_day5": await register(service, "AGU-001", "Coyoacán"),  # answered Thu 31 Dec
        "sac_day6": await register(service, "AGU-001", "Coyoacán"),  # answered Mon 4 Jan
        "tlp_day2": await register(service, "VIA-001", "Tlalpan"),  # answered Thu 31 Dec
        "tlp_day5": await register(service, "VIA-001", "Tlalpan"),  # answered Mon 11 Jan
        "tlp_day6": await register(service, "VIA-001", "Tlalpan"),  # answered Tue 12 Jan
    }
    clock.now = local(2026, 12, 30, 10)
    folios["sac_overdue"] = await register(service, "AGU-001", "Tlalpan")  # due Mon 11 Jan
    folios["tlp_open"] = await register(service, "VIA-001", "Tlalpan")  # due Wed 13 Jan
    await answer(service, clock, folios["sac_day5"], local(2026, 12, 31, 12))
    # Tlalpan does not work on the 31st: the answer counts as of Wednesday 6 January, day 2
    await answer(service, clock, folios["tlp_day2"], local(2026, 12, 31, 12))
    # 4 January is not a business day for SACMEX either: it counts as Wednesday 6, day 6
    await answer(service, clock, folios["sac_day6"], local(2027, 1, 4, 10))
    await answer(service, clock, folios["tlp_day5"], local(2027, 1, 11, 17))
    await answer(service, clock, folios["tlp_day6"], local(2027, 1, 12, 9))
    clock.now = NOW
    return folios
