"""The event bus, in process and across processes through a real Redis."""

from __future__ import annotations

import asyncio

import pytest

from models.bus import InProcessBus, RedisBus
from models.events import CallStarted, RequestStatusChanged, decode_event


async def test_in_process_fan_out() -> None:
    bus = InProcessBus()
    async with bus.subscribe() as first, bus.subscribe() as second:
        await bus.publish(CallStarted(call_id="c1", transport="asterisk"))
        assert (await anext(first)).call_id == "c1"
        assert (await anext(second)).call_id == "c1"
    await bus.publish(CallStarted(call_id="c2", transport="asterisk"))  # nobody listens: fine


def test_events_decode_by_type() -> None:
    event = RequestStatusChanged(
        folio="2600012349", from_status="assigned", to_status="in_progress", actor="x"
    )
    assert decode_event(event.model_dump_json()) == event
    with pytest.raises(ValueError):
        decode_event('{"type": "call.unknown"}')


@pytest.mark.redis
async def test_redis_bus_spans_connections(redis_url: str) -> None:
    publisher, subscriber = RedisBus(url=redis_url), RedisBus(url=redis_url)
    try:
        async with subscriber.subscribe() as events:
            await publisher.publish(CallStarted(call_id="r1", transport="twilio"))
            event = await asyncio.wait_for(anext(events), timeout=5)
        assert isinstance(event, CallStarted) and event.call_id == "r1"
    finally:
        await publisher.close()
        await subscriber.close()


async def test_a_cancellation_hidden_by_a_time_out_is_raised_again() -> None:
    """Python 3.11's asyncio.timeout can turn our cancellation into TimeoutError; a retry
    loop that catches it must still stop."""
    from models.cancellation import raise_if_cancelled

    async def retry_loop() -> None:
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                # what asyncio.timeout does when its deadline falls due with our cancel
                try:
                    raise TimeoutError from None
                except TimeoutError:
                    raise_if_cancelled()

    task = asyncio.create_task(retry_loop())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 2)
