"""The notifier's outbox: a change is never lost to a bus outage, and its events go out later."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine
from sqlmodel import Session, select

from ivr.classifier import Classifier
from ivr.flow import CallerInput, CallFlow, CallInfo, Directory, Step
from models.bus import InProcessBus
from models.business_days import BusinessCalendar
from models.events import BaseEvent, CallIvrStep, RequestRegistered
from models.jobs import JobQueue, JobSpec
from models.notifier import Notifier
from models.outbox import Job, OutboxEvent
from models.request_service import RequestService


class DownBus(InProcessBus):
    """A bus that refuses (or hangs on) every publish while ``down``."""

    def __init__(self, *, hang: bool = False) -> None:
        super().__init__()
        self.down, self.hang = True, hang

    async def publish(self, event: BaseEvent) -> None:
        if self.down and self.hang:
            await asyncio.sleep(3600)
        if self.down:
            raise ConnectionError("Redis no responde")
        await super().publish(event)


def unpublished(engine: Engine) -> list[OutboxEvent]:
    with Session(engine) as session:
        statement = select(OutboxEvent).where(OutboxEvent.published_at == None)  # noqa: E711
        return list(session.exec(statement))


async def test_a_registration_whose_publish_fails_is_read_to_the_caller(engine: Engine) -> None:
    bus = DownBus()
    notifier = Notifier(engine=engine, bus=bus)
    service = RequestService(engine=engine, calendar=BusinessCalendar.default(), notifier=notifier)
    flow = CallFlow(
        requests=service,
        classifier=Classifier.from_engine(engine),
        notifier=notifier,
        directory=Directory(engine=engine),
    )
    state, _ = await flow.start(CallInfo(call_id="AGI-9", transport="asterisk", caller="+52"))
    state, _ = await flow.handle(state, CallerInput(speech="hay un bache enorme en tlalpan"))
    while state.step in (
        Step.CONFIRM_CATEGORY,
        Step.CHOOSE_CATEGORY,
        Step.ALCALDIA,
        Step.CONFIRM_PLACE,
    ):
        key = "14" if state.step == Step.ALCALDIA else "1"
        state, _ = await flow.handle(state, CallerInput(digits=key))
    state, turn = await flow.handle(state, CallerInput(speech="calle Morelos frente al mercado"))
    assert state.step == Step.REGISTERED and state.folio
    assert "quedó registrada" in " ".join(
        getattr(p, "text", "") for say in turn.actions for p in say.parts
    )
    kept = unpublished(engine)
    assert any('"request.registered"' in row.payload for row in kept)
    assert any('"call.ivr_step"' in row.payload for row in kept)  # call events kept too

    bus.down = False
    async with bus.subscribe() as events:
        relayed = await notifier.relay_now()
        seen = [await asyncio.wait_for(anext(events), 1) for _ in range(relayed)]
    registered = [e for e in seen if isinstance(e, RequestRegistered)]
    assert [e.folio for e in registered] == [state.folio]
    assert unpublished(engine) == []
    assert await notifier.relay_now() == 0  # nothing twice


async def test_a_hanging_bus_costs_the_caller_at_most_the_publish_timeout(engine: Engine) -> None:
    notifier = Notifier(engine=engine, bus=DownBus(hang=True), publish_timeout=0.05)
    started = asyncio.get_running_loop().time()
    await notifier.publish(CallIvrStep(call_id="CA1", step="menu"))
    assert asyncio.get_running_loop().time() - started < 1
    assert len(unpublished(engine)) == 1


async def test_reactions_enqueue_jobs_in_the_change_transaction(engine: Engine) -> None:
    jobs = JobQueue(engine=engine)
    notifier = Notifier(engine=engine, bus=InProcessBus(), jobs=jobs)
    notifier.react(
        lambda event: (
            [JobSpec("avisar", {"folio": event.folio})]
            if isinstance(event, RequestRegistered)
            else []
        )
    )
    service = RequestService(engine=engine, calendar=BusinessCalendar.default(), notifier=notifier)
    from models.requests import Channel, RequestCreate

    request = await service.register(
        RequestCreate(catalogue_code="AGU-001", channel=Channel.WEB, alcaldia="Coyoacán"),
        actor="web",
    )
    with Session(engine) as session:
        (job,) = session.exec(select(Job)).all()
    assert job.kind == "avisar" and request.folio in job.payload
