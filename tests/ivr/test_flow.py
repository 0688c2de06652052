"""The call flow driven directly (no transport): hand-off context, failure path, call-back."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine

from ivr.classifier import Classifier
from ivr.flow import (
    CallerInput,
    CallFlow,
    CallInfo,
    CallState,
    Directory,
    FlowOptions,
    Gather,
    Hangup,
    Step,
    Transfer,
    Turn,
)
from ivr.flow.limits import QueryLimiter
from ivr.flow.steps import HandoffContext
from models.bus import InProcessBus
from models.events import CallEnded
from models.request_service import RequestService
from models.requests import Channel, RequestCreate


@dataclass
class SlowQueue:
    """A queue whose expected wait is ``seconds``."""

    seconds: float

    async def expected_wait_seconds(self, queue: str) -> float | None:
        return self.seconds


@dataclass
class CallbackLog:
    """Records the call-backs the flow books."""

    booked: list[dict] = field(default_factory=list)

    async def request_callback(
        self, *, call_id: str, phone: str, queue: str, context: HandoffContext
    ) -> None:
        entry = {"call_id": call_id, "phone": phone, "queue": queue}
        self.booked.append({**entry, **context.model_dump()})


class BrokenClassifier:
    """A classifier that fails, to exercise the single path to a human."""

    def classify(self, text: str) -> object:
        raise RuntimeError("classifier down")


def make_flow(engine: Engine, service: RequestService, bus: InProcessBus, **extra) -> CallFlow:
    classifier = extra.pop("classifier", None) or Classifier.from_engine(engine)
    return CallFlow(
        requests=service,
        classifier=classifier,
        notifier=bus,
        directory=Directory(engine=engine),
        options=FlowOptions(callback_wait_seconds=300),
        **extra,
    )


def spoken(turn) -> str:  # noqa: ANN001
    says = [*turn.actions, *([turn.then.say] if isinstance(turn.then, Gather) else [])]
    return " ".join(getattr(p, "text", "") for s in says for p in s.parts)


CALL = CallInfo(call_id="AGI-1", transport="asterisk", caller="+525512345678")


async def test_category_not_completable_by_phone_goes_to_an_agent_with_context(
    engine, service, bus
) -> None:
    flow = make_flow(engine, service, bus)
    state, _ = await flow.start(CALL)
    state, turn = await flow.handle(state, CallerInput(digits="1"))
    state, turn = await flow.handle(
        state, CallerInput(speech="quiero contratar una toma nueva de agua en tlalpan")
    )
    while isinstance(turn.then, Gather) and state.step in (
        Step.CONFIRM_CATEGORY,
        Step.CHOOSE_CATEGORY,
    ):
        state, turn = await flow.handle(state, CallerInput(digits="1"))
    assert isinstance(turn.then, Transfer), spoken(turn)
    context = turn.then.context
    assert "necesita la atención de un asesor" in spoken(turn)
    assert context.path[:2] == ["menu", "describe"] and context.alcaldia == "Tlalpan"
    assert context.transcript == ["quiero contratar una toma nueva de agua en tlalpan"]
    assert context.categories and 0 <= context.categories[0].confidence <= 1
    assert state.finished and state.folio is None


async def test_any_failure_takes_the_single_path_to_an_agent(engine, service, bus, caplog) -> None:
    flow = make_flow(engine, service, bus, classifier=BrokenClassifier())
    state, _ = await flow.start(CALL)
    state, turn = await flow.handle(state, CallerInput(speech="hay un bache enorme"))
    assert isinstance(turn.then, Transfer) and "Le comunico con un asesor" in spoken(turn)
    assert turn.then.context.reason == "falla del sistema"
    assert "classifier down" in caplog.text


@pytest.mark.parametrize(("key", "end"), [("1", Hangup), ("2", Transfer)])
async def test_long_wait_offers_a_call_back_that_keeps_the_place(
    engine, service, bus, key, end
) -> None:
    book = CallbackLog()
    flow = make_flow(engine, service, bus, wait_estimator=SlowQueue(900), callbacks=book)
    state, _ = await flow.start(CALL)
    state, turn = await flow.handle(state, CallerInput(digits="0"))
    assert state.step == Step.CALLBACK_OFFER and "unos 15 minutos" in spoken(turn)
    state, turn = await flow.handle(state, CallerInput(digits=key))
    assert isinstance(turn.then, end)
    assert len(book.booked) == (1 if key == "1" else 0)
    if book.booked:
        assert book.booked[0]["phone"] == CALL.caller and book.booked[0]["path"] == [
            "menu",
            "callback_offer",
        ]


@pytest.mark.parametrize("caller", ["anonymous", "+266696687", ""])
async def test_no_call_back_is_offered_to_a_withheld_number(engine, service, bus, caller) -> None:
    book = CallbackLog()
    flow = make_flow(engine, service, bus, wait_estimator=SlowQueue(900), callbacks=book)
    state, _ = await flow.start(CallInfo(call_id="CA9", transport="twilio", caller=caller))
    state, turn = await flow.handle(state, CallerInput(digits="0"))
    assert isinstance(turn.then, Transfer) and state.step == Step.DONE


async def test_short_wait_transfers_at_once(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus, wait_estimator=SlowQueue(30), callbacks=CallbackLog())
    state, _ = await flow.start(CALL)
    _, turn = await flow.handle(state, CallerInput(speech="quiero hablar con un asesor"))
    assert isinstance(turn.then, Transfer)


async def test_hang_up_is_published_once_and_ends_the_flow(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus)
    state, _ = await flow.start(CALL)
    async with bus.subscribe() as events:
        state = await flow.hangup(state, duration_seconds=12)
        again = await flow.hangup(state)
        event = await anext(events)
    assert isinstance(event, CallEnded) and event.cause == "caller-hangup" and again.ended
    _, turn = await flow.handle(state, CallerInput(digits="1"))
    assert isinstance(turn.then, Hangup)


async def test_state_survives_json_between_turns(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus)
    state, _ = await flow.start(CALL)
    state, _ = await flow.handle(state, CallerInput(digits="2"))
    restored = CallState.model_validate_json(state.model_dump_json())
    _, turn = await flow.handle(restored, CallerInput(digits="123"))
    assert "diez dígitos" in spoken(turn) and restored.step == Step.FOLIO


@dataclass
class Guess:
    code: str
    name: str
    tema: str
    confidence: float


@dataclass
class Ambiguous:
    """Every description is ambiguous between the same two categories."""

    candidates: tuple = (
        Guess("AGU-001", "Falta de agua", "FALTA DE AGUA", 0.7),
        Guess("AGU-003", "Fuga de agua", "FUGA DE AGUA", 0.65),
    )
    decision: str = "choose"
    alcaldia: str | None = None
    colonia: str | None = None


class AmbiguousClassifier:
    def classify(self, text: str) -> Ambiguous:
        return Ambiguous()


async def test_describing_again_and_again_ends_at_the_key_menu(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus, classifier=AmbiguousClassifier())
    state, _ = await flow.start(CALL)
    state, turn = await flow.handle(state, CallerInput(digits="1"))
    for _ in range(3):  # the first description and two more
        state, turn = await flow.handle(state, CallerInput(speech="pues es lo del agua de mi casa"))
        assert state.step == Step.CHOOSE_CATEGORY
    state, turn = await flow.handle(state, CallerInput(speech="pues es lo del agua de mi casa"))
    assert state.step == Step.CATEGORY_KEYS  # keys instead of a fourth description
    state, turn = await flow.handle(state, CallerInput(speech="pues es lo del agua de mi casa"))
    assert state.step == Step.CATEGORY_KEYS  # no more descriptions: keys only
    state, turn = await flow.handle(state, CallerInput(digits="9"))  # another problem
    assert isinstance(turn.then, Transfer)
    assert turn.then.context.reason == "otro problema en el menú por teclas"
    assert turn.then.context.transcript[-1] == "pues es lo del agua de mi casa"


@pytest.mark.parametrize(
    ("said", "step"),
    [("uno", Step.DESCRIBE), ("el dos", Step.FOLIO), ("opción 2", Step.FOLIO)],
)
async def test_keys_said_aloud_count_as_pressed(engine, service, bus, said, step) -> None:
    flow = make_flow(engine, service, bus)
    state, _ = await flow.start(CALL)
    state, turn = await flow.handle(state, CallerInput(speech=said))
    assert state.step == step, spoken(turn)
    assert "no le entendí" not in spoken(turn)


async def test_cero_said_aloud_reaches_an_agent_and_alcaldia_by_its_key(
    engine, service, bus
) -> None:
    flow = make_flow(engine, service, bus)
    state, _ = await flow.start(CALL)
    state, turn = await flow.handle(state, CallerInput(speech="la lámpara de mi calle no prende"))
    while state.step in (Step.CONFIRM_CATEGORY, Step.CHOOSE_CATEGORY):
        state, turn = await flow.handle(state, CallerInput(speech="uno"))
    assert state.step == Step.ALCALDIA, spoken(turn)
    state, turn = await flow.handle(state, CallerInput(speech="cero nueve"))
    assert state.step == Step.CONFIRM_PLACE and state.alcaldia == "Iztapalapa"
    assert "Alcaldía Iztapalapa, ¿es correcto?" in spoken(turn)
    state, turn = await flow.handle(state, CallerInput(speech="uno"))
    assert state.step == Step.REFERENCE
    _, turn = await flow.handle(state, CallerInput(speech="cero"))
    assert isinstance(turn.then, Transfer)


@pytest.mark.parametrize(
    ("said", "status"),
    [
        ("el estado de la calle es terrible, hay baches por todos lados", False),
        ("quiero hacer un reporte sobre el estado de la banqueta", False),
        ("quiero saber el estado de mi solicitud", True),
        ("quiero consultar un folio", True),
    ],
)
async def test_only_questions_about_a_request_go_to_the_status_branch(
    engine, service, bus, said, status
) -> None:
    flow = make_flow(engine, service, bus)
    state, _ = await flow.start(CALL)
    state, turn = await flow.handle(state, CallerInput(speech=said))
    assert (state.step == Step.FOLIO) == status, spoken(turn)
    assert status or state.path[:2] == ["menu", "describe"]
    if isinstance(turn.then, Transfer):  # what the classifier found goes with the call
        assert turn.then.context.categories and turn.then.context.path[:2] == state.path[:2]


async def _at_reference(flow: CallFlow) -> CallState:
    """A call that described a pothole in Tlalpan and is asked for the place's reference."""
    state, _ = await flow.start(CALL)
    state, _ = await flow.handle(state, CallerInput(speech="hay un bache enorme en tlalpan"))
    while state.step in (
        Step.CONFIRM_CATEGORY,
        Step.CHOOSE_CATEGORY,
        Step.ALCALDIA,
        Step.CONFIRM_PLACE,
    ):
        key = "14" if state.step == Step.ALCALDIA else "1"
        state, _ = await flow.handle(state, CallerInput(digits=key))
    assert state.step == Step.REFERENCE
    return state


