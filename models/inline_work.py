"""Blocking database work run inline on the event loop, able to await when it must wait.

An embedded SQLite transaction costs tens of microseconds, less than a hop to a worker thread,
so the work runs right on the loop (``run_inline``). Should it meet a lock, it must not block
the loop: the work is a greenlet, so the code that meets the lock hands an awaitable to the
loop (``await_on_loop``) and is resumed with its result, while nothing done before is run
again (the work may already have committed a transaction). SQLAlchemy's asyncio layer bridges
sync code the same way; its helpers are internal, so this module holds the few lines needed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar, cast

from anyio import CancelScope, to_thread
from greenlet import getcurrent, greenlet

T = TypeVar("T")


class _Inline(greenlet):  # type: ignore[misc]  # greenlet ships no usable stubs for subclassing
    """Work running on the event loop's thread, suspended while the loop awaits for it."""


async def run_inline(work: Callable[[], T]) -> T:
    """Run ``work`` here, on the loop, awaiting whatever it hands over with ``await_on_loop``.

    >>> asyncio.run(run_inline(lambda: 6 * 7))
    42
    """
    child = _Inline(work)
    child.gr_context = getcurrent().gr_context  # the caller's context variables
    request = child.switch()
    while not child.dead:
        try:
            answer = await request()
        except BaseException as error:  # noqa: BLE001  (handed back to the work, which raises)
            request = child.throw(error)
        else:
            request = child.switch(answer)
    return cast(T, request)


def on_the_loop() -> bool:
    """True inside work that ``run_inline`` runs."""
    return isinstance(getcurrent(), _Inline)


def await_on_loop(awaitable: Callable[[], Awaitable[T]]) -> T:
    """From inline work: suspend it until the loop has awaited ``awaitable()``; its result."""
    return cast(T, getcurrent().parent.switch(awaitable))


def in_thread(wait: Callable[[], T]) -> T:
    """Run ``wait`` in a worker thread when called from inline work, here otherwise."""
    if on_the_loop():
        return await_on_loop(lambda: _thread(wait))
    return wait()


async def _thread(wait: Callable[[], T]) -> T:
    """``wait`` in a worker thread; cancelled, it still lets the thread finish first, since the
    work must undo what the thread did (a transaction begun, the gate taken) before it ends."""
    job = asyncio.ensure_future(to_thread.run_sync(wait))
    try:
        return await asyncio.shield(job)
    except asyncio.CancelledError:
        with CancelScope(shield=True):
            await asyncio.wait([job])
        raise
