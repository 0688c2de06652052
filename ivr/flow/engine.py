"""The call flow engine: one state machine that both fronts (Twilio, Asterisk) drive.

flow = CallFlow(requests=service, classifier=classifier, notifier=notifier, directory=directory)
state, turn = await flow.start(CallInfo(call_id="CA1", transport="twilio", caller="+52…"))
state, turn = await flow.handle(state, CallerInput(digits="2"))
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from ivr.flow import completion, input_limits, key_menu, menu, register, status
from ivr.flow.common import Outcome, Retry, ToAgent, farewell, say
from ivr.flow.directory import Directory
from ivr.flow.limits import QueryLimiter
from ivr.flow.ports import CallbackBook, ClassifierLike, EventPublisher, MessageReach, WaitEstimator
from ivr.flow.reports import CallReports
from ivr.flow.state import CallState, Step
from ivr.flow.steps import CallerInput, CallInfo, Gather, Hangup, Transfer, Turn
from ivr.flow.understanding import spoken_keys, wants_agent
from ivr.prompts import PromptBook
from ivr.speech.transcript_check import check_transcript
from models.events import CallEnded, CallHandedOver, CallIvrStep, CallSpeechResult, CallStarted
from models.handoff import CategoryGuess, HandoffContext
from models.request_service import RequestService

log = logging.getLogger(__name__)

AGENT_KEY = "0"
# a number that can be called back (a withheld caller ID arrives as "anonymous" or a fake number)
CALLABLE = re.compile(r"^\+?[1-9]\d{7,14}$")
WITHHELD = frozenset({"+266696687", "+7378742833", "+2562533", "+86282452253", "+8656696"})
CLOSING_STEPS = frozenset({Step.REGISTERED, Step.STATUS_READ})
# menus answered with keys, where "uno" or "cero nueve" said aloud counts as pressing them
# ("cero" alone reaches an agent at every step)
KEYED_STEPS = frozenset(
    {
        Step.MENU,
        Step.CONFIRM_CATEGORY,
        Step.CHOOSE_CATEGORY,
        Step.CATEGORY_KEYS,
        Step.ALCALDIA,
        Step.CONFIRM_PLACE,
        Step.CALLBACK_OFFER,
        *CLOSING_STEPS,
    }
)
Asker = Callable[["CallFlow", CallState], Awaitable[Gather]]
Answerer = Callable[["CallFlow", CallState, CallerInput], Awaitable[Outcome]]


@dataclass(frozen=True)
class FlowOptions:
    """Tunable behaviour of the flow (from ``Settings.ivr``)."""

    agent_queue: str = "locatel"
    max_failures: int = 3
    callback_wait_seconds: float = 300.0
    speech_engine: str = "twilio"


def _heard(state: CallState, caller: CallerInput) -> CallerInput:
    """The input within the limits every edge applies (:mod:`ivr.flow.input_limits`: over-long
    speech is not heard, digits are ASCII keys); speech that is no speech (nothing,
    hesitations, a loop, more words than its time could hold) counts as silence, re-prompted
    like it; a long answer is cut to what is kept."""
    said = input_limits.speech(caller.speech)
    caller = replace(caller, digits=input_limits.keys(caller.digits), speech=said)
    if said is None:
        return caller
    heard = check_transcript(caller.speech, seconds=caller.speech_seconds)
    if not heard.accepted:
        log.info("call %s: not heard (%s): %.120r", state.call_id, heard.reason, caller.speech)
    return replace(caller, speech=heard.text or None)


class CallFlow:
    """Serves a call turn by turn; holds no per-call data (that lives in ``CallState``)."""

    def __init__(
        self,
        *,
        requests: RequestService,
        classifier: ClassifierLike,
        notifier: EventPublisher,
        directory: Directory,
        prompts: PromptBook | None = None,
        options: FlowOptions | None = None,
        messages: MessageReach | None = None,
        wait_estimator: WaitEstimator | None = None,
        callbacks: CallbackBook | None = None,
        limiter: QueryLimiter | None = None,
    ) -> None:
        self.requests = requests
        self.classifier = classifier
        self.notifier = notifier
        self.directory = directory
        self.prompts = prompts or PromptBook()
        self.options = options or FlowOptions()
        self.messages = messages
        self.wait_estimator = wait_estimator
        self.callbacks = callbacks
        self.limiter = limiter
        self._askers: dict[Step, Asker] = {
            **menu.ASKERS,
            **register.ASKERS,
            **key_menu.ASKERS,
            **completion.ASKERS,
            **status.ASKERS,
        }
        self._answerers: dict[Step, Answerer] = {
            **menu.ANSWERERS,
            **register.ANSWERERS,
            **key_menu.ANSWERERS,
            **completion.ANSWERERS,
            **status.ANSWERERS,
        }

    # --- the contract -------------------------------------------------------------------------

    async def start(self, call: CallInfo) -> tuple[CallState, Turn]:
        """Greet a new call and offer the main menu."""
        state = CallState(
            call_id=call.call_id,
            transport=call.transport,
            caller=call.caller,
            called=call.called,
            speech=call.speech,
        ).goto(Step.MENU)
        if call.transport in ("twilio", "asterisk"):  # a conversation by message is no call
            await self.notifier.publish(
                CallStarted(
                    call_id=call.call_id,
                    transport=call.transport,
                    caller=call.caller,
                    called=call.called,
                    source="ivr",
                )
            )
        await self._step_event(state)
        greeting = say(self.prompts.prompt("bienvenida"))
        return state, Turn(actions=(greeting,), then=await self.ask(state))

    async def handle(self, state: CallState, caller: CallerInput) -> tuple[CallState, Turn]:
        """Apply the caller's input at the current step; any failure goes to an agent."""
        if state.finished:
            return state, Turn(then=Hangup())
        try:
            caller = _heard(state, caller)
            if caller.speech:
                state = state.with_(transcript=[*state.transcript, caller.speech.strip()])
                await self.notifier.publish(
                    CallSpeechResult(
                        call_id=state.call_id,
                        transcript=caller.speech.strip(),
                        confidence=caller.speech_confidence,
                        engine=self.options.speech_engine,
                        source="ivr",
                    )
                )
            outcome = await self._answer(state, caller)
        except Exception:
            log.exception("call %s failed at step %s", state.call_id, state.step)
            outcome = ToAgent(reason="falla del sistema", prompt="falla-asesor")
        if isinstance(outcome, Retry):
            return await self._retry(state, outcome)
        if isinstance(outcome, ToAgent):
            return await self.to_agent(outcome.state or state, outcome)
        new_state, turn = outcome
        if new_state.step != state.step or new_state.path != state.path:
            await self._step_event(new_state)
        return new_state, turn

    async def read_status(self, call: CallInfo, folio: str = "") -> tuple[CallState, Turn]:
        """A caller sent back to the status reading (by an agent): the folio's status when
        ``folio`` is given, else the question for one."""
        state = CallState(
            call_id=call.call_id,
            transport=call.transport,
            caller=call.caller,
            called=call.called,
            speech=call.speech,
        ).goto(Step.FOLIO)
        if folio:
            return await self.handle(state, CallerInput(digits=folio))
        return state, Turn(then=await self.ask(state))

    async def hangup(
        self, state: CallState, *, duration_seconds: float | None = None, status: str = ""
    ) -> CallState:
        """The call ended: nothing is registered after this; the end is published once."""
        if state.ended:
            return state
        await self.notifier.publish(
            CallEnded(
                call_id=state.call_id,
                cause=(status or "completed") if state.finished else "caller-hangup",
                duration_seconds=duration_seconds,
                status=status or "completed",
                source="ivr",
            )
        )
        return state.with_(finished=True, ended=True)

    # --- shared behaviour ---------------------------------------------------------------------

    async def ask(self, state: CallState) -> Gather:
        """The question of the current step (keys only when the call cannot be heard)."""
        gather = await self._askers[state.step](self, state)
        return gather if state.speech else replace(gather, speech=False, speech_hints=())

    async def _answer(self, state: CallState, caller: CallerInput) -> Outcome:
        keys = "" if (caller.digits or "").strip() else spoken_keys(caller.speech)
        if keys == AGENT_KEY or (keys and state.step in KEYED_STEPS):
            caller = replace(caller, digits=keys, speech=None)
        if (caller.digits or "").strip() == AGENT_KEY or wants_agent(caller.speech):
            return ToAgent(reason="el ciudadano pidió un asesor")
        if caller.empty and state.step in CLOSING_STEPS:
            return farewell(self, state)
        if caller.empty:
            return Retry("sin-respuesta")
        return await self._answerers[state.step](self, state, caller)

    async def _retry(self, state: CallState, retry: Retry) -> tuple[CallState, Turn]:
        state = state.with_(failures=state.failures + 1)
        reason = say(self.prompts.prompt(retry.reason, **(retry.values or {})))
        if state.failures >= self.options.max_failures and state.step == Step.DESCRIBE:
            return await key_menu.offer(self, state, reason)  # keys when speech fails
        if state.failures >= self.options.max_failures:
            return await self.to_agent(state, ToAgent(reason="tres intentos sin éxito"))
        question = await self.ask(state)
        if retry.replaces_question:  # the explanation says what to do: one message, not two
            return state, Turn(then=replace(question, say=reason))
        return state, Turn(actions=(reason,), then=question)

    def callable_caller(self, state: CallState) -> str | None:
        """The caller's number when it is a real, callable one (not withheld)."""
        ok = bool(CALLABLE.match(state.caller)) and state.caller not in WITHHELD
        return state.caller if ok else None

    @property
    def reports(self) -> CallReports:
        """Where a front reports queue, agent, transfer and recording facts of a call."""
        return CallReports(notifier=self.notifier, prompts=self.prompts)

    def handoff_context(self, state: CallState, reason: str) -> HandoffContext:
        """What the agent gets with the call."""
        return HandoffContext(
            caller=state.caller,
            path=list(state.path),
            transcript=list(state.transcript),
            categories=[CategoryGuess.model_validate(c.model_dump()) for c in state.candidates],
            alcaldia=state.alcaldia,
            colonia=state.colonia,
            reference=state.reference,
            folio=state.folio,
            queried_folio=state.queried_folio,
            reason=reason,
        )

    async def to_agent(self, state: CallState, why: ToAgent) -> tuple[CallState, Turn]:
        """The single way to a human: offer a call-back on a long wait, else transfer."""
        state = state.with_(handoff_reason=why.reason)
        offer = state.step != Step.CALLBACK_OFFER and self.callable_caller(state) is not None
        if offer and self.callbacks is not None and self.wait_estimator is not None:
            wait = await self.wait_estimator.expected_wait_seconds(self.options.agent_queue)
            if wait is not None and wait >= self.options.callback_wait_seconds:
                state = state.goto(Step.CALLBACK_OFFER)
                await self._step_event(state)
                return state, Turn(actions=why.before, then=await self.ask(state))
        return await self.transfer(state, why.prompt, before=why.before)

    async def transfer(
        self, state: CallState, prompt: str = "asesor", *, before: tuple = ()
    ) -> tuple[CallState, Turn]:
        """Hand the call to the agent queue now, publishing the context for the console."""
        context = self.handoff_context(state, state.handoff_reason)
        state = state.goto(Step.DONE).with_(finished=True)
        actions = (*before, say(self.prompts.prompt(prompt)))
        return state, await self._hand_over(state.call_id, context, actions, source="ivr")

    async def callback_answered(self, call_id: str, *, queue: str, context: HandoffContext) -> Turn:
        """A citizen answered their call-back: one sentence, then ``queue`` with the old context."""
        actions = (say(self.prompts.prompt("devolucion-llamada")),)
        return await self._hand_over(call_id, context, actions, source="callback", queue=queue)

    async def _hand_over(
        self,
        call_id: str,
        context: HandoffContext,
        actions: tuple,
        *,
        source: str,
        queue: str | None = None,
    ) -> Turn:
        queue = queue or self.options.agent_queue
        await self.notifier.publish(
            CallHandedOver(call_id=call_id, queue=queue, context=context, source=source)
        )
        return Turn(actions=actions, then=Transfer(queue=queue, context=context, call_id=call_id))

    async def _step_event(self, state: CallState) -> None:
        await self.notifier.publish(
            CallIvrStep(call_id=state.call_id, step=state.step, source="ivr")
        )
