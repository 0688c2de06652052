"""The agent's side of a call: the screen pop, the wrap-up and sending the caller back to the
IVR's status reading. Routes only translate HTTP to these calls (``call_routes``)::

    service = CallService(container=container, calls=recent_calls)
    pop = await service.pop(staff, "CA…")
    outcome = await service.wrap_up(staff, "CA…", code="Consulta de folio", notes="")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from agent_console.auth import Forbidden, Staff
from ivr.phones import to_e164
from models.access_log import record_view
from models.calls import CallRecord
from models.commands import CommandError
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.errors import DomainError, InvalidFolio
from models.events import BaseEvent, CallTransferred, CallWrappedUp
from models.folio import parse_folio
from models.recent_calls import RecentCalls
from models.screen_pop import ScreenPop, merged, screen_pop
from models.users import Role

POP_WAIT_SECONDS = 0.5  # a pop asked for a connection this process has not folded in yet
WRAPUP_EVENT = "WRAPUP"  # the queue-log event of a wrap-up: ``<code>|<seconds>``
STATUS_TARGET = "ivr-estado"  # the transfer target of a caller sent to the status reading
NOTES_MAX = 2000
SOURCE = "consola"


class CallNotFound(DomainError):
    """No call with that id reached this service."""

    error_id = "call-not-found"
    status_code = 404


class FieldProblem(DomainError):
    """A form field the agent must correct (shown next to ``field``)."""

    error_id = "invalid-field"
    status_code = 422

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class CallNotOver(DomainError):
    """A wrap-up before the call ended (or after it was already wrapped up)."""

    error_id = "call-not-over"
    status_code = 409


@dataclass(frozen=True)
class WrapUp:
    """A recorded wrap-up: its code, the seconds it took, and a telephony problem if any."""

    code: str
    seconds: float
    warning: str = ""


class CallService:
    """Pops, wrap-ups and returns to the IVR for the agent a call was put through to."""

    def __init__(self, *, container: Any, calls: RecentCalls) -> None:
        self._c, self._calls = container, calls

    async def call(self, staff: Staff, call_id: str, *, wait: float = 0.0) -> CallRecord:
        """The call as known now (this process's view and the stored record), if ``staff``
        took it or supervises; waits up to ``wait`` s for a connection not yet seen."""
        if wait:
            await self._calls.wait_for(call_id, lambda r: r.agent is not None, timeout=wait)

        def stored() -> CallRecord | None:
            with session_scope(self._c.engine, readonly=True) as session:
                return session.get(CallRecord, call_id)

        record = merged(self._calls.get(call_id), await run_blocking(self._c.engine, stored))
        if record is None:
            raise CallNotFound("Esa llamada no existe o ya no está disponible.")
        mine = record.agent is not None and record.agent == staff.phone
        if not (mine or staff.role == Role.SUPERVISOR):
            raise Forbidden()
        return record

    async def pop(self, staff: Staff, call_id: str, *, page: str) -> ScreenPop:
        """The screen pop, written to the personal-data log (it shows the caller's number)."""
        record = await self.call(staff, call_id, wait=POP_WAIT_SECONDS)
        number = to_e164(record.caller)
        phone = number if number.startswith("+") else ""  # withheld: no earlier folios

        def load() -> ScreenPop:
            with session_scope(self._c.engine) as session:
                pop = screen_pop(session, record, phone=phone)
                self._log(session, staff, page, pop)
                return pop

        return await run_blocking(self._c.engine, load)

    @staticmethod
    def _log(session: Session, staff: Staff, page: str, pop: ScreenPop) -> None:
        record_view(
            session,
            username=staff.username,
            role=staff.role,
            page=page,
            folios=pop.folios,
            call_id=pop.record.call_id,
        )

    def wrapup_codes(self) -> list[str]:
        """The configured wrap-up codes."""
        return list(self._c.settings.console.wrapup_codes)

    async def wrap_up(self, staff: Staff, call_id: str, *, code: str, notes: str) -> WrapUp:
        """Close the call's after-call work: publish it (the recorder keeps it) and, on an
        Asterisk call, write it to the queue log; a telephony failure loses nothing."""
        if code not in self.wrapup_codes():
            raise FieldProblem("Elija un código de cierre de la lista.", field="codigo")
        if len(notes) > NOTES_MAX:
            raise FieldProblem(f"Las notas admiten hasta {NOTES_MAX} caracteres.", field="notas")
        record = await self.call(staff, call_id)
        if record.wrapped_up_at is not None:
            raise CallNotOver("Esta llamada ya se cerró.")
        over = record.ended_at or record.transferred_at
        if over is None:
            raise CallNotOver("La llamada sigue en curso: ciérrela cuando termine.")
        seconds = round(max((utcnow() - over).total_seconds(), 0.0), 1)
        agent = record.agent or staff.phone or staff.username
        await self._publish(
            CallWrappedUp(
                call_id=call_id,
                agent=agent,
                disposition=code,
                notes=notes.strip(),
                wrapup_seconds=seconds,
                source=SOURCE,
            )
        )
        warning = ""
        if record.transport == "asterisk":
            warning = await self._queue_log(call_id, agent, code, seconds)
        return WrapUp(code=code, seconds=seconds, warning=warning)

    async def _queue_log(self, call_id: str, agent: str, code: str, seconds: float) -> str:
        """Write the wrap-up to Asterisk's queue log; a Spanish warning when it failed."""
        try:
            result = await self._c.telephony.queue_log(
                WRAPUP_EVENT,
                message=f"{code}|{seconds:.0f}",
                interface=agent if "/" in agent else "",
                uniqueid=call_id,
            )
        except (CommandError, DomainError) as error:
            problem = error.message
        else:
            if result.ok:
                return ""
            problem = f"Asterisk respondió «{result.message}»"
        return (
            f"El cierre quedó guardado, pero no se escribió en la bitácora de Asterisk: {problem}"
        )

    async def read_status(self, staff: Staff, call_id: str, *, folio: str) -> str:
        """Send the caller back to the IVR's status reading (of ``folio`` when given); the
        agent's conversation ends there, so the call counts as transferred to the IVR."""
        try:
            digits = parse_folio(folio) if folio.strip() else ""
        except InvalidFolio as error:
            raise FieldProblem(error.message, field="folio") from error
        record = await self.call(staff, call_id)
        if record.ended_at is not None:
            raise CallNotOver("La llamada ya terminó: no hay a quién devolver al menú.")
        try:
            if record.transport == "twilio":
                await self._c.telephony.read_status_twilio(call_id, folio=digits)
            else:
                result = await self._c.telephony.read_status(call_id, folio=digits)
                if not result.ok:
                    raise CommandError(f"Asterisk no devolvió la llamada: «{result.message}».")
        except (CommandError, DomainError) as error:
            raise CommandError(
                f"No se pudo devolver la llamada al menú. {error.message}"
            ) from error
        await self._publish(CallTransferred(call_id=call_id, target=STATUS_TARGET, source=SOURCE))
        return digits

    async def _publish(self, event: BaseEvent) -> None:
        """Publish through the notifier and fold it into this process's view at once."""
        await self._c.notifier.publish(event)
        self._calls.apply(event)  # type: ignore[arg-type]
