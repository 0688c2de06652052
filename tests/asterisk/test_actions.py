"""Actions for the rest of the system, each reporting Asterisk's answer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ivr.asterisk.actions import AsteriskActions
from ivr.asterisk.errors import AmiActionTimeout, AmiBadAction, AmiConnectionFailed

from .fake_ami import FakeAmi, channel
from .harness import Harness


@pytest.fixture
async def actions(fake_ami: FakeAmi) -> AsyncIterator[AsteriskActions]:
    async with Harness(port=fake_ami.port, secret=fake_ami.secret, timeout=0.5) as harness:
        await harness.link.connected.wait()
        yield AsteriskActions(bridge=harness.bridge, queue="locatel")


async def test_pause_and_unpause_with_reason(actions: AsteriskActions, fake_ami: FakeAmi) -> None:
    fake_ami.members = [{"Queue": "locatel", "Interface": "PJSIP/1001", "Status": "1"}]
    paused = await actions.pause("PJSIP/1001", reason="comida")
    assert (paused.ok, paused.message) == (True, "Interface paused successfully")
    sent = fake_ami.received[-1]
    assert (sent["Action"], sent["Paused"], sent["Reason"], sent["Queue"]) == (
        "QueuePause",
        "true",
        "comida",
        "locatel",
    )
    assert fake_ami.members[0]["Paused"] == "1"
    unpaused = await actions.unpause("PJSIP/1001", reason="regreso")
    assert unpaused.ok and fake_ami.received[-1]["Paused"] == "false"
    missing = await actions.pause("PJSIP/1009", reason="comida")
    assert (missing.ok, missing.message) == (False, "Interface not found")


async def test_queue_membership(actions: AsteriskActions, fake_ami: FakeAmi) -> None:
    added = await actions.add_member("PJSIP/1001", name="Ana López")
    assert added.message == "Added interface to queue"
    assert fake_ami.received[-1]["MemberName"] == "Ana López"
    again = await actions.add_member("PJSIP/1001")
    assert (again.ok, again.message) == (False, "Unable to add interface: Already there")
    removed = await actions.remove_member("PJSIP/1001")
    assert removed.ok and fake_ami.received[-1]["Action"] == "QueueRemove"
    assert fake_ami.members == []


async def test_callback_originates_through_the_trunk_into_the_queue(
    actions: AsteriskActions, fake_ami: FakeAmi
) -> None:
    result = await actions.originate("+525512345678", caller_id="0311", call_id="1795555768.0")
    assert result.ok
    sent = fake_ami.received[-1]
    assert (sent["Channel"], sent["Context"], sent["Exten"], sent["Variable"]) == (
        "PJSIP/+525512345678@trunk",
        "locatel-cola",
        "s",
        "SUAC_LLAMADA=1795555768.0",
    )
    with pytest.raises(AmiBadAction):
        await actions.originate("55-1234", caller_id="0311")


async def test_queue_log_line(actions: AsteriskActions, fake_ami: FakeAmi) -> None:
    result = await actions.queue_log(
        "WRAPUP", message="FUGA DE AGUA", interface="PJSIP/1001", uniqueid="1795555768.0"
    )
    assert result.ok
    sent = fake_ami.received[-1]
    assert (sent["Action"], sent["Queue"], sent["Event"], sent["Uniqueid"], sent["Message"]) == (
        "QueueLog",
        "locatel",
        "WRAPUP",
        "1795555768.0",
        "FUGA DE AGUA",
    )


@pytest.mark.parametrize(
    ("mode", "options"), [("escuchar", "qES"), ("susurrar", "qwES"), ("intervenir", "qBES")]
)
async def test_supervisor_spy_originates_the_supervisor_into_chanspy(
    actions: AsteriskActions, fake_ami: FakeAmi, mode: str, options: str
) -> None:
    result = await actions.spy(
        supervisor="PJSIP/1900", agent="PJSIP/1001", mode=mode, channel_id="suac-escucha-1"
    )
    assert result.ok and result.message == "Originate successfully queued"
    sent = fake_ami.received[-1]
    # the agent's own channels only ("PJSIP/1001-…", never "PJSIP/10010-…"); the spy ends
    # with the spied call: listen, whisper (to the agent) and barge (to both)
    assert (sent["Channel"], sent["Application"], sent["Data"], sent["ChannelId"]) == (
        "PJSIP/1900",
        "ChanSpy",
        f"PJSIP/1001-,{options}",
        "suac-escucha-1",
    )
    assert sent["Async"] == "true" and "Context" not in sent


async def test_redirect_into_status_reading(actions: AsteriskActions, fake_ami: FakeAmi) -> None:
    result = await actions.read_status("PJSIP/trunk-0001", folio="2600012349")
    assert result.ok
    sent = fake_ami.received[-1]
    assert (sent["Context"], sent["Exten"], sent["Priority"]) == (
        "locatel-estado",
        "2600012349",
        "1",
    )


async def test_refusals_are_reported_with_asterisk_message(
    actions: AsteriskActions, fake_ami: FakeAmi
) -> None:
    missing = await actions.hangup("PJSIP/nadie-0001")
    assert (missing.ok, missing.message) == (False, "No such channel")
    fake_ami.channels = [channel("1.1", "1.1", "PJSIP/trunk-0001")]
    assert (await actions.hangup("PJSIP/trunk-0001")).message == "Channel Hungup"


async def test_bad_input_never_reaches_asterisk(
    actions: AsteriskActions, fake_ami: FakeAmi
) -> None:
    count = len(fake_ami.received)
    with pytest.raises(AmiBadAction):
        await actions.spy(
            supervisor="PJSIP/1900", agent="PJSIP/1001", mode="grabar", channel_id="suac-escucha-1"
        )
    with pytest.raises(AmiBadAction):
        await actions.spy(
            supervisor="PJSIP/1900",
            agent="PJSIP/1001,qB",
            mode="escuchar",
            channel_id="suac-escucha-1",
        )
    with pytest.raises(AmiBadAction):
        await actions.spy(
            supervisor="PJSIP/1900", agent="PJSIP/1001", mode="escuchar", channel_id="1795.1"
        )
    with pytest.raises(AmiBadAction):
        await actions.pause("PJSIP/1001", reason="x\r\nAction: Hangup")
    with pytest.raises(AmiBadAction):
        await actions.read_status("PJSIP/t-1", folio="12;3")
    assert len(fake_ami.received) == count


async def test_silence_and_disconnection_raise(actions: AsteriskActions, fake_ami: FakeAmi) -> None:
    fake_ami.answers["QueuePause"] = lambda action: []
    with pytest.raises(AmiActionTimeout):
        await actions.pause("PJSIP/1001", reason="comida")
    await fake_ami.close()
    with pytest.raises(AmiConnectionFailed):
        await actions.unpause("PJSIP/1001")
