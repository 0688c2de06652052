"""The bridge against the scripted AMI peer: reconnection, resync, bursts, bad input."""

from __future__ import annotations

import asyncio

from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session

from ivr.asterisk.bridge import AmiBridge, Backoff
from models.bus import InProcessBus
from models.calls import CallRecord
from models.config import AsteriskServer
from models.events import RequestRegistered

from .fake_ami import FakeAmi, channel
from .harness import Harness


def newchannel(uniqueid: str, linkedid: str, number: str = "5512345678") -> dict[str, str]:
    return {
        "Event": "Newchannel",
        **channel(uniqueid, linkedid, f"PJSIP/t-{uniqueid}", CallerIDNum=number),
    }


def hangup(uniqueid: str, linkedid: str) -> dict[str, str]:
    return {
        "Event": "Hangup",
        "Uniqueid": uniqueid,
        "Linkedid": linkedid,
        "Cause": "16",
        "Cause-txt": "Normal Clearing",
    }


async def until(condition, timeout: float = 5.0) -> None:  # noqa: ANN001
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


async def test_login_failure_is_reported_and_retried(fake_ami: FakeAmi) -> None:
    async with Harness(port=fake_ami.port, secret="equivocado") as harness:
        await fake_ami.wait_for_action("Login", count=2)
        assert "rechazó al usuario AMI «locatel»" in harness.link.last_error
        assert "Authentication failed" in harness.link.last_error
        assert not harness.link.connected.is_set()


async def test_dropped_mid_call_and_restored_with_other_channels(fake_ami: FakeAmi) -> None:
    async with Harness(port=fake_ami.port, secret=fake_ami.secret) as harness:
        await harness.link.connected.wait()
        await fake_ami.push(newchannel("10.1", "10.1"), newchannel("30.1", "30.1"))
        await until(lambda: len(harness.types()) == 2)
        # While the bridge is away call 10 ends and call 20 begins; call 30 goes on.
        fake_ami.channels = [
            channel("30.1", "30.1", "PJSIP/t-30.1"),
            channel("20.1", "20.1", "PJSIP/t-20.1", CallerIDNum="5599998888"),
        ]
        harness.link.connected.clear()
        await fake_ami.drop()
        await until(lambda: fake_ami.logins == 2)
        await harness.link.connected.wait()
        await harness.settle()
        assert [(e.type, e.call_id) for e in harness.events if e.type.startswith("call.")] == [
            ("call.started", "10.1"),
            ("call.started", "30.1"),
            ("call.started", "20.1"),
            ("call.ended", "10.1"),
        ]
        lost = harness.of_call("10.1")[-1]
        assert (lost.status, lost.cause) == ("lost", "resync")
        assert harness.of_call("20.1")[0].caller == "+525599998888"  # E.164 from the edge on
        await fake_ami.push(hangup("30.1", "30.1"), hangup("30.1", "30.1"))
        await harness.settle()
        assert [e.type for e in harness.of_call("30.1")] == ["call.started", "call.ended"]
        assert harness.link.tracker.active_calls == {"20.1"}


async def test_members_removed_while_away_are_logged_out_on_resync(fake_ami: FakeAmi) -> None:
    member = {"Queue": "locatel", "Status": "1", "Paused": "0"}
    fake_ami.members = [
        {**member, "Location": "PJSIP/1001"},
        {**member, "Location": "PJSIP/1002", "Paused": "1", "PausedReason": "comida"},
    ]
    async with Harness(port=fake_ami.port, secret=fake_ami.secret) as harness:
        await harness.link.connected.wait()
        await harness.settle()
        fake_ami.members = fake_ami.members[:1]  # Beto logged out while the bridge was away
        harness.link.connected.clear()
        await fake_ami.drop()
        await until(lambda: fake_ami.logins == 2)
        await harness.link.connected.wait()
        await harness.settle()
        states = [(e.agent, e.state, e.reason) for e in harness.events if e.type == "agent.state"]
        assert states == [
            ("PJSIP/1001", "available", ""),
            ("PJSIP/1002", "paused", "comida"),
            ("PJSIP/1002", "logged_out", ""),
        ]


