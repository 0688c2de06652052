"""A reference the caller said but no one could transcribe is registered with its recording,
for an agent to hear (issue 14): recorded at once on a call that cannot be heard (see
``test_keys_only.py``), recorded the second time after an answer not understood, never when
the words were understood, never on a conversation by message, and kept once per call."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_flow import CALL, make_flow, spoken
from test_keys_only import WAV, press, request_of

from ivr.flow import CallerInput, CallFlow, CallState, Gather, Step
from ivr.flow.completion import NO_REFERENCE
from models.reference_audio import SPOKEN_REFERENCE, ReferenceAudio, SpokenReference

RECORDED = CallerInput(audio=SpokenReference(6.0, wav=WAV))


async def at_reference(flow: CallFlow) -> CallState:
    """A heard call that picked a pothole in Iztapalapa by keys, now asked for the reference."""
    state, _ = await flow.start(CALL)
    state, _ = await press(flow, state, "1", "3", "5", "09960", "1")
    assert state.step == Step.REFERENCE
    return state


def kept(engine: Engine) -> list[ReferenceAudio]:
    with Session(engine) as session:
        return list(session.exec(select(ReferenceAudio)).all())


async def test_an_answer_not_understood_is_recorded_the_second_time(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus)
    state = await at_reference(flow)
    state, turn = await flow.handle(state, CallerInput(speech="ahí"))
    assert state.step == Step.REFERENCE and isinstance(turn.then, Gather)
    assert (turn.then.speech, turn.then.keep_audio) == (False, True)
    assert spoken(turn).startswith("Disculpe, no le entendí. Después del tono, diga otra vez")
    state, turn = await flow.handle(state, RECORDED)
    assert state.step == Step.REGISTERED and "quedó registrada" in spoken(turn)
    request = request_of(engine, CALL.call_id)
    assert request.reference == SPOKEN_REFERENCE
    (audio,) = kept(engine)
    assert (audio.request_id, audio.audio, audio.seconds) == (request.id, WAV, 6.0)


async def test_words_understood_are_the_reference_and_nothing_is_kept(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus)
    state = await at_reference(flow)
    said = CallerInput(speech="calle Morelos frente al mercado", audio=RECORDED.audio)
    state, _ = await flow.handle(state, said)
    assert request_of(engine, CALL.call_id).reference == "calle Morelos frente al mercado"
    assert kept(engine) == []


@pytest.mark.parametrize("seconds", [0.4, 0.0])
async def test_the_skip_key_after_a_recording_with_nothing_in_it(
    engine, service, bus, seconds: float
) -> None:
    flow = make_flow(engine, service, bus)
    state = await at_reference(flow)
    skipped = CallerInput(digits="#", audio=SpokenReference(seconds, wav=WAV))
    state, _ = await flow.handle(state, skipped)
    assert state.step == Step.REGISTERED
    assert request_of(engine, CALL.call_id).reference == NO_REFERENCE
    assert kept(engine) == []


@pytest.mark.parametrize(
    ("transport", "prompt", "speech"),
    [
        ("asterisk", "referencia-grabar", False),
        ("twilio", "referencia-grabar", False),
        ("sms", "referencia-pregunta", True),
        ("whatsapp", "referencia-pregunta", True),
    ],
)
async def test_only_a_call_is_asked_to_record_after_a_failure(
    engine, service, bus, transport: str, prompt: str, speech: bool
) -> None:
    flow = make_flow(engine, service, bus)
    state = CallState(call_id="X1", transport=transport, catalogue_code="VIA-001")  # type: ignore[arg-type]
    state = state.goto(Step.REFERENCE).with_(failures=1)
    gather = await flow.ask(state)
    assert gather.say.parts[0].name == prompt and gather.speech is speech


async def test_a_retried_turn_keeps_one_request_and_one_recording(engine, service, bus) -> None:
    flow = make_flow(engine, service, bus)
    state = await at_reference(flow)
    first, _ = await flow.handle(state, RECORDED)
    again, _ = await flow.handle(state, RECORDED)  # the same turn served twice
    assert first.folio == again.folio
    assert request_of(engine, CALL.call_id).reference == SPOKEN_REFERENCE
    assert len(kept(engine)) == 1
