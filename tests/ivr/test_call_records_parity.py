"""The same four calls through each front leave equal call records, field by field.

Twilio's side is played through the signed webhooks (voice, queue wait, ``<Queue url>``,
``<Enqueue action>``, transfer, status); Asterisk's through the call tracker fed with AMI
events and the shared flow driven as the FastAGI front drives it. Both event streams are
applied by the recorder (``write_events``); only transport ids and formats differ.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Awaitable, Callable
from urllib.parse import quote

import httpx
import pytest
from sqlmodel import Session
from test_twilio_support import PUBLIC, TOKEN

from ivr.asterisk.call_tracker import CallTracker
from ivr.asterisk.part import AmiAuthoritativeNotifier
from ivr.flow import CallerInput, CallInfo
from ivr.twilio.simulator import SimulatedCall
from models.call_records import write_events
from models.calls import CallRecord
from models.events import BaseEvent
from models.requests import Channel, RequestCreate

# values that must be equal on both fronts; every other field must be filled alike
SAME_VALUES = (
    "ivr_path",
    "ivr_outcome",
    "queue",
    "queue_position",
    "wait_seconds",
    "hold_count",
    "hold_seconds",
    "status",
    "ended_by",
    "folios",
)
TRANSPORT_FIELDS = {"call_id", "transport", "applied_events", "caller", "cause", "agent"}
# an agent taking a Twilio caller dials the queue itself (<Dial><Queue>): nothing rings first
ASTERISK_ONLY = {"rings"}
AGENT = "+525599990001"
TARGET = "+525555550000"
LINKEDID = "1795555768.0"


class Collector:
    """A notifier that keeps what it is given."""

    def __init__(self) -> None:
        self.events: list[BaseEvent] = []

    async def publish(self, event: BaseEvent) -> None:
        self.events.append(event)


def leg(uniqueid: str, name: str) -> dict[str, str]:
    return {
        "Channel": name,
        "Uniqueid": uniqueid,
        "Linkedid": LINKEDID,
        "CallerIDNum": "5512345678",
        "Exten": "0311",
    }


CALLER, MEMBER = leg(LINKEDID, "PJSIP/trunk-1"), leg("1795555768.2", "PJSIP/1001-2")
QUEUE = {"Queue": "locatel", "Interface": "PJSIP/1001", "MemberName": "Ana"}


class AsteriskCall:
    """An Asterisk call: AMI events through the tracker, the IVR through the shared flow."""

    def __init__(self, twilio_app) -> None:  # noqa: ANN001
        self.tracker, self.collector = CallTracker(source="asterisk:prueba"), Collector()
        self.flow = copy.copy(twilio_app.state.container.ivr.flow)
        self.flow.notifier = AmiAuthoritativeNotifier(self.collector)
        self.events: list[BaseEvent] = []

    def ami(self, *frames: dict[str, str]) -> None:
        for frame in frames:
            self.events += self.tracker.feed(frame)

    async def ivr(self, *inputs: CallerInput) -> None:
        self.ami({"Event": "Newchannel", **CALLER}, {"Event": "AGIExecStart", **CALLER})
        info = CallInfo(call_id=LINKEDID, transport="asterisk", caller="5512345678")
        state, _ = await self.flow.start(info)
        for heard in inputs:
            state, _ = await self.flow.handle(state, heard)
        self.events += self.collector.events

    def queued_and_answered(self) -> None:
        self.ami(
            {"Event": "QueueCallerJoin", **CALLER, "Queue": "locatel", "Position": "1"},
            {"Event": "Newchannel", **MEMBER},
            {"Event": "AgentCalled", **CALLER, **QUEUE},
            {"Event": "AgentConnect", **CALLER, **QUEUE, "HoldTime": "2"},
        )

    def hang_up(self, reason: str) -> None:
        if reason:
            self.ami({"Event": "AgentComplete", **CALLER, **QUEUE, "Reason": reason})
        hangup = {"Event": "Hangup", "Cause": "16", "Cause-txt": "Normal Clearing"}
        self.ami({**hangup, **MEMBER}, {**hangup, **CALLER})


class TwilioCall:
    """A Twilio call played through the signed webhooks, with the events it published."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.call = SimulatedCall(http=http, public_base_url=PUBLIC, auth_token=TOKEN)

    async def hook(self, path: str, **fields: str) -> httpx.Response:
        response = await self.call.post(f"{PUBLIC}/twilio/voice/{path}", fields)
        assert response.status_code in (200, 204), response.text
        return response

    async def to_queue(self) -> None:
        await self.call.start()
        page = await self.call.press("0")
        assert page.end == "enqueue:locatel"
        wait = await self.hook("queue/wait?queue=locatel", QueuePosition="1", QueueTime="0")
        assert "En breve le atiende un asesor" in wait.text and "<Play>" in wait.text

    async def answered(self) -> None:
        await self.to_queue()
        agent_leg = SimulatedCall(
            http=self.call.http, public_base_url=PUBLIC, auth_token=TOKEN, caller=AGENT
        )
        page = await agent_leg.post(f"{PUBLIC}/twilio/voice/agent?queue=locatel")
        url = f"{PUBLIC}/twilio/voice/queue/connected?queue=locatel&agent={quote(AGENT)}"
        assert f'url="{url.replace("&", "&amp;")}"' in page.text
        dequeued = {"QueueTime": "2", "DequeingCallSid": agent_leg.call_sid}
        await self.call.post(url, dequeued)


