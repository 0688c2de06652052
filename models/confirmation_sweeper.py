"""Closes answered requests whose citizen did not confirm within the window, periodically.

The 72-hour confirmation of the 0311 system ends by itself: this task runs
``RequestService.close_unconfirmed`` every ``interval`` seconds for as long as the process
lives. Several processes may run it at once: each sweep locks the rows it closes, and a row
closed by one sweep no longer matches the next.

    sweeper = ConfirmationSweeper(requests=service, interval=300)
    sweeper.start()
    ...
    await sweeper.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from models.request_service import RequestService

log = logging.getLogger(__name__)


class ConfirmationSweeper:
    """A background task that closes lapsed confirmations."""

    def __init__(self, *, requests: RequestService, interval: float) -> None:
        self._requests = requests
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    async def sweep(self) -> list[str]:
        """One pass: the folios it closed (a failure is logged and the task goes on)."""
        try:
            closed = await self._requests.close_unconfirmed()
        except Exception:
            log.exception("the confirmation sweep failed; it will run again")
            return []
        if closed:
            log.info("closed %d requests without the citizen's confirmation", len(closed))
        return closed

    async def _run(self) -> None:
        while True:
            await self.sweep()
            await asyncio.sleep(self._interval)

    def start(self) -> None:
        """Start sweeping now and every ``interval`` seconds."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="confirmation-sweeper")

    async def stop(self) -> None:
        """Stop the task."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
