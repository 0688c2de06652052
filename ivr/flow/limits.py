"""Per-number limits on folio status look-ups, so folios cannot be enumerated.

Folios are a year, a sequence and a check digit: easy to guess. Every status look-up, by voice
or by message, is counted per caller (SMS sender, WhatsApp address or calling number) over a
moving hour; past ``per_hour`` the caller is refused (by message) or handed to an agent (by
phone), in E.164 so that "55 1234 5678" and "+525512345678" are one number. Withheld numbers
share one allowance. The counting is the ``limits`` library's (atomic),
in memory or, with ``SUAC_REDIS_URL``, in Redis, shared by every process::

    limiter = QueryLimiter(per_hour=5, storage=storage_uri(settings.redis_url))
    if await limiter.allow("+5215512345678"):
        ...
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable

from limits import RateLimitItem, RateLimitItemPerHour
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from ivr.phones import to_e164

WITHHELD = "anonimo"
NAMESPACE = "suac-folio-lookups"


def storage_uri(redis_url: str) -> str:
    """The ``limits`` async storage: Redis when one is configured, else this process's memory.

    >>> storage_uri(""), storage_uri("redis://cache:6379/0")
    ('async+memory://', 'async+redis://cache:6379/0')
    """
    return f"async+{redis_url}" if redis_url else "async+memory://"


def moving_window(storage: str) -> MovingWindowRateLimiter:
    """A moving-window limiter on ``storage`` (a :func:`storage_uri`), Redis through redis-py."""
    options = {"implementation": "redispy"} if "redis" in storage else {}
    return MovingWindowRateLimiter(storage_from_string(storage, **options))


async def refused_for(
    limiter: MovingWindowRateLimiter, items: Iterable[RateLimitItem], *identifiers: str
) -> int:
    """Count one hit against every allowance in ``items``; the whole seconds until all of them
    allow one again when any refused it (0: none refused)."""
    refused = [item for item in items if not await limiter.hit(item, *identifiers)]
    if not refused:
        return 0
    resets = [(await limiter.get_window_stats(i, *identifiers)).reset_time for i in refused]
    return max(1, math.ceil(max(resets) - time.time()))


class QueryLimiter:
    """Counts status look-ups per number over a moving hour."""

    def __init__(self, *, per_hour: int, storage: str = "async+memory://") -> None:
        self._limiter = moving_window(storage)
        self._allowance = RateLimitItemPerHour(per_hour, namespace=NAMESPACE)

    async def allow(self, sender: str) -> bool:
        """Count this look-up; False when ``sender`` used up its hourly allowance."""
        return await self._limiter.hit(self._allowance, (to_e164(sender or "") or WITHHELD)[:64])
