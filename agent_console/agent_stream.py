"""The signed-in agent's live stream: only what concerns the agent's own phone.

- ``estado`` — ``{state, label, reason, queue, since}``: at once with the current state, then
  on every change the telephony side reports (``AgentStateChanged``, or the agent in a
  ``QueueSnapshot``);
- ``llamada`` — ``{call_id, queue, event}``: ``connected`` when a call is put through to the
  phone, ``ended`` when that call ends. Nothing about other agents' callers is sent::

    async for message in agent_messages(hub, phone="PJSIP/1001", transport="asterisk",
                                        queue="locatel", current=desk.status):
        ...   # {"event": "estado", "data": "{...}"}
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from agent_console.live import LiveHub
from models.agent_status import AgentStatus, follow
from models.events import (
    AgentStateChanged,
    CallConnected,
    CallEnded,
    CallTransport,
    Event,
    QueueSnapshot,
)


def _message(name: str, data: dict[str, Any]) -> dict[str, str]:
    return {"event": name, "data": json.dumps(data, ensure_ascii=False)}


async def agent_messages(
    hub: LiveHub,
    *,
    phone: str,
    transport: CallTransport,
    queue: str,
    current: Callable[[], Awaitable[AgentStatus]],
) -> AsyncIterator[dict[str, str]]:
    """The stream's messages (sse-starlette's dict form), from now until the client leaves."""
    calls: dict[str, str] = {}  # call id → queue, of the calls put through to the phone

    def wanted(event: Event) -> bool:
        if isinstance(event, AgentStateChanged):
            return event.agent == phone
        if isinstance(event, QueueSnapshot):
            listed = any(m.agent == phone for m in event.members)
            return event.transport == transport and (event.queue == queue or listed)
        if isinstance(event, CallConnected) and event.agent == phone:
            calls[event.call_id] = event.queue  # noted here, so its end is never filtered out
            return True
        return isinstance(event, CallEnded) and event.call_id in calls

    async with hub.listen(wanted) as events:
        status = await current()  # read once listening, so no change falls in between
        yield _message("estado", status.as_json())
        async for event in events:
            if isinstance(event, CallConnected):
                yield _message(
                    "llamada",
                    {"call_id": event.call_id, "queue": event.queue, "event": "connected"},
                )
            elif isinstance(event, CallEnded):
                ended = {
                    "call_id": event.call_id,
                    "queue": calls.pop(event.call_id, ""),
                    "event": "ended",
                }
                yield _message("llamada", ended)
            else:
                known = status if status.state != "unknown" else None
                new = follow(known, phone, event, transport=transport, home_queue=queue)
                if new is not None:
                    status = new
                    yield _message("estado", status.as_json())
