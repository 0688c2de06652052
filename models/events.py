"""The one typed event schema for everything that happens in the contact centre.

Calls, queues, agents and requests publish these events on the bus; consoles, metrics and
storage consume them. Events are pydantic models tagged by ``type`` so any process can
decode them from JSON::

    >>> event = RequestRegistered(folio="2600012349", catalogue_code="AGU-001",
    ...     channel="agent", status="assigned")
    >>> decode_event(event.model_dump_json()).folio
    '2600012349'
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from models.handoff import HandoffContext

CallTransport = Literal["asterisk", "twilio"]
EndedBy = Literal["", "caller", "agent", "system"]
IVR_ENTRY = "ivr"  # the ``CallIvrStep.step`` a transport reports when a call enters the IVR


def _now() -> datetime:
    return datetime.now(UTC)


class BaseEvent(BaseModel):
    """Fields every event carries."""

    model_config = ConfigDict(frozen=True)

    event_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    occurred_at: datetime = Field(default_factory=_now)
    source: str = ""


# --- calls -----------------------------------------------------------------------------------


class CallStarted(BaseEvent):
    """A call arrived (from the trunk or a Twilio number)."""

    type: Literal["call.started"] = "call.started"
    call_id: str
    transport: CallTransport
    caller: str = ""
    called: str = ""


class CallIvrStep(BaseEvent):
    """The IVR moved a call to a new step of the call flow (``IVR_ENTRY``: it entered the IVR)."""

    type: Literal["call.ivr_step"] = "call.ivr_step"
    call_id: str
    step: str


class CallSpeechResult(BaseEvent):
    """A caller's utterance was transcribed (and possibly classified)."""

    type: Literal["call.speech_result"] = "call.speech_result"
    call_id: str
    transcript: str
    confidence: float | None = None
    engine: str = ""


class CallQueued(BaseEvent):
    """A call joined an agent queue."""

    type: Literal["call.queued"] = "call.queued"
    call_id: str
    queue: str
    position: int | None = None


class CallHandedOver(BaseEvent):
    """The IVR handed a call to an agent with what it learned."""

    type: Literal["call.handed_over"] = "call.handed_over"
    call_id: str
    queue: str
    context: HandoffContext = Field(default_factory=HandoffContext)


class CallAgentRinging(BaseEvent):
    """An agent's phone rings for a queued call (``answered=False`` when it rang out)."""

    type: Literal["call.agent_ringing"] = "call.agent_ringing"
    call_id: str
    queue: str
    agent: str
    answered: bool | None = None


class CallConnected(BaseEvent):
    """An agent answered a queued call."""

    type: Literal["call.connected"] = "call.connected"
    call_id: str
    queue: str
    agent: str
    wait_seconds: float | None = None


class CallHeld(BaseEvent):
    """A call was put on hold or taken off hold."""

    type: Literal["call.held"] = "call.held"
    call_id: str
    on_hold: bool


class CallTransferred(BaseEvent):
    """A call was transferred."""

    type: Literal["call.transferred"] = "call.transferred"
    call_id: str
    target: str


class CallAbandoned(BaseEvent):
    """The caller hung up while waiting in a queue."""

    type: Literal["call.abandoned"] = "call.abandoned"
    call_id: str
    queue: str
    position: int | None = None
    wait_seconds: float | None = None


QueueExitReason = Literal["timeout", "empty", "key", "left"]


class CallLeftQueue(BaseEvent):
    """A call left a queue unanswered while the caller stayed on the line: the queue's
    maximum wait passed (``timeout``), no agent was left (``empty``), the caller pressed an
    exit key (``key``) or it was taken out on purpose (``left``). Never an abandon."""

    type: Literal["call.left_queue"] = "call.left_queue"
    call_id: str
    queue: str
    reason: QueueExitReason
    position: int | None = None
    wait_seconds: float | None = None


class CallRecordingStarted(BaseEvent):
    """A call's recording started, after the caller heard the notice (``path`` on the PBX)."""

    type: Literal["call.recording_started"] = "call.recording_started"
    call_id: str
    path: str


