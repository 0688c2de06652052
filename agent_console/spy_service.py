"""A supervisor listens, whispers or barges on an agent's live call with their own phone as
the listening end, and every attempt is written to the audit log (``models.spy_audit``).

On Asterisk the supervisor's phone is originated straight into ``ChanSpy`` on the agent's
channel, through the command path; the Twilio front has no coach/barge yet and says so.
Routes only translate HTTP to these calls (``spy_routes``)::

    service = SpyService(container=container, calls=recent_calls)
    row = await service.start(staff, agent_phone="PJSIP/1001", mode="escuchar")
    await service.end(staff, row.id)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from agent_console.agent_queue import front_of
from agent_console.auth import Staff
from ivr.asterisk.constants import SPY_CHANNEL_PREFIX, SPY_MODES
from models.commands import CommandError
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.errors import DomainError
from models.recent_calls import RecentCalls
from models.spy_audit import (
    SpyAudit,
    SpyOutcome,
    close_attempt,
    open_sessions,
    record_attempt,
    settle,
)
from models.users import Role, User

OPEN_WINDOW = timedelta(hours=12)  # a session older than this is not offered to end
NO_SUCH_CHANNEL = "No such channel"  # Asterisk's answer to a hang-up of a channel gone
TWILIO_UNSUPPORTED = (
    "El frente Twilio todavía no permite escuchar, susurrar ni intervenir llamadas: solo es "
    "posible con asesores que atienden desde la central Asterisk."
)


class SpyRefused(DomainError):
    """An attempt the rules refuse (written to the log; nothing was sent)."""

    error_id = "spy-refused"
    status_code = 409

    def __init__(self, message: str, *, status: int = 409) -> None:
        super().__init__(message)
        self.status_code = status


class SpyFailed(DomainError):
    """The telephony side refused or could not be reached (the cause's status code)."""

    error_id = "spy-failed"
    status_code = 502

    def __init__(self, message: str, *, status: int = 502) -> None:
        super().__init__(message)
        self.status_code = status


class SpyNotFound(DomainError):
    """No session of this supervisor with that number."""

    error_id = "spy-not-found"
    status_code = 404


@dataclass(frozen=True)
class Agent:
    """An agent's account as the spying needs it."""

    phone: str
    name: str


@dataclass(frozen=True)
class LiveAgent:
    """An agent and the call they are on now (``call_id`` "" when only the state says so)."""

    agent: Agent
    front: str
    call_id: str


class SpyService:
    """Starts and ends supervisors' sessions, and writes each attempt to the audit log."""

    def __init__(self, *, container: Any, calls: RecentCalls) -> None:
        self._c, self._calls = container, calls

    async def _agent(self, phone: str) -> Agent | None:
        def load() -> Agent | None:
            with session_scope(self._c.engine, readonly=True) as session:
                user = session.exec(
                    select(User).where(
                        User.phone == phone,
                        col(User.active).is_(True),
                        col(User.role).in_([Role.AGENT.value, Role.SUPERVISOR.value]),
                    )
                ).first()
                return Agent(phone, user.full_name) if user is not None else None

        return await run_blocking(self._c.engine, load)

    def live_call(self, phone: str) -> str | None:
        """The id of the call ``phone`` is on ("" when only its state says so), or None."""
        record = self._calls.current_call(phone)
        if record is not None:
            return record.call_id
        queue = self._c.settings.ivr.agent_queue
        status = self._c.agent_states.get(phone, transport="asterisk", home_queue=queue)
        return "" if status is not None and status.state == "in_use" else None

    async def agents_on_calls(self) -> list[LiveAgent]:
        """Every active agent with a phone, and their live call when they are on one; Twilio
        agents are listed too, so the page can say why they cannot be listened to."""

        def load() -> list[Agent]:
            with session_scope(self._c.engine, readonly=True) as session:
                users = session.exec(
                    select(User)
                    .where(
                        col(User.active).is_(True),
                        col(User.phone).is_not(None),
                        col(User.role).in_([Role.AGENT.value, Role.SUPERVISOR.value]),
                    )
                    .order_by(User.full_name)
                )
                return [Agent(u.phone or "", u.full_name) for u in users]

        out = []
        for agent in await run_blocking(self._c.engine, load):
            front = front_of(agent.phone)
            call = self.live_call(agent.phone) if front == "asterisk" else None
            if front == "twilio" or call is not None:
                out.append(LiveAgent(agent, front, call or ""))
        return out

    async def _write(self, **fields: object) -> SpyAudit:
        def write() -> SpyAudit:
            with session_scope(self._c.engine) as session:
                row = record_attempt(session, **fields)
                session.expunge(row)
                return row

        return await run_blocking(self._c.engine, write)

    async def _refuse(
        self, fields: dict[str, object], message: str, *, status: int = 409
    ) -> SpyRefused:
        await self._write(**fields, outcome=SpyOutcome.REFUSED.value, reason=message)
        return SpyRefused(message, status=status)

    async def start(self, staff: Staff, *, agent_phone: str, mode: str) -> SpyAudit:
        """Ring ``staff``'s phone into ``mode`` on the agent's live call; the log's row."""
        agent_phone, mode = agent_phone.strip(), mode.strip()
        fields: dict[str, object] = {
            "supervisor": staff.username,
            "supervisor_name": staff.full_name,
            "supervisor_phone": staff.phone or "",
            "agent_phone": agent_phone[:120],
            "mode": mode,
        }
        if mode not in SPY_MODES:
            raise await self._refuse(fields, "Elija escuchar, susurrar o intervenir.", status=422)
        if not agent_phone:
            raise await self._refuse(fields, "Indique el teléfono del asesor.", status=422)
        agent = await self._agent(agent_phone)
        if agent is None:
            message = f"Ningún asesor activo tiene el teléfono «{agent_phone}»."
            raise await self._refuse(fields, message, status=422)
        fields["agent_name"] = agent.name
        if front_of(agent.phone) == "twilio":
            raise await self._refuse(fields, TWILIO_UNSUPPORTED)
        if not staff.phone:
            message = (
                "Su cuenta no tiene teléfono: pida a un administrador que registre su extensión "
                "de la central Asterisk (por ejemplo PJSIP/1900); esa extensión sonará para "
                "escuchar."
            )
            raise await self._refuse(fields, message)
        if front_of(staff.phone) != "asterisk":
            message = (
                f"Su teléfono («{staff.phone}») no es una extensión de la central Asterisk; "
                "solo una extensión de Asterisk puede escuchar llamadas."
            )
            raise await self._refuse(fields, message)
        if agent.phone == staff.phone:
            raise await self._refuse(fields, "No puede escuchar su propio teléfono.")
        call_id = self.live_call(agent.phone)
        if call_id is None:
            message = f"{agent.name} no está en una llamada en este momento."
            raise await self._refuse(fields, message)
        channel_id = f"{SPY_CHANNEL_PREFIX}{uuid.uuid4().hex}"
        row = await self._write(
            **fields,
            call_id=call_id or None,
            channel_id=channel_id,
            outcome=SpyOutcome.SENDING.value,
        )
        assert row.id is not None
        await self._send(row.id, staff.phone, agent.phone, mode, channel_id)
        row.outcome = SpyOutcome.STARTED.value
        return row

    async def _send(
        self, audit_id: int, phone: str, agent: str, mode: str, channel_id: str
    ) -> None:
        """Originate through the command path; the outcome goes to the log either way."""
        try:
            result = await self._c.telephony.spy(
                supervisor=phone, agent=agent, mode=mode, channel_id=channel_id
            )
        except (CommandError, DomainError) as error:
            failure = SpyFailed(f"No se pudo iniciar: {error.message}", status=error.status_code)
        else:
            if result.ok:
                await self._settle(audit_id, SpyOutcome.STARTED)
                return
            failure = SpyFailed(f"La central no lo aceptó: «{result.message}».")
        await self._settle(audit_id, SpyOutcome.FAILED, failure.message)
        raise failure

    async def _settle(self, audit_id: int, outcome: SpyOutcome, reason: str = "") -> None:
        def write() -> None:
            with session_scope(self._c.engine) as session:
                settle(session, audit_id, outcome=outcome, reason=reason)

        await run_blocking(self._c.engine, write)

    async def get(self, staff: Staff, audit_id: int) -> SpyAudit:
        """One of ``staff``'s own attempts."""

        def load() -> SpyAudit | None:
            with session_scope(self._c.engine, readonly=True) as session:
                row = session.get(SpyAudit, audit_id)
                if row is not None:
                    session.expunge(row)
                return row

        row = await run_blocking(self._c.engine, load)
        if row is None or row.supervisor != staff.username:
            raise SpyNotFound("Esa sesión de escucha no existe o no es suya.")
        return row

    async def open_sessions(self, staff: Staff) -> list[SpyAudit]:
        """``staff``'s started sessions of the last hours whose end is not known yet."""

        def load() -> list[SpyAudit]:
            with session_scope(self._c.engine, readonly=True) as session:
                rows = open_sessions(session, staff.username, since=utcnow() - OPEN_WINDOW)
                session.expunge_all()
                return rows

        return await run_blocking(self._c.engine, load)

    async def end(self, staff: Staff, audit_id: int) -> SpyAudit:
        """Hang the supervisor's listening channel up and record the end."""
        row = await self.get(staff, audit_id)
        if row.ended_at is not None or row.channel_id is None:
            return row
        try:
            result = await self._c.telephony.hangup(row.channel_id)
        except (CommandError, DomainError) as error:
            raise SpyFailed(
                f"No se pudo terminar: {error.message}", status=error.status_code
            ) from error
        if result.ok:
            note = "Terminada por el supervisor."
        elif result.message == NO_SUCH_CHANNEL:
            note = "Ya había terminado cuando el supervisor pidió terminarla."
        else:
            raise SpyFailed(f"La central no la terminó: «{result.message}».")

        def write() -> None:
            with session_scope(self._c.engine) as session:
                close_attempt(session, audit_id, note=note)

        await run_blocking(self._c.engine, write)
        return await self.get(staff, audit_id)
