"""What a contact-centre report asks for: local days, an interval, a queue or an agent.

``desde``/``hasta`` (AAAA-MM-DD, local days, both included; today by default), ``intervalo``
(``15min``, ``hora``, ``dia``; hours by default), ``cola`` and ``agente`` ("" for all). The
longest period is 92 days, and less for small intervals so a table stays readable (7 days
of 15 minutes, 31 of hours); each refusal is a Spanish message next to its field::

    form = ReportForm.read(request.query_params, today=date(2026, 3, 2), zone=zone)
    form.bounds()   # (2026-03-02 00:00-06:00, 2026-03-03 00:00-06:00)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from agent_console.period_form import PeriodForm
from models.authority_performance import Period
from models.metrics import Interval

MAX_DAYS = 92


@dataclass(frozen=True, slots=True)
class IntervalChoice:
    """An interval as the form offers it."""

    value: str  # in the address
    label: str
    interval: Interval
    max_days: int


INTERVALS = {
    choice.value: choice
    for choice in (
        IntervalChoice("15min", "15 minutos", Interval.QUARTER, 7),
        IntervalChoice("hora", "Hora", Interval.HOUR, 31),
        IntervalChoice("dia", "Día", Interval.DAY, MAX_DAYS),
    )
}
DEFAULT_INTERVAL = "hora"


@dataclass
class ReportForm:
    """The period (``period_form``), the interval, the queue and the agent asked."""

    period_form: PeriodForm
    intervalo: str
    cola: str
    agente: str
    zone: ZoneInfo

    @classmethod
    def read(cls, params: Mapping[str, str], *, today: date, zone: ZoneInfo) -> ReportForm:
        """The report asked in the address, with its errors."""
        period = PeriodForm.read(params, default=Period(today, today), max_days=MAX_DAYS)
        form = cls(
            period,
            params.get("intervalo", "").strip() or DEFAULT_INTERVAL,
            params.get("cola", "").strip(),
            params.get("agente", "").strip(),
            zone,
        )
        choice = INTERVALS.get(form.intervalo)
        if choice is None:
            form.errors["intervalo"] = "Elija un intervalo de la lista: 15 minutos, hora o día."
        elif period.period is not None:
            days = (period.period.last - period.period.first).days + 1
            if days > choice.max_days:
                form.errors["intervalo"] = (
                    f"Con intervalos de {choice.label.lower()} el periodo no puede pasar de "
                    f"{choice.max_days} días: elija un intervalo mayor o acorte el periodo."
                )
        return form

    @property
    def errors(self) -> dict[str, str]:
        """Each field's refusal, by field name."""
        return self.period_form.errors

    @property
    def valid(self) -> bool:
        """Nothing refused: the report can be computed."""
        return not self.errors and self.period_form.period is not None

    @property
    def interval(self) -> Interval:
        """The interval asked (hours while the field is refused)."""
        return INTERVALS.get(self.intervalo, INTERVALS[DEFAULT_INTERVAL]).interval

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as instants: the local start of the first day and of the day after the
        last (only for a valid form)."""
        period = self.period_form.period
        assert period is not None, "a refused period has no bounds"
        start = datetime.combine(period.first, time.min, self.zone)
        return start, datetime.combine(period.last + timedelta(days=1), time.min, self.zone)

    def query(self, **more: str | None) -> str:
        """The report's address query (``more`` replaces or adds fields)."""
        fields = {"intervalo": self.intervalo, "cola": self.cola, "agente": self.agente}
        return self.period_form.query(**{**fields, **more})