async def test_one_link_per_server_each_with_its_own_calls_and_actions() -> None:
    peers = [FakeAmi(secret="norte"), FakeAmi(secret="sur")]
    for peer in peers:
        peer.members = [{"Queue": "locatel", "Interface": "PJSIP/1001", "Status": "1"}]
        await peer.start()
    bus = InProcessBus()
    bridge = AmiBridge(
        servers=[
            AsteriskServer(name=peer.secret, port=peer.port, secret=SecretStr(peer.secret))
            for peer in peers
        ],
        notifier=bus,
        timeout=2,
        keepalive=30,
        backoff=Backoff(first=0.05, ceiling=0.2),
    )
    async with bus.subscribe() as events:
        await bridge.start()
        try:
            for link in bridge.links.values():
                await asyncio.wait_for(link.connected.wait(), 5)
            await peers[0].push(newchannel("1.1", "1.1"))
            await peers[1].push(newchannel("2.1", "2.1"))
            seen = set()
            async with asyncio.timeout(5):
                async for event in events:
                    seen.add((event.source, getattr(event, "call_id", None)))
                    if {"1.1", "2.1"} <= {call for _, call in seen}:
                        break
            assert seen >= {("asterisk:norte", "1.1"), ("asterisk:sur", "2.1")}
            assert (await bridge.send("sur", "QueuePause", Interface="PJSIP/1001")).success
            assert peers[1].received[-1]["Action"] == "QueuePause"
            assert peers[0].received[-1]["Action"] != "QueuePause"
        finally:
            await bridge.stop()
            for peer in peers:
                await peer.close()


async def test_burst_of_ten_thousand_events(fake_ami: FakeAmi) -> None:
    calls = 2_500
    frames = []
    for n in range(calls):
        uid = f"{n}.0"
        join = {
            "Event": "QueueCallerJoin",
            **channel(uid, uid, "PJSIP/t"),
            "Queue": "locatel",
            "Position": "1",
            "Count": "1",
        }
        connect = {
            "Event": "AgentConnect",
            **channel(uid, uid, "PJSIP/t"),
            "Queue": "locatel",
            "Interface": "PJSIP/agente01",
            "HoldTime": "3",
        }
        frames += [newchannel(uid, uid), join, connect, hangup(uid, uid)]
    async with Harness(port=fake_ami.port, secret=fake_ami.secret) as harness:
        await harness.link.connected.wait()
        await fake_ami.push(*frames)
        await until(lambda: len(harness.types()) == 4 * calls, timeout=20)
        await harness.settle()
        assert harness.types()[:4] == [
            "call.started",
            "call.queued",
            "call.connected",
            "call.ended",
        ]
        assert len(harness.types()) == 4 * calls
        assert (await harness.bridge.send("", "Ping")).success
        assert harness.link.tracker.active_calls == set()


async def test_malformed_duplicate_and_out_of_order_events(fake_ami: FakeAmi) -> None:
    async with Harness(port=fake_ami.port, secret=fake_ami.secret) as harness:
        await harness.link.connected.wait()
        join = {
            "Event": "QueueCallerJoin",
            **channel("5.1", "5.1", "PJSIP/t"),
            "Queue": "locatel",
            "Position": "uno",
        }
        await fake_ami.push(
            b"Event: Hangup\r\nEvent: Hangup\r\nUniqueid: 9\r\n\r\n",  # repeated Event header
            b"no headers at all\r\n\r\n",
            {"Event": "Hangup", "Uniqueid": "404.1"},  # a channel never seen
            {"Event": "QueueCallerJoin", "Queue": "locatel"},  # no channel at all
            {"Event": "SomethingNew", "Linkedid": "5.1"},
            newchannel("5.1", "5.1"),
            newchannel("5.1", "5.1"),
            join,
            join,
            hangup("5.1", "5.1"),
            {"Event": "AgentConnect", **channel("5.1", "5.1", "PJSIP/t"), "Queue": "locatel"},
            newchannel("5.1", "5.1"),
        )
        await harness.settle()
        await until(lambda: "call.ended" in harness.types())
        assert [e.type for e in harness.of_call("5.1")] == [
            "call.started",
            "call.queued",
            "call.ended",
        ]
        assert harness.of_call("5.1")[1].position is None
        assert (await harness.bridge.send("locatel", "Ping")).success


async def test_recording_and_folio_of_a_call_are_tied_to_its_record(
    fake_ami: FakeAmi, engine: Engine
) -> None:
    async with Harness(port=fake_ami.port, secret=fake_ami.secret, engine=engine) as harness:
        await harness.link.connected.wait()
        recording = {**newchannel("6.1", "6.1"), "Event": "Newexten", "Application": "Queue"}
        recording["ChanVariable"] = "SUAC_GRABACION=/grabaciones/6.1.wav"
        await fake_ami.push(newchannel("6.1", "6.1"), recording)
        await until(lambda: "call.recording_started" in harness.types())
        await harness.settle()
        for call_id in ("6.1", "CA0123"):  # an Asterisk call; a Twilio call
            await harness.bus.publish(
                RequestRegistered(
                    folio="2600012349",
                    catalogue_code="AGU-001",
                    channel="agent",
                    status="assigned",
                    call_id=call_id,
                )
            )
        await asyncio.sleep(0.05)
        await harness.settle()
    with Session(engine) as session:
        record = session.get(CallRecord, "6.1")
        assert (record.folios, record.recording) == (["2600012349"], "/grabaciones/6.1.wav")
        # the recorder serves every transport: the Twilio call's record gets its folio too
        assert session.get(CallRecord, "CA0123").folios == ["2600012349"]