async def answered(twilio: TwilioCall, asterisk: AsteriskCall) -> None:
    await twilio.answered()
    result = await twilio.hook(
        "queue/result?queue=locatel", QueueResult="bridged", QueueTime="2"
    )  # the caller is still "in-progress": the agent hung up first
    assert "<Hangup />" in result.text
    await asterisk.ivr(CallerInput(digits="0"))
    asterisk.queued_and_answered()
    asterisk.hang_up("agent")


async def abandoned(twilio: TwilioCall, asterisk: AsteriskCall) -> None:
    await twilio.to_queue()
    await twilio.hook(
        "queue/result?queue=locatel", QueueResult="hangup", QueueTime="7", CallStatus="completed"
    )
    await asterisk.ivr(CallerInput(digits="0"))
    asterisk.ami(
        {"Event": "QueueCallerJoin", **CALLER, "Queue": "locatel", "Position": "1"},
        {"Event": "QueueCallerAbandon", **CALLER, "Queue": "locatel", "HoldTime": "7"},
    )
    asterisk.hang_up("")


async def transferred(twilio: TwilioCall, asterisk: AsteriskCall) -> None:
    await twilio.answered()
    dial = await twilio.hook(f"transfer?target={quote(TARGET)}")
    assert f"<Number>{TARGET}</Number>" in dial.text
    await asterisk.ivr(CallerInput(digits="0"))
    asterisk.queued_and_answered()
    transferee = {f"Transferee{k}": v for k, v in CALLER.items()}
    asterisk.ami(
        {"Event": "BlindTransfer", **transferee, "Extension": "5555", "Context": "locatel-agentes"}
    )
    asterisk.hang_up("transfer")


async def ivr_only(twilio: TwilioCall, asterisk: AsteriskCall) -> None:
    request = await asterisk.flow.requests.register(
        RequestCreate(catalogue_code="AGU-001", channel=Channel.AGENT, alcaldia="Tlalpan"),
        actor="agente:prueba",
    )
    await twilio.call.start()
    await twilio.call.press("2")
    await twilio.call.press(request.folio)
    page = await twilio.call.silence()
    assert page.end == "hangup" and "Gracias por llamar" in page.text
    await asterisk.ivr(
        CallerInput(digits="2"), CallerInput(digits=request.folio), CallerInput(timed_out=True)
    )
    asterisk.hang_up("")


Scenario = Callable[[TwilioCall, AsteriskCall], Awaitable[None]]


async def drain(events) -> list[BaseEvent]:  # noqa: ANN001
    seen: list[BaseEvent] = []
    with contextlib.suppress(TimeoutError):
        while True:
            seen.append(await asyncio.wait_for(anext(events), 0.2))
    return seen


@pytest.mark.parametrize(
    ("scenario", "status", "outcome", "ended_by"),
    [
        (answered, "answered", "handed_over", "agent"),
        (abandoned, "abandoned", "handed_over", "caller"),
        (transferred, "answered", "handed_over", ""),
        (ivr_only, "ivr", "completed", "system"),
    ],
)
async def test_both_fronts_leave_the_same_record(
    twilio_app, twilio_http, scenario: Scenario, status: str, outcome: str, ended_by: str
) -> None:
    engine = twilio_app.state.container.engine
    twilio, asterisk = TwilioCall(twilio_http), AsteriskCall(twilio_app)
    async with twilio_app.state.container.bus.subscribe() as events:
        await scenario(twilio, asterisk)
        await twilio.call.hang_up(duration=30)
        published = await drain(events)
    write_events(
        engine, [e for e in published if getattr(e, "call_id", "") == twilio.call.call_sid]
    )
    write_events(engine, asterisk.events)
    with Session(engine) as session:
        on_twilio = session.get(CallRecord, twilio.call.call_sid)
        on_asterisk = session.get(CallRecord, LINKEDID)
    assert on_twilio is not None and on_asterisk is not None
    assert (on_twilio.transport, on_asterisk.transport) == ("twilio", "asterisk")
    mine, theirs = on_twilio.model_dump(), on_asterisk.model_dump()
    for name in SAME_VALUES:
        assert mine[name] == theirs[name], name
    filled = {k for k, v in mine.items() if v not in (None, "", [], 0)} - TRANSPORT_FIELDS
    assert (
        filled
        == {k for k, v in theirs.items() if v not in (None, "", [], 0)}
        - TRANSPORT_FIELDS
        - ASTERISK_ONLY
    )
    assert (mine["status"], mine["ivr_outcome"], mine["ended_by"]) == (status, outcome, ended_by)
    handoff = {k: v for k, v in (mine["handoff"] or {}).items() if k != "caller"}
    assert handoff == {k: v for k, v in (theirs["handoff"] or {}).items() if k != "caller"}
