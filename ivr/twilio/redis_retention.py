"""The Redis call state past the retention period (``SUAC_RETENTION_DAYS``).

Each call's (and text conversation's) hash expires a day after it was made; a hash written
again after it expired (a late webhook, a media stream's last result) has no expiry. The sweep
deletes such a hash once it is older than the period (or carries no date), and gives a younger
one the usual expiry, cut to when the period ends::

    forgotten = await forget_old_calls("redis://localhost:6379/0", before=cutoff)
"""

from __future__ import annotations

from datetime import datetime

from ivr.twilio.redis_store import KEY_PREFIX, TTL_SECONDS

NO_EXPIRY = -1  # TTL's answer for a key that never expires


def _made_at(created_at: str | bytes | None) -> datetime | None:
    """When a hash was made (its ``created_at``, ISO 8601), or None when it does not say."""
    try:
        return datetime.fromisoformat(created_at) if isinstance(created_at, str) else None
    except ValueError:
        return None


async def forget_old_calls(url: str, *, before: datetime) -> int:
    """Delete the call hashes without expiry made before ``before`` (or undated), and let the
    others expire within a day and never past the period; how many were deleted."""
    import redis.asyncio as redis

    client = redis.from_url(url, decode_responses=True)
    forgotten = 0
    try:
        async for key in client.scan_iter(match=f"{KEY_PREFIX}*", count=500):
            if await client.ttl(key) != NO_EXPIRY:
                continue
            made = _made_at(await client.hget(key, "created_at"))
            if made is None or made < before:
                forgotten += await client.delete(key)
            else:
                left = int((made - before).total_seconds())
                await client.expire(key, max(1, min(TTL_SECONDS, left)))
    finally:
        await client.aclose()
    return forgotten
