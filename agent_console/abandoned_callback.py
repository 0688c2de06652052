"""Abandoned callers called back from the console, one click each.

The attempt is claimed in the database first (:func:`models.callback_attempts.claim_attempt`),
so two agents clicking the same caller make one call. The call goes out on the front that
carried the abandoned call: on Asterisk an ``Originate`` through the command path (the
answered call enters the agent queue in the dialplan); on Twilio a placed call whose TwiML is
the IVR's own call-back webhook (``/twilio/voice/callback?id=…``, tied to a
``callback_request`` row, the one the caller booked in the IVR when there is one), so the
citizen hears one sentence and joins the agent queue with what the IVR had learned::

    desk = AbandonedDesk(engine=engine, telephony=telephony, notifier=notifier,
                         settings=settings)
    attempt = await desk.call_back("1795555768.0", agent="ana")
    attempt.result, attempt.error       # ('placed', '') or ('failed', 'Asterisk no …')
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import Engine
from sqlmodel import Session

from ivr.phones import to_e164
from ivr.telephony import Telephony
from models.abandoned import AbandonedCaller, abandoned_callers
from models.callback_attempts import CallbackAttempt, CallbackBusy, claim_attempt, finish_attempt
from models.config import Settings
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.errors import DomainError
from models.events import CallStarted
from models.handoff import HandoffContext
from models.ivr_sessions import CallbackRequest
from models.notifier import Notifier

TWILIO = "twilio"
REASON = "devolución de una llamada abandonada"


class NotOnTheList(DomainError):
    """The call is not one of today's abandoned callers (or someone already spoke to them)."""

    error_id = "not-abandoned"
    status_code = 404


class AbandonedDesk:
    """Today's abandoned callers and their call-backs."""

    def __init__(
        self, *, engine: Engine, telephony: Telephony, notifier: Notifier, settings: Settings
    ) -> None:
        self._engine, self._telephony = engine, telephony
        self._notifier, self._settings = notifier, settings

    def since(self) -> datetime:
        """The start of today, in the City's time."""
        zone = self._settings.zone
        return datetime.combine(utcnow().astimezone(zone).date(), time(), tzinfo=zone)

    def _callers(self, session: Session) -> list[AbandonedCaller]:
        return abandoned_callers(session, since=self.since(), normalise=to_e164)

    async def callers(self) -> list[AbandonedCaller]:
        """Today's abandoned callers nobody has spoken to since, longest waiting first."""

        def load() -> list[AbandonedCaller]:
            with session_scope(self._engine, readonly=True) as session:
                return self._callers(session)

        return await run_blocking(self._engine, load)

    async def call_back(self, call_id: str, *, agent: str) -> CallbackAttempt:
        """Call back the caller of ``call_id``; the attempt as recorded (placed or failed)."""
        attempt, callback_id = await run_blocking(self._engine, lambda: self._claim(call_id, agent))
        placed_call_id, error = None, ""
        try:
            if callback_id is not None:
                base = self._settings.public_base_url.rstrip("/")
                url = f"{base}/twilio/voice/callback?id={callback_id}"
                placed_call_id = (
                    await self._telephony.place_call(attempt.number, url=url)
                ).call_sid
            else:
                result = await self._telephony.originate(
                    attempt.number,
                    caller_id=self._settings.asterisk.trunk.did,
                    call_id=attempt.call_id,
                )
                if not result.ok:
                    error = f"Asterisk no hizo la llamada: {result.message}"
        except DomainError as refused:
            error = refused.message
        placed, attempt_id = not error, attempt.id
        assert attempt_id is not None
        attempt = await run_blocking(
            self._engine,
            lambda: self._record(attempt_id, callback_id, placed, error, placed_call_id),
        )
        if placed_call_id:
            await self._notifier.publish(
                CallStarted(
                    call_id=placed_call_id,
                    transport="twilio",
                    caller=self._settings.ivr.callback_from,
                    called=attempt.number,
                    source="callback",
                )
            )
        return attempt

    def _claim(self, call_id: str, agent: str) -> tuple[CallbackAttempt, int | None]:
        """The attempt, and for Twilio the call-back row its webhook reads."""
        with session_scope(self._engine) as session:
            entry = next(
                (e for e in self._callers(session) if any(c.call_id == call_id for c in e.calls)),
                None,
            )
            if entry is None:
                raise NotOnTheList("Esa llamada ya no está en la lista: alguien ya la atendió.")
            if entry.automatic_callback is not None:
                raise CallbackBusy("La devolución que pidió en el menú ya se está marcando.")
            latest = entry.latest
            attempt = claim_attempt(
                session,
                number=entry.number,
                call_id=latest.call_id,
                transport=latest.transport,
                agent=agent,
            )
            if latest.transport != TWILIO:
                return attempt, None
            return attempt, self._callback_row(session, entry, attempt)

    def _callback_row(
        self, session: Session, entry: AbandonedCaller, attempt: CallbackAttempt
    ) -> int:
        """The caller's waiting IVR call-back (taken from the dispatcher), or a new row with
        the context of the latest call, noted on the attempt."""
        row = next((r for r in entry.callback_requests if r.status == "waiting"), None)
        created = row is None
        if row is None:
            context = entry.latest.handoff or HandoffContext(caller=entry.number, reason=REASON)
            row = CallbackRequest(
                call_id=entry.latest.call_id,
                phone=entry.number,
                queue=self._settings.ivr.agent_queue,
                context=HandoffContext.model_validate(context).model_dump_json(),
            )
        row.status = "placing"
        session.add(row)
        session.flush()
        if created:
            attempt.created_callback_id = row.id
            session.add(attempt)
        assert row.id is not None
        return row.id

    def _record(
        self,
        attempt_id: int,
        callback_id: int | None,
        placed: bool,
        error: str,
        placed_call_id: str | None,
    ) -> CallbackAttempt:
        with session_scope(self._engine) as session:
            attempt = finish_attempt(
                session, attempt_id, placed=placed, error=error, placed_call_id=placed_call_id
            )
            if callback_id is not None:
                row = session.get(CallbackRequest, callback_id)
                assert row is not None
                booked = attempt.created_callback_id is None
                # a failed call-back the caller booked waits for the dispatcher again
                row.status = "placed" if placed else "waiting" if booked else "failed"
                row.placed_call_sid, row.placed_at = placed_call_id, utcnow() if placed else None
                session.add(row)
            return attempt
