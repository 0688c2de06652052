"""Waiting with a time limit never loses the waiter's cancellation (Python 3.11's wait_for does)."""

from __future__ import annotations

import asyncio

import pytest

from models.cancellation import wait_at_most


async def test_a_cancel_that_comes_with_the_awaited_event_still_cancels() -> None:
    """The job worker's idle wait: woken and stopped at once, it must stop."""
    event = asyncio.Event()
    waiter = asyncio.create_task(wait_at_most(event.wait(), 60))
    await asyncio.sleep(0)
    event.set()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter


async def test_it_tells_whether_the_wait_ended_in_time() -> None:
    event = asyncio.Event()
    assert await wait_at_most(event.wait(), 0.01) is False
    asyncio.get_running_loop().call_soon(event.set)
    assert await wait_at_most(event.wait(), 5) is True
