"""A period of local days typed in a report's address (``desde``, ``hasta``: AAAA-MM-DD),
with a Spanish message per field for a missing, invalid, reversed or too long period::

    form = PeriodForm.read(request.query_params, default=Period(first, today), max_days=92)
    if form.period is None:
        ...  # form.errors["hasta"] == "La fecha final es anterior a la inicial."
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from models.authority_performance import Period


@dataclass
class PeriodForm:
    """The period as typed, its errors and its value."""

    desde: str
    hasta: str
    errors: dict[str, str] = field(default_factory=dict)
    period: Period | None = None

    @classmethod
    def read(cls, params: Mapping[str, str], *, default: Period, max_days: int) -> PeriodForm:
        """The period of the address; ``default`` when neither date is given."""
        desde = params.get("desde", "").strip()
        hasta = params.get("hasta", "").strip()
        if not desde and not hasta:
            desde, hasta = default.first.isoformat(), default.last.isoformat()
        form = cls(desde, hasta)
        first, last = form._day("desde", "inicial"), form._day("hasta", "final")
        if first and last:
            if first > last:
                form.errors["hasta"] = "La fecha final es anterior a la inicial."
            elif (last - first).days >= max_days:
                form.errors["hasta"] = f"El periodo no puede pasar de {max_days} días."
            else:
                form.period = Period(first, last)
        return form

    def _day(self, name: str, which: str) -> date | None:
        text = getattr(self, name)
        if not text:
            self.errors[name] = f"Escriba la fecha {which}."
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.errors[name] = f"La fecha {which} no es válida: escríbala como AAAA-MM-DD."
            return None

    def query(self, **more: str | int | None) -> str:
        """The period (and ``more``) as an address's query."""
        params = {"desde": self.desde, "hasta": self.hasta, **more}
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})
