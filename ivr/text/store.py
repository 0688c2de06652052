"""Each sender's conversation, kept in the call store (the database, or Redis) like a call.

One row per sender, ``text:<sender>`` (``text:+5255…``, ``text:whatsapp:+52…``), holds the
flow's state, the last message served and when it came. The call store's claims make the
messages of one sender be answered one at a time, in order; a retried webhook (the same
``MessageSid``) gets the stored reply again, so nothing is registered twice; a conversation
finished by the flow or idle for longer than ``idle`` is forgotten, and the next message
starts a new one::

    conversations = ConversationStore(store=CallStore(engine=engine), idle=timedelta(minutes=30))
    reply = await conversations.serve("+5255…", "SM…", answer)  # answer(state | None)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field

from ivr.flow.state import CallState
from ivr.twilio.call_store import CallStore
from ivr.twilio.redis_store import RedisCallStore

KEY_PREFIX = "text:"
ATTEMPTS = 4  # turns of other messages of the same sender waited for before giving up
RECENT = 5  # messages whose replies are kept for a retried webhook

Answer = Callable[[CallState | None], Awaitable[tuple[CallState, str]]]


class ConversationBusy(Exception):
    """Other messages of the sender kept the conversation busy: this one was not answered."""


class Conversation(BaseModel):
    """What is stored for a sender between two messages."""

    state: CallState
    answered: list[tuple[str, str]] = Field(default_factory=list)  # (MessageSid, reply), last
    last_at: datetime

    def reply_to(self, message_sid: str) -> str | None:
        """The reply already given to ``message_sid``, if it is one of the last answered."""
        return next((reply for sid, reply in self.answered if sid == message_sid), None)


class ConversationStore:
    """Keeps conversations by sender and serves their messages one at a time."""

    def __init__(
        self,
        *,
        store: CallStore | RedisCallStore,
        idle: timedelta,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._idle = idle
        self.clock = clock  # what time it is (tests move it)

    def _live(self, raw: str) -> Conversation | None:
        """The stored conversation, unless it finished or went idle."""
        kept = Conversation.model_validate_json(raw)
        idle = self.clock() - kept.last_at > self._idle
        return None if kept.state.finished or idle else kept

    def _kept(
        self, state: CallState, answered: list[tuple[str, str]], message_sid: str, reply: str
    ) -> str:
        recent = [*answered, (message_sid, reply)][-RECENT:] if message_sid else answered
        return Conversation(state=state, answered=recent, last_at=self.clock()).model_dump_json()

    async def current(self, sender: str) -> Conversation | None:
        """The sender's live conversation, if any."""
        row = await self._store.load(KEY_PREFIX + sender)
        return self._live(row.state) if row is not None and row.state else None

    async def serve(self, sender: str, message_sid: str, answer: Answer) -> str:
        """The reply to one message: ``answer`` gets the live state (None: start one).

        When ``answer`` fails the claim is released with the conversation finished, so the
        sender's next message starts afresh instead of waiting on it.
        """
        key = KEY_PREFIX + sender
        for _ in range(ATTEMPTS):
            row = await self._store.load(key)
            if row is None:
                state, reply = await answer(None)
                kept = self._kept(state, [], message_sid, reply)
                if await self._store.create(key, state=kept, response=reply) == reply:
                    return reply
                continue  # another first message of this sender was stored first
            served = Conversation.model_validate_json(row.state).reply_to(message_sid)
            if message_sid and served is not None:
                return served
            claim = await self._store.claim(key, seq=row.seq)
            if claim.state is None:
                continue  # another message of this sender is being answered: then this one
            previous = Conversation.model_validate_json(claim.state)
            try:
                live = self._live(claim.state)
                state, reply = await answer(live.state if live is not None else None)
            except BaseException:
                ended = previous.model_copy(update={"state": previous.state.with_(finished=True)})
                await self._store.save(
                    key, seq=row.seq, state=ended.model_dump_json(), response=row.last_response
                )
                raise
            kept = self._kept(state, previous.answered, message_sid, reply)
            await self._store.save(key, seq=row.seq, state=kept, response=reply)
            return reply
        raise ConversationBusy(sender)
