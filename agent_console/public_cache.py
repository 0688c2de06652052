"""A short-lived cache for the public pages' data, one per web process.

Public pages show the same figures to everyone, so each distinct view (a period's statistics,
the board's latest requests with a filter) is computed once per ``seconds`` and shared; while
it is being computed, other requests for it wait for that one computation instead of starting
their own::

    cache = PublicCache(seconds=15)
    figures = await cache.get(("estadisticas", start, end), lambda: compute(start, end))
    page = await kept_response(cache, ("tablero.html", filters), render_the_page)
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.responses import Response

T = TypeVar("T")
log = logging.getLogger(__name__)


class PublicCache:
    """Values by key for ``seconds``, at most ``size`` keys (the least recently used go).

    A value that expired less than ``seconds`` ago is still served while its new one is
    computed in the background, so nobody waits for a recomputation that others started; an
    older one is recomputed before it is served."""

    def __init__(
        self, *, seconds: float, size: int = 512, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._seconds, self._size, self._clock = seconds, size, clock
        self._values: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._pending: dict[Hashable, asyncio.Future[Any]] = {}
        self._refreshing: set[asyncio.Task[Any]] = set()
        self._outdated: set[Hashable] = set()  # forgotten while being computed: not kept

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        """The value of ``key``, computing it (once, whoever asks meanwhile) if needed."""
        now = self._clock()
        found = self._values.get(key)
        if found is not None and found[0] + self._seconds > now:
            self._values.move_to_end(key)
            if found[0] <= now and key not in self._pending:
                self._refresh(key, compute)
            return found[1]  # type: ignore[no-any-return]
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)  # type: ignore[no-any-return]
        return await self._compute(key, self._claim(key), compute)

    def _claim(self, key: Hashable) -> asyncio.Future[Any]:
        """The future of ``key``'s computation about to start, that others may await."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        return future

    def _refresh(self, key: Hashable, compute: Callable[[], Awaitable[Any]]) -> None:
        task = asyncio.create_task(self._compute(key, self._claim(key), compute))
        self._refreshing.add(task)
        task.add_done_callback(self._refreshed)

    def _refreshed(self, task: asyncio.Task[Any]) -> None:
        self._refreshing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("no se pudo renovar una vista pública", exc_info=task.exception())

    async def _compute(
        self, key: Hashable, future: asyncio.Future[Any], compute: Callable[[], Awaitable[T]]
    ) -> T:
        try:
            value = await compute()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it as lost
            self._values.pop(key, None)  # the next one to ask computes it (and sees the error)
            raise
        finally:
            self._pending.pop(key, None)
        future.set_result(value)
        if key in self._outdated:
            self._outdated.discard(key)
        elif self._seconds > 0:
            self._values[key] = (self._clock() + self._seconds, value)
            self._values.move_to_end(key)
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value

    def forget(self, key: Hashable) -> None:
        """Drop ``key``'s value (what it stood for changed), and the one being computed."""
        self._values.pop(key, None)
        if key in self._pending:
            self._outdated.add(key)

    def clear(self) -> None:
        """Forget every value (a test, or data that changed under the cache)."""
        self._values.clear()


@dataclass(frozen=True)
class KeptResponse:
    """A response's bytes and headers, kept to answer everyone who asks the same thing."""

    content: bytes
    media_type: str
    headers: dict[str, str]

    def response(self) -> Response:
        """A new response with the kept bytes and headers."""
        return Response(self.content, media_type=self.media_type, headers=self.headers)


async def kept_response(
    cache: PublicCache, key: Hashable, build: Callable[[], Awaitable[Response]]
) -> Response:
    """``build``'s response, built once per ``cache`` lifetime and served to everyone asking
    (a public page rendered once, not once per visitor)."""

    async def compute() -> KeptResponse:
        response = await build()
        headers = {k: v for k, v in response.headers.items() if k != "content-length"}
        return KeptResponse(bytes(response.body), response.media_type or "", headers)

    kept: KeptResponse = await cache.get(key, compute)
    return kept.response()
