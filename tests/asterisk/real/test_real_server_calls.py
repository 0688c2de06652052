"""Calls on a real Asterisk 22 (``../shared/asterisk/server``) running the rendered
configuration, watched through the telephony role's AMI bridge: a call whose legs carry the
recording's variable (manager.conf ``channelvars``) ends, and the queue's figures keep moving
while a caller waits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from ivr.asterisk import constants as names
from models.events import BaseEvent, CallEnded, CallQueued, QueueSnapshot
from suac.container import Container

from .test_real_server import asterisk_env, telephony  # noqa: F401  (the fixtures)

WAIT_SECONDS = 20


async def queued_caller(telephony: Container) -> None:  # noqa: F811
    """A caller (a Local channel) that waits in the queue with its recording's variable set
    and inherited, as the dialplan sets it (``__SUAC_GRABACION``): every leg carries it."""
    link = telephony.asterisk.bridge.links["real"]
    assert link.connection is not None
    answer = await link.connection.send(
        "Originate",
        Channel=f"Local/{names.EXTEN_START}@{names.CONTEXT_QUEUE}",
        Application="Wait",
        Data=str(WAIT_SECONDS),
        Variable=f"__{names.VAR_RECORDING}=/tmp/suac-prueba.wav",
        CallerID="5512345678",
        Async="true",
    )
    assert answer.success, answer.message


async def until(events: AsyncIterator[BaseEvent], wanted: type, seconds: float) -> list:
    """Events up to the first of type ``wanted`` (the last one)."""
    seen: list = []
    async with asyncio.timeout(seconds):
        async for event in events:
            seen.append(event)
            if isinstance(event, wanted):
                return seen
    return seen


async def test_a_queued_call_whose_legs_carry_channel_variables_ends(
    telephony: Container,  # noqa: F811
) -> None:
    async with telephony.bus.subscribe() as events:
        await queued_caller(telephony)
        queued = (await until(events, CallQueued, 10))[-1]
        waiting = [
            e
            for e in await until(events, QueueSnapshot, 10) + await until(events, QueueSnapshot, 10)
            if isinstance(e, QueueSnapshot)
        ]
        link = telephony.asterisk.bridge.links["real"]
        assert link.connection is not None
        channels = await link.connection.send("CoreShowChannels", as_list=True)
        caller = next(i for i in channels.items if i.get("Linkedid") == queued.call_id)
        await link.connection.send("Hangup", Channel=caller["Channel"])  # both halves go
        ended = [e for e in await until(events, CallEnded, 10) if isinstance(e, CallEnded)]
        after = [e for e in await until(events, QueueSnapshot, 10) if isinstance(e, QueueSnapshot)]
    assert [(e.call_id, e.status) for e in ended] == [(queued.call_id, "abandoned")]
    assert queued.call_id not in link.tracker.active_calls
    # the figures moved while the caller waited, with no event from Asterisk: the refresh
    first, later = waiting[0], waiting[-1]
    assert (first.waiting, later.waiting) == (1, 1)
    assert later.longest_wait_seconds > first.longest_wait_seconds
    assert after[-1].waiting == 0
