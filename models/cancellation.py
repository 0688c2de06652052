"""Waiting with a time limit without losing a task's cancellation (Python 3.11).

On 3.11 ``asyncio.wait_for`` returns the result and drops the cancellation when the awaited
thing finishes as the task is cancelled, and ``asyncio.timeout`` turns a cancellation into
``TimeoutError`` when its deadline falls due at the same moment. A loop that runs until it
is cancelled then runs on, and its owner's shutdown waits for ever.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable


def raise_if_cancelled() -> None:
    """Re-raise a cancellation that a caught ``TimeoutError`` hid (call it in such handlers)."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def wait_at_most(awaitable: Awaitable[object], seconds: float) -> bool:
    """Whether ``awaitable`` finished within ``seconds``; cancelling the caller always cancels."""
    try:
        async with asyncio.timeout(seconds):
            await awaitable
    except TimeoutError:
        raise_if_cancelled()
        return False
    return True
