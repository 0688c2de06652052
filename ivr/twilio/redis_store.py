"""Call state in Redis, when ``SUAC_REDIS_URL`` is set: the same contract as
:class:`ivr.twilio.call_store.CallStore`, one hash per call, claims made atomic by a Lua script.

Every worker process (and every host behind the load balancer) sees the same state, and a
retried webhook is answered from the stored response exactly as with the database store; a
claim older than the lease is taken over the same way (times are the workers' clocks, as
seconds since the epoch).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis.typing import EncodableT, FieldT

from ivr.twilio.call_store import LEASE, Claim, media_for, media_payload, take_turn
from models.db_types import utcnow
from models.ivr_sessions import IvrSession

KEY_PREFIX = "suac:ivr:call:"
TTL_SECONDS = 24 * 3600
MAX_CONNECTIONS = 64
# KEYS[1] call hash; ARGV[1] seq, ARGV[2] now, ARGV[3] when a claim taken earlier lapsed.
# Claim turn seq+1 when it is free or its claim lapsed, else say so.
CLAIM = """
local seq = redis.call('HGET', KEYS[1], 'seq')
if not seq then return {'missing'} end
local claimed = redis.call('HGET', KEYS[1], 'claimed_seq')
if not claimed then return {'held'} end
local turn = tonumber(ARGV[1])
local at = tonumber(redis.call('HGET', KEYS[1], 'claimed_at') or '0')
if tonumber(seq) == turn and (tonumber(claimed) == turn or at <= tonumber(ARGV[3])) then
  redis.call('HSET', KEYS[1], 'claimed_seq', turn + 1, 'claimed_at', ARGV[2])
  return {'claimed', redis.call('HGET', KEYS[1], 'state')}
end
return {'held'}
"""
# KEYS[1] call hash; ARGV seq, state, response. Save turn seq+1 unless it was saved already;
# return the answer that stands.
SAVE = """
local seq = redis.call('HGET', KEYS[1], 'seq')
if not seq then return ARGV[3] end
if tonumber(seq) ~= tonumber(ARGV[1]) then
  return redis.call('HGET', KEYS[1], 'last_response')
end
local turn = tonumber(ARGV[1]) + 1
redis.call('HSET', KEYS[1], 'seq', turn, 'state', ARGV[2], 'last_response', ARGV[3])
return ARGV[3]
"""


class RedisCallStore:
    """Stores each live call's flow state and last answer in Redis."""

    def __init__(self, *, url: str, lease: timedelta = LEASE) -> None:
        import redis.asyncio as redis

        # a blocking pool makes a burst of calls wait for a connection instead of failing
        pool = redis.BlockingConnectionPool.from_url(
            url, max_connections=MAX_CONNECTIONS, timeout=10, decode_responses=True
        )
        self._redis = redis.Redis(connection_pool=pool)
        self._claim = self._redis.register_script(CLAIM)
        self._save = self._redis.register_script(SAVE)
        self._lease = lease

    @staticmethod
    def _key(call_id: str) -> str:
        return KEY_PREFIX + call_id

    async def create(self, call_id: str, *, state: str, response: str) -> str:
        """Store a new call at turn 1; a retried first webhook gets the first answer again."""
        key = self._key(call_id)
        fields: dict[FieldT, EncodableT] = {
            "seq": 1,
            "claimed_seq": 1,
            "state": state,
            "last_response": response,
        }
        created = await self._redis.hsetnx(key, "seq", 1)
        if not created:
            return str(await self._redis.hget(key, "last_response") or response)
        await self._redis.hset(key, mapping=fields | {"created_at": utcnow().isoformat()})
        await self._redis.expire(key, TTL_SECONDS)
        return response

    async def claim(self, call_id: str, *, seq: int) -> Claim:
        """Claim turn ``seq + 1``; if it was served (or is being served), its answer."""

        async def grab() -> Claim | None:
            now = datetime.now(UTC).timestamp()
            lapsed = now - self._lease.total_seconds()
            outcome = await self._claim(keys=[self._key(call_id)], args=[seq, now, lapsed])
            if outcome[0] == "missing":
                return Claim(found=False)
            return Claim(state=outcome[1]) if outcome[0] == "claimed" else None

        return await take_turn(grab, self.load, call_id, seq, self._lease)

    async def load(self, call_id: str) -> IvrSession | None:
        """The stored call, if any (as the same model the database store returns)."""
        data = await self._redis.hgetall(self._key(call_id))
        if not data:
            return None
        return IvrSession(
            call_id=call_id,
            seq=int(data.get("seq", 0)),
            claimed_seq=int(data.get("claimed_seq", 0)),
            claimed_at=datetime.fromtimestamp(float(data["claimed_at"]), UTC)
            if "claimed_at" in data
            else None,
            state=str(data.get("state", "")),
            last_response=str(data.get("last_response", "")),
            media_input=str(data.get("media_input", "")),
        )

    async def save(self, call_id: str, *, seq: int, state: str, response: str) -> str:
        """Record turn ``seq + 1`` as served, with the state it leaves, unless it already was
        (by a worker that took an expired claim over): the answer that stands is returned."""
        stands = await self._save(keys=[self._key(call_id)], args=[seq, state, response])
        return str(stands)

    async def put_state(self, call_id: str, *, state: str) -> None:
        """Replace the state without serving a turn (after a hang-up)."""
        if await self._redis.exists(self._key(call_id)):
            await self._redis.hset(self._key(call_id), "state", state)

    async def put_media(
        self, call_id: str, *, seq: int, speech: str, digits: str, seconds: float | None = None
    ) -> None:
        """Keep what a media stream heard at turn ``seq``."""
        payload = media_payload(seq, speech, digits, seconds)
        await self._redis.hset(self._key(call_id), "media_input", payload)

    async def media(self, call_id: str, *, seq: int) -> tuple[str, str, float | None]:
        """The (speech, digits, seconds) a media stream stored for turn ``seq``."""
        raw = await self._redis.hget(self._key(call_id), "media_input")
        return media_for(None if raw is None else str(raw), seq)

    async def close(self) -> None:
        """Release the connection pool."""
        await self._redis.aclose()
