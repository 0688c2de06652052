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
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.responses import Response

T = TypeVar("T")


class PublicCache:
    """Values by key for ``seconds``, at most ``size`` keys (the least recently used go)."""

    def __init__(self, *, seconds: float, size: int = 512) -> None:
        self._seconds, self._size = seconds, size
        self._values: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._pending: dict[Hashable, asyncio.Future[Any]] = {}

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        """The fresh value of ``key``, computing it (once, whoever asks meanwhile) if needed."""
        now = time.monotonic()
        found = self._values.get(key)
        if found is not None and found[0] > now:
            self._values.move_to_end(key)
            return found[1]  # type: ignore[no-any-return]
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)  # type: ignore[no-any-return]
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            value = await compute()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it as lost
            raise
        finally:
            self._pending.pop(key, None)
        future.set_result(value)
        if self._seconds > 0:
            self._values[key] = (time.monotonic() + self._seconds, value)
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value

    def forget(self, key: Hashable) -> None:
        """Drop ``key``'s value (what it stood for changed)."""
        self._values.pop(key, None)

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
