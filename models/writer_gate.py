"""One SQLite writer at a time in this process.

SQLite's own busy handler backs off by sleeping (1 ms, 2 ms, 5 ms … up to 100 ms), which
under load costs far more than the write itself, so the writers of one process queue here
first. A thread waits for the gate blocking; work on the event loop waits asynchronously,
woken when the gate is released (by whichever thread commits), so the loop serves others
meanwhile and the gate is never held while a woken waiter is still to be scheduled.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from models.cancellation import wait_at_most


class WriterGate:
    """A lock taken by a write transaction's begin and released at its end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._guard = threading.Lock()
        self._sleepers: list[asyncio.Future[None]] = []

    def try_acquire(self) -> bool:
        """Take the gate if it is free."""
        return self._lock.acquire(blocking=False)

    def acquire(self, seconds: float) -> bool:
        """Wait up to ``seconds`` (blocking this thread) for the gate."""
        return self._lock.acquire(timeout=max(seconds, 0.0))

    async def acquire_async(self, seconds: float) -> bool:
        """Wait up to ``seconds`` on the running event loop (no thread) for the gate."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self._lock.acquire(blocking=False):
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            released = loop.create_future()
            with self._guard:
                self._sleepers.append(released)
            try:
                if self._lock.acquire(blocking=False):  # released before we listened
                    return True
                await wait_at_most(released, remaining)
            finally:
                with self._guard:
                    if released in self._sleepers:
                        self._sleepers.remove(released)
        return True

    def release(self) -> None:
        """Free the gate and wake the loops' waiters (each tries again)."""
        self._lock.release()
        if not self._sleepers:
            return
        with self._guard:
            sleepers, self._sleepers = self._sleepers, []
        for released in sleepers:
            with contextlib.suppress(RuntimeError):  # its loop closed: nobody left to wake
                released.get_loop().call_soon_threadsafe(_wake, released)


def _wake(released: asyncio.Future[None]) -> None:
    if not released.done():
        released.set_result(None)