async def _registered(flow: CallFlow) -> CallState:
    state = await _at_reference(flow)
    state, _ = await flow.handle(state, CallerInput(speech="calle Morelos frente al mercado"))
    assert state.step == Step.REGISTERED and state.folio
    return state


async def test_after_the_folio_the_caller_can_answer_by_voice(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus)
    state = await _registered(flow)
    ask = await flow.ask(state)
    assert ask.speech and "diga repetir" in spoken(Turn(then=ask))
    again, turn = await flow.handle(state, CallerInput(speech="¿me lo puede repetir?"))
    assert again.step == Step.REGISTERED and "quedó registrada" in spoken(turn)
    menu, _ = await flow.handle(state, CallerInput(speech="dos"))
    assert menu.step == Step.MENU
    done, turn = await flow.handle(state, CallerInput(speech="no, gracias, es todo"))
    assert done.finished and isinstance(turn.then, Hangup) and "Gracias por llamar" in spoken(turn)


@pytest.mark.parametrize(
    ("said", "code", "step"),
    [
        ("la segunda", "AGU-003", None),
        ("la primera", "AGU-001", None),
        ("ninguna de esas", None, Step.DESCRIBE),
    ],
)
async def test_a_category_can_be_picked_by_its_place(
    engine, service, bus, said, code, step
) -> None:
    flow = make_flow(engine, service, bus, classifier=AmbiguousClassifier())
    state, _ = await flow.start(CALL)
    state, _ = await flow.handle(state, CallerInput(speech="pues es lo del agua de mi casa"))
    assert state.step == Step.CHOOSE_CATEGORY
    state, turn = await flow.handle(state, CallerInput(speech=said))
    if code:
        assert state.catalogue_code == code, spoken(turn)
        assert state.step != Step.CHOOSE_CATEGORY and state.descriptions == 1
    else:
        assert state.step == step and state.descriptions == 1