class CallEnded(BaseEvent):
    """A call ended (``ended_by`` when the transport tells which side hung up)."""

    type: Literal["call.ended"] = "call.ended"
    call_id: str
    cause: str = ""
    duration_seconds: float | None = None
    status: str = ""
    ended_by: EndedBy = ""


class CallWrappedUp(BaseEvent):
    """The agent closed the call's after-call work (the console's wrap-up form)."""

    type: Literal["call.wrapped_up"] = "call.wrapped_up"
    call_id: str
    agent: str
    disposition: str
    notes: str = ""
    wrapup_seconds: float | None = None  # from the call's end to the form's submission


class SpyEnded(BaseEvent):
    """A supervisor's listening channel (listen, whisper or barge) hung up."""

    type: Literal["spy.ended"] = "spy.ended"
    channel_id: str
    cause: str = ""


# --- agents and queues -----------------------------------------------------------------------

AgentState = Literal["logged_out", "available", "paused", "ringing", "in_use", "unavailable"]


class AgentStateChanged(BaseEvent):
    """An agent's state in a queue changed."""

    type: Literal["agent.state"] = "agent.state"
    agent: str
    queue: str = ""
    state: AgentState
    reason: str = ""


class QueuedCaller(BaseModel):
    """A caller waiting in a queue (``position`` 1 is next)."""

    model_config = ConfigDict(frozen=True)

    call_id: str
    caller: str = ""
    position: int
    since: datetime
    wait_seconds: float


class QueueMember(BaseModel):
    """An agent (phone) in a queue: state, pause reason, and since when."""

    model_config = ConfigDict(frozen=True)

    agent: str
    name: str = ""
    state: AgentState
    reason: str = ""
    since: datetime
    seconds_in_state: float


class QueueSnapshot(BaseEvent):
    """A queue's live state, Asterisk's or Twilio's alike: figures, callers and members."""

    type: Literal["queue.snapshot"] = "queue.snapshot"
    queue: str
    transport: CallTransport = "asterisk"
    waiting: int = 0
    available_agents: int = 0
    logged_in_agents: int = 0
    longest_wait_seconds: float = 0.0
    callers: list[QueuedCaller] = Field(default_factory=list)
    members: list[QueueMember] = Field(default_factory=list)


# --- requests --------------------------------------------------------------------------------


class RequestRegistered(BaseEvent):
    """A request was registered and its folio issued."""

    type: Literal["request.registered"] = "request.registered"
    folio: str
    catalogue_code: str
    channel: str
    status: str
    authority_code: str | None = None
    alcaldia: str | None = None
    due_at: datetime | None = None
    call_id: str | None = None
    folio_sms: bool = False  # the citizen left a mobile number for the folio (never the number)


class RequestStatusChanged(BaseEvent):
    """A request changed status (or authority)."""

    type: Literal["request.status_changed"] = "request.status_changed"
    folio: str
    from_status: str
    to_status: str
    actor: str
    authority_code: str | None = None
    note: str = ""


class MessageStatusChanged(BaseEvent):
    """An outbound SMS or WhatsApp message changed delivery status."""

    type: Literal["message.status"] = "message.status"
    message_sid: str
    status: str
    folio: str | None = None


class ReferenceDataChanged(BaseEvent):
    """The catalogue, the authorities or the primary roads changed: every process reloads what
    it keeps of them."""

    type: Literal["reference_data.changed"] = "reference_data.changed"
    what: Literal["catalogue", "authorities", "primary_roads"]


Event = Annotated[
    CallStarted
    | CallIvrStep
    | CallSpeechResult
    | CallQueued
    | CallHandedOver
    | CallAgentRinging
    | CallConnected
    | CallHeld
    | CallTransferred
    | CallAbandoned
    | CallLeftQueue
    | CallRecordingStarted
    | CallEnded
    | CallWrappedUp
    | SpyEnded
    | AgentStateChanged
    | QueueSnapshot
    | RequestRegistered
    | RequestStatusChanged
    | MessageStatusChanged
    | ReferenceDataChanged,
    Field(discriminator="type"),
]

_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def decode_event(data: str | bytes) -> Event:
    """Decode one event from its JSON form."""
    return _ADAPTER.validate_json(data)
