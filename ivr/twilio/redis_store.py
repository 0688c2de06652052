"""Call state in Redis, when ``SUAC_REDIS_URL`` is set: the same contract as
:class:`ivr.twilio.call_store.CallStore`, one hash per call, claims made atomic by a Lua script.

Every worker process (and every host behind the load balancer) sees the same state, and a
retried webhook is answered from the stored response exactly as with the database store.
"""

from __future__ import annotations

from redis.typing import EncodableT, FieldT

from ivr.twilio.call_store import Claim, media_for, media_payload, wait_until_served
from models.db_types import utcnow
from models.ivr_sessions import IvrSession

KEY_PREFIX = "suac:ivr:call:"
TTL_SECONDS = 24 * 3600
MAX_CONNECTIONS = 64
# KEYS[1] call hash; ARGV[1] seq. Claim turn seq+1 when it is free, else say what is there.
CLAIM = """
local seq = redis.call('HGET', KEYS[1], 'seq')
if not seq then return {'missing'} end
local claimed = redis.call('HGET', KEYS[1], 'claimed_seq')
if tonumber(seq) == tonumber(ARGV[1]) and tonumber(claimed) == tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'claimed_seq', tonumber(ARGV[1]) + 1)
  return {'claimed', redis.call('HGET', KEYS[1], 'state')}
end
return {'served'}
"""


class RedisCallStore:
    """Stores each live call's flow state and last answer in Redis."""

    def __init__(self, *, url: str) -> None:
        import redis.asyncio as redis

        # a blocking pool makes a burst of calls wait for a connection instead of failing
        pool = redis.BlockingConnectionPool.from_url(
            url, max_connections=MAX_CONNECTIONS, timeout=10, decode_responses=True
        )
        self._redis = redis.Redis(connection_pool=pool)
        self._claim = self._redis.register_script(CLAIM)

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
        outcome = await self._claim(keys=[self._key(call_id)], args=[seq])
        if outcome[0] == "missing":
            return Claim(found=False)
        if outcome[0] == "claimed":
            return Claim(state=outcome[1])
        return Claim(response=await wait_until_served(self.load, call_id, seq))

    async def load(self, call_id: str) -> IvrSession | None:
        """The stored call, if any (as the same model the database store returns)."""
        data = await self._redis.hgetall(self._key(call_id))
        if not data:
            return None
        return IvrSession(
            call_id=call_id,
            seq=int(data.get("seq", 0)),
            claimed_seq=int(data.get("claimed_seq", 0)),
            state=str(data.get("state", "")),
            last_response=str(data.get("last_response", "")),
            media_input=str(data.get("media_input", "")),
        )

    async def save(self, call_id: str, *, seq: int, state: str, response: str) -> None:
        """Record turn ``seq + 1`` as served, with the state it leaves."""
        fields: dict[FieldT, EncodableT] = {
            "seq": seq + 1,
            "state": state,
            "last_response": response,
        }
        await self._redis.hset(self._key(call_id), mapping=fields)

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