async def test_a_caller_without_a_folio_is_not_asked_for_it_again(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus)
    state, _ = await flow.start(CALL)
    state, _ = await flow.handle(state, CallerInput(speech="quiero consultar mi folio"))
    assert state.step == Step.FOLIO
    state, turn = await flow.handle(state, CallerInput(speech="no lo tengo"))
    assert isinstance(turn.then, Transfer) and "Sin el folio" in spoken(turn)
    assert turn.then.context.reason == "el ciudadano no tiene su folio"


async def test_a_one_word_reference_is_asked_again(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus)
    state = await _at_reference(flow)
    state, turn = await flow.handle(state, CallerInput(speech="ahí"))
    assert state.step == Step.REFERENCE and state.folio is None
    assert "no le entendí" in spoken(turn) and "referencia" in spoken(turn)


async def test_folio_look_ups_are_limited_per_number(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus, limiter=QueryLimiter(per_hour=2))
    request = await service.register(
        RequestCreate(catalogue_code="AGU-001", channel=Channel.AGENT, alcaldia="Tlalpan"),
        actor="agente:prueba",
    )
    wrong = request.folio[:-1] + str((int(request.folio[-1]) + 1) % 10)
    state, _ = await flow.start(CALL)
    state, _ = await flow.handle(state, CallerInput(digits="2"))
    state, turn = await flow.handle(state, CallerInput(digits=wrong))
    assert "último dígito" in spoken(turn)  # a typo is explained and not counted
    for _ in range(2):
        state, turn = await flow.handle(state, CallerInput(digits=request.folio))
        assert state.step == Step.STATUS_READ, spoken(turn)
        state, _ = await flow.handle(state, CallerInput(digits="1"))
    state, turn = await flow.handle(state, CallerInput(digits=request.folio))
    assert isinstance(turn.then, Transfer) and "muchos folios" in spoken(turn)
    other, _ = await flow.start(
        CallInfo(call_id="AGI-2", transport="asterisk", caller="+525587654321")
    )
    other, _ = await flow.handle(other, CallerInput(digits="2"))
    other, turn = await flow.handle(other, CallerInput(digits=request.folio))
    assert other.step == Step.STATUS_READ
