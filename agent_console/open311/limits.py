"""Open311 allowances: requests created per API key, calls read per client address.

Counted by the ``limits`` library over a moving window, in this process's memory or, with
``SUAC_REDIS_URL``, in Redis (shared by every web process). The client is the connection's
address (``X-Forwarded-For`` counts only from the trusted proxies of
``SUAC_PUBLIC__TRUSTED_PROXIES``).
"""

from __future__ import annotations

from limits import RateLimitItem, parse_many

from ivr.flow.limits import moving_window, refused_for, storage_uri
from models.config import PublicSettings
from models.errors import DomainError

NAMESPACE = "open311"


class TooManyCalls(DomainError):
    """An allowance is used up; ``retry_after`` seconds until a call is allowed again."""

    error_id = "too-many-calls"
    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}


class Open311Limiter:
    """The API's allowances (``open311_requests_per_key``, ``open311_reads_per_client``)."""

    def __init__(self, settings: PublicSettings, *, redis_url: str) -> None:
        self._limiter = moving_window(storage_uri(redis_url))
        self._per_key = parse_many(settings.open311_requests_per_key)
        self._per_client = parse_many(settings.open311_reads_per_client)

    async def _hit(self, items: list[RateLimitItem], message: str, *identifiers: str) -> None:
        wait = await refused_for(self._limiter, items, NAMESPACE, *identifiers)
        if wait:
            raise TooManyCalls(message, retry_after=wait)

    async def create(self, key_prefix: str) -> None:
        """Count one request created with the key; :class:`TooManyCalls` past its allowance."""
        message = "Esta api_key alcanzó su límite de solicitudes. Espere e inténtelo más tarde."
        await self._hit(self._per_key, message, "key", key_prefix)

    async def read(self, client: str) -> None:
        """Count one read from ``client``; :class:`TooManyCalls` past its allowance."""
        message = "Demasiadas consultas. Espere un momento e inténtelo de nuevo."
        await self._hit(self._per_client, message, "client", client[:64])
