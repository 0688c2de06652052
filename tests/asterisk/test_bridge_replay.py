"""The bridge against the four AMI sessions recorded from Asterisk 22, replayed byte for byte."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from models.calls import CallRecord

from .harness import Harness
from .replay import AmiReplay, read_interleaved

RESYNC = frozenset({"Login", "CoreShowChannels", "QueueStatus", "QueueSummary"})


async def replay(transcripts: Path, flow: str, answers: frozenset[str], engine=None) -> Harness:  # noqa: ANN001
    server = AmiReplay(transcripts / f"{flow}.ami.interleaved.txt", answers)
    port = await server.start()
    async with Harness(port=port, secret="locatel-ami-secret", engine=engine) as harness:
        await asyncio.wait_for(server.finished.wait(), 10)
        await asyncio.wait_for(harness.first_connection_closed(), 5)
        await harness.settle()
    await server.close()
    return harness


@pytest.mark.parametrize("flow", ["a_queue_answered", "c_ivr_fastagi"])
def test_replay_sends_exactly_the_recorded_bytes(transcripts: Path, flow: str) -> None:
    chunks = read_interleaved(transcripts / f"{flow}.ami.interleaved.txt")
    sent = b"".join(data for sender, data in chunks if sender == "asterisk" and data)
    assert sent == (transcripts / f"{flow}.ami.asterisk-to-client.raw.txt").read_bytes()


async def test_answered_call(transcripts: Path, engine: Engine) -> None:
    harness = await replay(transcripts, "a_queue_answered", RESYNC, engine)
    call = harness.of_call("1795555768.0")
    assert [e.type for e in call] == [
        "call.started",
        "call.queued",
        "call.agent_ringing",
        "call.connected",
        "call.ended",
    ]
    started, queued, ringing, connected, ended = call
    assert (started.caller, started.transport) == ("+525512345678", "asterisk")
    assert (queued.queue, queued.position) == ("locatel", 1)
    assert ringing.agent == "Local/agent1@agents" and ringing.answered is None
    assert (connected.agent, connected.wait_seconds) == ("Local/agent1@agents", 2.0)
    assert (ended.status, ended.cause) == ("answered", "Normal Clearing")
    agent1 = [
        e.state
        for e in harness.events
        if e.type == "agent.state" and e.agent.endswith("agent1@agents")
    ]
    assert agent1[0] == "available" and "in_use" in agent1 and agent1[-1] == "available"
    snapshot = next(e for e in harness.events if e.type == "queue.snapshot")
    assert (snapshot.logged_in_agents, snapshot.available_agents) == (2, 2)
    with Session(engine) as session:
        record = session.get(CallRecord, "1795555768.0")
    assert record is not None
    assert (record.status, record.agent, record.wait_seconds) == (
        "answered",
        "Local/agent1@agents",
        2.0,
    )
    assert record.queued_at and record.answered_at and record.ended_at


async def test_abandoned_call(transcripts: Path, engine: Engine) -> None:
    harness = await replay(transcripts, "b_queue_abandoned", RESYNC, engine)
    call = harness.of_call("1795555781.4")
    types = [e.type for e in call]
    assert types == [
        "call.started",
        "call.queued",
        "call.agent_ringing",
        "call.abandoned",
        "call.ended",
    ]
    assert types.count("call.queued") == 1  # the QueueEntry of the resync is no second join
    assert (call[3].wait_seconds, call[3].position) == (7.0, 1)
    assert call[-1].status == "abandoned"
    with Session(engine) as session:
        assert session.get(CallRecord, "1795555781.4").status == "abandoned"


async def test_ivr_call_with_dtmf_then_queue(transcripts: Path) -> None:
    harness = await replay(transcripts, "c_ivr_fastagi", frozenset({"Login", "CoreShowChannels"}))
    call = harness.of_call("1795555792.8")
    assert [e.type for e in call] == [
        "call.started",
        "call.ivr_step",
        "call.queued",
        "call.agent_ringing",
        "call.connected",
        "call.ended",
    ]
    assert call[0].caller == "+525587654321"


async def test_caller_hanging_up_in_the_ivr(transcripts: Path) -> None:
    harness = await replay(
        transcripts, "d_ivr_caller_hangup", frozenset({"Login", "CoreShowChannels"})
    )
    call = harness.of_call("1795555815.12")
    assert [e.type for e in call] == ["call.started", "call.ivr_step", "call.ended"]
    assert call[-1].status == "ivr"  # ended in the IVR, never queued (as on its record)
