"""Calls as the fronts report them, for the abandoned-callers tests: each helper returns the
events of one call, written to its record by the call recorder's own code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from sqlalchemy import Engine

from models.call_records import write_events
from models.config import AsteriskServer, AsteriskSettings, IvrSettings, Settings, TwilioSettings
from models.db_types import utcnow
from models.events import (
    BaseEvent,
    CallAbandoned,
    CallConnected,
    CallEnded,
    CallHandedOver,
    CallQueued,
    CallStarted,
    CallTransport,
)
from models.handoff import HandoffContext

QUEUE = "locatel"
ZONE = ZoneInfo("America/Mexico_City")


def earlier_today(minutes: float) -> datetime:
    """``minutes`` ago, or the City's midnight when that was yesterday (the lists are today's)."""
    today = datetime.now(ZONE).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(utcnow() - timedelta(minutes=minutes), today.astimezone(UTC))


def _at(start: datetime, seconds: float) -> datetime:
    return start + timedelta(seconds=seconds)


def abandoned(
    call_id: str,
    caller: str,
    *,
    start: datetime | None = None,
    wait: float = 95.0,
    transport: CallTransport = "asterisk",
    reason: str = "",
) -> list[BaseEvent]:
    """A caller handed to the queue who hung up after ``wait`` seconds."""
    start = start or earlier_today(10)
    context = HandoffContext(caller=caller, path=["menu"], reason=reason)
    return [
        CallStarted(call_id=call_id, transport=transport, caller=caller, occurred_at=_at(start, 0)),
        CallHandedOver(call_id=call_id, queue=QUEUE, context=context, occurred_at=_at(start, 20)),
        CallQueued(call_id=call_id, queue=QUEUE, position=3, occurred_at=_at(start, 21)),
        CallAbandoned(
            call_id=call_id, queue=QUEUE, wait_seconds=wait, occurred_at=_at(start, 21 + wait)
        ),
        CallEnded(
            call_id=call_id,
            status="abandoned",
            ended_by="caller",
            occurred_at=_at(start, 22 + wait),
        ),
    ]


def answered(
    call_id: str,
    caller: str,
    *,
    start: datetime | None = None,
    called: str = "0311",
    transport: CallTransport = "asterisk",
) -> list[BaseEvent]:
    """A call an agent answered after a short wait."""
    start = start or earlier_today(2)
    return [
        CallStarted(
            call_id=call_id,
            transport=transport,
            caller=caller,
            called=called,
            occurred_at=_at(start, 0),
        ),
        CallQueued(call_id=call_id, queue=QUEUE, position=1, occurred_at=_at(start, 15)),
        CallConnected(call_id=call_id, queue=QUEUE, agent="PJSIP/1001", occurred_at=_at(start, 30)),
    ]


def timed_out(call_id: str, caller: str, *, start: datetime | None = None) -> list[BaseEvent]:
    """A caller the queue gave up on (no abandon: the queue's time-out ended the call)."""
    start = start or earlier_today(8)
    return [
        CallStarted(
            call_id=call_id, transport="asterisk", caller=caller, occurred_at=_at(start, 0)
        ),
        CallQueued(call_id=call_id, queue=QUEUE, position=2, occurred_at=_at(start, 15)),
        CallEnded(
            call_id=call_id, status="unanswered", ended_by="system", occurred_at=_at(start, 900)
        ),
    ]


def booked_callback(call_id: str, caller: str, *, start: datetime | None = None) -> list[BaseEvent]:
    """A Twilio caller who chose the IVR's call-back and hung up (its ``callback_request`` is
    written by :func:`ivr.twilio.callbacks.CallbackQueue.request_callback`)."""
    start = start or earlier_today(6)
    return [
        CallStarted(call_id=call_id, transport="twilio", caller=caller, occurred_at=_at(start, 0)),
        CallQueued(
            call_id=call_id, queue=f"{QUEUE}:devolucion", position=1, occurred_at=_at(start, 40)
        ),
        CallEnded(
            call_id=call_id, status="completed", ended_by="caller", occurred_at=_at(start, 45)
        ),
    ]


def record(engine: Engine, *calls: list[BaseEvent]) -> None:
    """Write the calls' records as the recorder does."""
    write_events(engine, [event for call in calls for event in call])


PUBLIC = "https://locatel.example.mx"
TOKEN = "test-auth-token"
CITY = "+525556581111"


def both_fronts(
    data_dir: Path, *, ami_port: int, ami_secret: str, twilio_url: str, public: str = PUBLIC
) -> Settings:
    """Embedded defaults with both fronts: the scripted AMI peer and a local Twilio API, and
    the City's number for call-backs (``public``: an http URL keeps the cookies plain)."""
    server = AsteriskServer(name="locatel", port=ami_port, secret=SecretStr(ami_secret))
    return Settings(
        data_dir=data_dir,
        public_base_url=public,
        twilio=TwilioSettings(
            account_sid="AC" + "1" * 32, auth_token=SecretStr(TOKEN), api_base_url=twilio_url
        ),
        ivr=IvrSettings(callback_from=CITY),
        asterisk=AsteriskSettings(
            servers=[server],
            agi_port=0,
            speech="dtmf",
            action_timeout_seconds=3,
            prompts_dir=str(data_dir / "voz"),
            recordings_dir=str(data_dir / "grabaciones"),
        ),
        _env_file=None,
    )
