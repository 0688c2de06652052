"""A long wait offers a call-back; the call is placed when an agent is free, with the context."""

from __future__ import annotations

import asyncio

import pytest
from test_twilio_support import ACCOUNT, PUBLIC, until

from ivr.twilio.simulator import SimulatedCall, new_call_sid
from models.config import Settings
from models.events import CallHandedOver, QueueSnapshot

CITY = "+525556581111"


@pytest.fixture
def voice_settings(voice_settings: Settings) -> Settings:
    """The Twilio settings with call-backs on."""
    ivr = voice_settings.ivr.model_copy(update={"callback_from": CITY})
    return voice_settings.model_copy(update={"ivr": ivr})


def snapshot(waiting: int, available: int, longest: float = 0.0) -> QueueSnapshot:
    return QueueSnapshot(
        queue="locatel",
        waiting=waiting,
        available_agents=available,
        logged_in_agents=2,
        longest_wait_seconds=longest,
    )


async def test_call_back_keeps_the_place_and_is_placed_when_an_agent_is_free(
    twilio_app, twilio_http, twilio_api
) -> None:
    bus = twilio_app.state.container.bus
    estimator = twilio_app.state.container.ivr.estimator
    await bus.publish(snapshot(waiting=6, available=0, longest=420))
    await until(lambda: estimator._latest)
    call = SimulatedCall(http=twilio_http, public_base_url=PUBLIC, auth_token="test-auth-token")
    await call.start()
    page = await call.press("0")
    assert "la espera es de unos 14 minutos" in page.text and page.action
    page = await call.press("1")
    assert "Le llamaremos a este número" in page.text and page.end == "hangup"
    assert twilio_api.calls == []

    await bus.publish(snapshot(waiting=0, available=1))
    await until(lambda: twilio_api.calls)
    (placed,) = twilio_api.calls
    assert placed["To"] == call.caller and placed["From"] == CITY
    assert placed["Url"] == f"{PUBLIC}/twilio/voice/callback?id=1"
    assert placed["StatusCallback"] == f"{PUBLIC}/twilio/voice/status"
    assert any(f"/Accounts/{ACCOUNT}/Calls.json" in path for path in twilio_api.paths)

    answered = SimulatedCall(
        http=twilio_http,
        public_base_url=PUBLIC,
        auth_token="test-auth-token",
        caller=CITY,
        called=call.caller,
        call_sid=new_call_sid(),
    )
    async with bus.subscribe() as events:
        response = await answered.post(placed["Url"])
        event = await asyncio.wait_for(anext(events), 2)
    assert "le llamamos de Locatel como nos lo pidió" in response.text
    assert f'action="{PUBLIC}/twilio/voice/queue/result?queue=locatel"' in response.text
    assert ">locatel</Enqueue>" in response.text
    assert isinstance(event, CallHandedOver) and event.call_id == answered.call_sid
    assert event.context.path == ["menu", "callback_offer"]
    await bus.publish(snapshot(waiting=0, available=2))
    await asyncio.sleep(0.2)
    assert len(twilio_api.calls) == 1
