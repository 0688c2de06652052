"""Registering requests and moving them through their lifecycle.

Every operation runs in one database transaction, writes the request's history, and stages
its events in the outbox in that same transaction (the notifier publishes them after the
commit, or its relay does once the bus is back)::

    service = RequestService(engine=engine, calendar=BusinessCalendar.default(),
                             notifier=Notifier(engine=engine, bus=bus))
    request = await service.register(RequestCreate(catalogue_code="AGU-001",
        channel=Channel.AGENT, alcaldia="Iztapalapa"), actor="agente:ana")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models.authorities import ALCALDIAS, AdministrativeUnit, Authority
from models.business_days import BusinessCalendar, DeadlineState
from models.catalogue import REQUEST_KINDS, CatalogueEntry
from models.db import run_blocking, session_scope
from models.db_types import utcnow
from models.errors import (
    ConfirmationWindowClosed,
    DomainError,
    FolioNotFound,
    IllegalTransition,
    MissingAnswerData,
    UnknownAuthority,
    UnknownCatalogueEntry,
)
from models.events import BaseEvent, RequestRegistered, RequestStatusChanged
from models.folio import format_folio, parse_folio
from models.folio_issue import issue_folio
from models.inbox import InboxScope
from models.lifecycle import check_transition
from models.notifier import Notifier
from models.public_answer import check_public_answer
from models.reference_audio import SpokenReference, attach, recording_of
from models.requests import RequestCreate, RequestHistory, ServiceRequest, Status
from models.routing import route

T = TypeVar("T")
SYSTEM_ACTOR = "sistema"
CITIZEN_ACTOR = "ciudadano"


@dataclass(frozen=True)
class Outcome:
    """What became of one request of a bulk action: ``refusal`` is None when it was done."""

    folio: str
    refusal: str | None = None


MIN_TYPED_REFERENCE, MAX_TYPED_REFERENCE = 3, 500  # a recorded reference, once typed


class RequestService:
    """The domain's entry point for requests."""

    def __init__(
        self,
        *,
        engine: Engine,
        calendar: BusinessCalendar,
        notifier: Notifier,
        clock: Callable[[], datetime] = utcnow,
        confirmation_window: timedelta = timedelta(hours=72),
        due_soon_days: int = 1,
    ) -> None:
        self._engine = engine
        self.calendar = calendar
        self.notifier = notifier
        self._clock = clock
        self.confirmation_window = confirmation_window
        self._due_soon_days = due_soon_days

    # --- plumbing -----------------------------------------------------------------------------

    async def _run(
        self, work: Callable[[Session, list[BaseEvent]], T], *, readonly: bool = False
    ) -> T:
        events: list[BaseEvent] = []

        def transaction() -> T:
            with session_scope(self._engine, readonly=readonly) as session:
                result = work(session, events)
                for event in events:
                    self.notifier.stage(session, event)
                return result

        result = await run_blocking(self._engine, transaction)
        await self.notifier.flush(events)
        return result

    @staticmethod
    def _load(
        session: Session, folio: str, *, lock: bool = True, scope: InboxScope | None = None
    ) -> ServiceRequest:
        """The request with ``folio``; ``lock`` takes its row for a change (not for reading).

        With ``scope``, a request outside that inbox is reported missing, so its existence is
        never revealed to another authority."""
        number = parse_folio(folio)
        statement = select(ServiceRequest).where(col(ServiceRequest.folio) == number)
        request = session.exec(statement.with_for_update() if lock else statement).first()
        if request is not None and scope is not None and not scope.covers(request):
            raise FolioNotFound(f"La solicitud {format_folio(number)} no existe en su bandeja.")
        if request is None:
            raise FolioNotFound(f"No existe ninguna solicitud con el folio {number}.")
        return request

    def _record(
        self,
        session: Session,
        request: ServiceRequest,
        field: str,
        source: str | None,
        target: str,
        *,
        actor: str,
        note: str,
    ) -> None:
        """Write one line of the request's history."""
        assert request.id is not None
        session.add(
            RequestHistory(
                request_id=request.id,
                at=self._clock(),
                actor=actor,
                field=field,
                from_value=source,
                to_value=target,
                note=note,
            )
        )

    def _change(
        self,
        session: Session,
        events: list[BaseEvent],
        request: ServiceRequest,
        target: Status,
        *,
        actor: str,
        note: str = "",
    ) -> None:
        check_transition(request.status, target)
        source = request.status
        request.status = target
        session.add(request)
        self._record(session, request, "status", source, target, actor=actor, note=note)
        events.append(
            RequestStatusChanged(
                folio=request.folio,
                from_status=source,
                to_status=target,
                actor=actor,
                authority_code=request.authority_code,
                note=note,
            )
        )

    def _set_authority(
        self,
        session: Session,
        request: ServiceRequest,
        authority_code: str,
        unit_code: str,
        *,
        actor: str,
        note: str = "",
    ) -> None:
        unit = session.exec(
            select(AdministrativeUnit).where(
                AdministrativeUnit.authority_code == authority_code,
                AdministrativeUnit.code == unit_code,
            )
        ).first()
        if unit is None:
            raise UnknownAuthority(f"La unidad {unit_code} de {authority_code} no existe.")
        previous = (
            f"{request.authority_code}/{request.unit_code}" if request.authority_code else None
        )
        request.authority_code, request.unit_code = authority_code, unit_code
        request.due_at = self.calendar.due_at(request.received_at, authority_code)
        target = f"{authority_code}/{unit_code}"
        self._record(session, request, "authority", previous, target, actor=actor, note=note)

    def _turn_over(
        self,
        session: Session,
        events: list[BaseEvent],
        request: ServiceRequest,
        authority_code: str,
        unit_code: str,
        *,
        actor: str,
        note: str,
    ) -> None:
        """Assign (a received request) or re-assign it; the deadline follows the authority."""
        target = Status.ASSIGNED if request.status == Status.RECEIVED else Status.REASSIGNED
        check_transition(request.status, target)
        self._set_authority(session, request, authority_code, unit_code, actor=actor, note=note)
        self._change(session, events, request, target, actor=actor, note=note)

    # --- registration -------------------------------------------------------------------------

    async def register(
        self,
        data: RequestCreate,
        *,
        actor: str,
        folio_sms: bool = False,
        spoken_reference: SpokenReference | None = None,
    ) -> ServiceRequest:
        """Register a request, issue its folio, route it and compute its deadline;
        ``folio_sms`` asks for the folio by SMS (a number the channel alone does not give);
        ``spoken_reference`` is a reference recorded but not transcribed, kept with it."""
        data = RequestCreate.model_validate(data.model_dump())
        received_at = self._clock()

        def work(session: Session, events: list[BaseEvent]) -> ServiceRequest:
            repeated = self._registered_in_call(session, data)
            if repeated is not None:
                return repeated
            entry = session.get(CatalogueEntry, data.catalogue_code)
            if entry is None or not entry.active:
                raise UnknownCatalogueEntry(f"La categoría {data.catalogue_code} no existe.")
            kind = data.kind or entry.kind
            if kind not in REQUEST_KINDS:
                raise UnknownCatalogueEntry(f"El tipo de solicitud «{kind}» no existe.")
            if data.alcaldia is not None and data.alcaldia not in ALCALDIAS:
                raise UnknownAuthority(f"«{data.alcaldia}» no es una alcaldía de la Ciudad.")
            local_year = received_at.astimezone(self.calendar.zone).year
            request = ServiceRequest(
                **data.model_dump(exclude={"kind"}),
                kind=kind,
                folio=issue_folio(session, local_year),
                received_at=received_at,
                due_at=self.calendar.due_at(received_at, None),
                status=Status.RECEIVED,
            )
            session.add(request)
            session.flush()
            assert request.id is not None
            if spoken_reference is not None and spoken_reference.worth_keeping:
                attach(session, request.id, request.folio, spoken_reference)
            note = f"Registrada por canal {data.channel}."
            self._record(session, request, "status", None, Status.RECEIVED, actor=actor, note=note)
            target = route(entry, alcaldia=data.alcaldia, road_class=data.road_class)
            if target is not None:
                self._set_authority(session, request, *target, actor=SYSTEM_ACTOR)
                request.status = Status.ASSIGNED
                self._record(
                    session,
                    request,
                    "status",
                    Status.RECEIVED,
                    Status.ASSIGNED,
                    actor=SYSTEM_ACTOR,
                    note="Turnada automáticamente según el catálogo.",
                )
            events.append(
                RequestRegistered(
                    folio=request.folio,
                    catalogue_code=entry.code,
                    channel=request.channel,
                    status=request.status,
                    authority_code=request.authority_code,
                    alcaldia=request.alcaldia,
                    due_at=request.due_at,
                    call_id=request.call_id,
                    folio_sms=folio_sms,
                )
            )
            return request

        return await self._run(work)

    @staticmethod
    def _registered_in_call(session: Session, data: RequestCreate) -> ServiceRequest | None:
        """The request this call already registered with the same category and description.

        A call's turn retried after its worker died (the registration committed, the answer
        never sent) registers nothing new: the retry reads back the folio already issued.
        """
        if data.call_id is None:
            return None
        statement = select(ServiceRequest).where(
            ServiceRequest.call_id == data.call_id,
            ServiceRequest.catalogue_code == data.catalogue_code,
            ServiceRequest.description == data.description,
        )
        return session.exec(statement.limit(1)).first()

    # --- reading ------------------------------------------------------------------------------

    async def get(self, folio: str, *, scope: InboxScope | None = None) -> ServiceRequest:
        """The request with ``folio`` (validated first), when it is in ``scope``."""
        return await self._run(
            lambda session, _events: self._load(session, folio, lock=False, scope=scope),
            readonly=True,
        )

    async def history(self, folio: str, *, scope: InboxScope | None = None) -> list[RequestHistory]:
        """Every recorded change of the request, oldest first."""
        return (await self.with_history(folio, scope=scope))[1]

    async def with_history(
        self, folio: str, *, field: str | None = None, scope: InboxScope | None = None
    ) -> tuple[ServiceRequest, list[RequestHistory]]:
        """The request and its recorded changes (of ``field`` alone, when given), oldest
        first, read in one transaction."""

        def work(
            session: Session, _events: list[BaseEvent]
        ) -> tuple[ServiceRequest, list[RequestHistory]]:
            request = self._load(session, folio, lock=False, scope=scope)
            statement = select(RequestHistory).where(RequestHistory.request_id == request.id)
            if field is not None:
                statement = statement.where(col(RequestHistory.field) == field)
            return request, list(session.exec(statement.order_by(col(RequestHistory.id))))

        return await self._run(work, readonly=True)

    async def authority(self, code: str) -> Authority | None:
        """An authority by code."""
        return await self._run(lambda session, _events: session.get(Authority, code), readonly=True)

    def deadline_state(self, request: ServiceRequest, now: datetime | None = None) -> DeadlineState:
        """Whether the request is on time, due soon, overdue, or was answered on time."""
        assert request.due_at is not None
        return self.calendar.state(
            due_at=request.due_at,
            now=now or self._clock(),
            authority=request.authority_code,
            answered_at=request.answered_at,
            due_soon_days=self._due_soon_days,
        )

    async def transcribe_reference(self, folio: str, text: str, *, actor: str) -> ServiceRequest:
        """A person typed the place reference the caller recorded: it becomes the request's
        (the history keeps the one before) and the recording is marked transcribed."""
        reference = " ".join(text.split())
        if not MIN_TYPED_REFERENCE <= len(reference) <= MAX_TYPED_REFERENCE:
            message = "Escriba la referencia que dice la grabación (de 3 a 500 caracteres)."
            raise MissingAnswerData(message)

        def work(session: Session, _events: list[BaseEvent]) -> ServiceRequest:
            request = self._load(session, folio)
            assert request.id is not None
            recording = recording_of(session, request.id)
            if recording is None:
                number = format_folio(request.folio)
                raise FolioNotFound(f"La solicitud {number} no tiene una referencia grabada.")
            note = "Referencia transcrita de la grabación del ciudadano."
            self._record(
                session, request, "reference", request.reference, reference, actor=actor, note=note
            )
            request.reference = reference
            recording.transcribed_by, recording.transcribed_at = actor[:64], self._clock()
            session.add_all([request, recording])
            return request

        return await self._run(work)

    # --- lifecycle ----------------------------------------------------------------------------

    async def assign(
        self, folio: str, *, authority_code: str, unit_code: str, actor: str, note: str = ""
    ) -> ServiceRequest:
        """Turn the request over to an authority (re-assignment when it already had one)."""

        def work(session: Session, events: list[BaseEvent]) -> ServiceRequest:
            request = self._load(session, folio)
            self._turn_over(
                session, events, request, authority_code, unit_code, actor=actor, note=note
            )
            return request

        return await self._run(work)

    async def assign_unit(
        self, folio: str, *, unit_code: str, actor: str, scope: InboxScope, note: str = ""
    ) -> ServiceRequest:
        """Turn the request over to another unit of the authority that holds it (re-assigned)."""

        def work(session: Session, events: list[BaseEvent]) -> ServiceRequest:
            request = self._load(session, folio, scope=scope)
            if request.unit_code == unit_code:
                raise IllegalTransition("La solicitud ya está asignada a esa unidad.")
            self._turn_over(
                session, events, request, scope.authority_code, unit_code, actor=actor, note=note
            )
            return request

        return await self._run(work)

    async def hand_over(
        self,
        folio: str,
        *,
        authority_code: str,
        unit_code: str,
        reason: str,
        actor: str,
        scope: InboxScope | None = None,
    ) -> ServiceRequest:
        """Hand the request to another authority, with the reason; its deadline is recomputed
        from the original reception with the new authority's calendar."""
        if not reason.strip():
            raise MissingAnswerData("Para turnar la solicitud a otra dependencia diga el motivo.")

        def work(session: Session, events: list[BaseEvent]) -> ServiceRequest:
            request = self._load(session, folio, scope=scope)
            if request.authority_code == authority_code:
                raise IllegalTransition("La solicitud ya es de esa dependencia.")
            self._turn_over(
                session, events, request, authority_code, unit_code, actor=actor, note=reason
            )
            return request

        return await self._run(work)

    async def start_progress(
        self, folio: str, *, actor: str, note: str = "", scope: InboxScope | None = None
    ) -> ServiceRequest:
        """The authority started working on the request (an answered one is re-opened only by
        the citizen's confirmation)."""

        def apply(_session: Session, request: ServiceRequest) -> None:
            if request.status == Status.ANSWERED:
                raise IllegalTransition(
                    "La solicitud ya se respondió: solo el ciudadano puede reabrirla."
                )

        return await self._transition(
            folio, Status.IN_PROGRESS, actor=actor, note=note, apply=apply, scope=scope
        )

    async def reject(
        self, folio: str, *, reason: str, actor: str, scope: InboxScope | None = None
    ) -> ServiceRequest:
        """Reject the request; a reason is required."""
        if not reason.strip():
            raise MissingAnswerData("Para rechazar una solicitud hay que dar el motivo.")

        def apply(_session: Session, request: ServiceRequest) -> None:
            request.rejection_reason = reason.strip()
            request.closed_at = self._clock()

        return await self._transition(
            folio, Status.REJECTED, actor=actor, note=reason, apply=apply, scope=scope
        )

    @staticmethod
    def _require_answer_data(text: str, responsible_person: str, unit_code: str) -> None:
        if not (text.strip() and responsible_person.strip() and unit_code.strip()):
            raise MissingAnswerData(
                "La respuesta requiere el texto, la persona responsable y la unidad administrativa."
            )

    async def answer(
        self,
        folio: str,
        *,
        text: str,
        responsible_person: str,
        unit_code: str,
        actor: str,
        scope: InboxScope | None = None,
        public: bool = False,
    ) -> ServiceRequest:
        """Record the authority's answer: text, responsible person and unit are all required,
        and the unit is one of the answering authority's. A ``public`` answer is shown to
        everyone, so it is refused when it names the citizen (:func:`check_public_answer`)."""
        self._require_answer_data(text, responsible_person, unit_code)

        def apply(session: Session, request: ServiceRequest) -> None:
            unit = session.exec(
                select(AdministrativeUnit).where(
                    AdministrativeUnit.authority_code == request.authority_code,
                    AdministrativeUnit.code == unit_code.strip(),
                )
            ).first()
            if unit is None:
                raise UnknownAuthority(
                    f"La unidad {unit_code.strip()} no es de {request.authority_code}."
                )
            if public:
                check_public_answer(text, request)
            request.answer_text = text.strip()
            request.answer_public = public
            request.responsible_person = responsible_person.strip()
            request.unit_code = unit_code.strip()
            request.answered_at = self._clock()

        return await self._transition(
            folio, Status.ANSWERED, actor=actor, note=text.strip(), apply=apply, scope=scope
        )

    async def answer_many(
        self,
        folios: Sequence[str],
        *,
        text: str,
        responsible_person: str,
        unit_code: str,
        actor: str,
        scope: InboxScope | None = None,
    ) -> list[Outcome]:
        """Answer several requests with one text, each on its own (its own transaction,
        history line and events): what became of each folio, in the order given."""
        self._require_answer_data(text, responsible_person, unit_code)
        outcomes = []
        for folio in dict.fromkeys(folios):
            try:
                request = await self.answer(
                    folio,
                    text=text,
                    responsible_person=responsible_person,
                    unit_code=unit_code,
                    actor=actor,
                    scope=scope,
                )
            except DomainError as error:
                outcomes.append(Outcome(folio, error.message))
            else:
                outcomes.append(Outcome(request.folio))
        return outcomes

    async def confirm(self, folio: str, *, solved: bool, citizen_words: str = "") -> ServiceRequest:
        """The citizen's answer within the confirmation window: closes or re-opens the request."""

        def work(session: Session, events: list[BaseEvent]) -> ServiceRequest:
            request = self._load(session, folio)
            check_transition(request.status, Status.CLOSED)
            assert request.answered_at is not None
            if self._clock() > request.answered_at + self.confirmation_window:
                raise ConfirmationWindowClosed(
                    "El plazo de 72 horas para confirmar la solución ya terminó."
                )
            if solved:
                request.closed_at = self._clock()
                note = citizen_words or "El ciudadano confirmó la solución."
                self._change(
                    session, events, request, Status.CLOSED, actor=CITIZEN_ACTOR, note=note
                )
            else:
                request.answered_at = None
                note = citizen_words or "El ciudadano indicó que no se resolvió."
                self._change(
                    session, events, request, Status.IN_PROGRESS, actor=CITIZEN_ACTOR, note=note
                )
            return request

        return await self._run(work)

    async def close_unconfirmed(self) -> list[str]:
        """Close every answered request whose confirmation window has lapsed; their folios."""
        limit = self._clock() - self.confirmation_window

        def work(session: Session, events: list[BaseEvent]) -> list[str]:
            statement = (
                select(ServiceRequest)
                .where(ServiceRequest.status == Status.ANSWERED)
                .where(col(ServiceRequest.answered_at) <= limit)
                .with_for_update(skip_locked=True)
            )
            closed = []
            for request in session.exec(statement):
                request.closed_at = self._clock()
                self._change(
                    session,
                    events,
                    request,
                    Status.CLOSED,
                    actor=SYSTEM_ACTOR,
                    note="Cerrada automáticamente: sin respuesta del ciudadano en 72 horas.",
                )
                closed.append(request.folio)
            return closed

        return await self._run(work)

    async def _transition(
        self,
        folio: str,
        target: Status,
        *,
        actor: str,
        note: str = "",
        apply: Callable[[Session, ServiceRequest], None] | None = None,
        scope: InboxScope | None = None,
    ) -> ServiceRequest:
        def work(session: Session, events: list[BaseEvent]) -> ServiceRequest:
            request = self._load(session, folio, scope=scope)
            check_transition(request.status, target)
            if apply is not None:
                apply(session, request)
            self._change(session, events, request, target, actor=actor, note=note)
            return request

        return await self._run(work)
