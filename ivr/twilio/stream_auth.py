"""Binding a media stream to the call and turn Twilio started it for.

The WebSocket handshake's ``X-Twilio-Signature`` covers only the stream's URL, the same for
every call, so it cannot tell calls apart. Each ``<Stream>`` therefore carries a ``token``
custom parameter: an HMAC of the call SID and the turn with a key derived from
``SUAC_SECRET_KEY``. Twilio hands it back in the ``start`` message, and the stream is admitted
only if the token matches the ``callSid`` of that message, the call is stored, is at that turn,
and has not ended::

    token = stream_token(secret, "CA…", 3)               # rendered into the <Stream>
    reason = await StreamAdmission(secret=secret, store=store).refusal("CA…", 3, token)
    # None: admitted; otherwise why it was refused ("token", "unknown call", …)
"""

from __future__ import annotations

import hashlib
import hmac

from ivr.flow.state import CallState
from ivr.twilio.call_store import CallStore
from ivr.twilio.redis_store import RedisCallStore

PURPOSE = b"twilio-media-stream"  # the key is derived, so it signs nothing else


def stream_token(secret: str, call_sid: str, seq: int) -> str:
    """The token of call ``call_sid``'s stream at turn ``seq`` (64 hex digits)::

        >>> stream_token("secreto", "CA" + "1" * 32, 3)[:16]
        'e2721148be7c4000'
    """
    key = hmac.new(secret.encode(), PURPOSE, hashlib.sha256).digest()
    return hmac.new(key, f"{call_sid}:{seq}".encode(), hashlib.sha256).hexdigest()


class StreamAdmission:
    """Decides whether a stream's ``start`` message belongs to a live call's current turn."""

    def __init__(self, *, secret: str, store: CallStore | RedisCallStore) -> None:
        self._secret = secret
        self._store = store

    async def refusal(self, call_sid: str, seq: int, token: str) -> str | None:
        """Why the stream may not run (``None``: it may)."""
        if not hmac.compare_digest(stream_token(self._secret, call_sid, seq), token):
            return "token"
        row = await self._store.load(call_sid)
        if row is None:
            return "unknown call"
        if row.seq != seq:
            return f"turn {seq} is not the call's current turn ({row.seq})"
        if CallState.model_validate_json(row.state).ended:
            return "call ended"
        return None
