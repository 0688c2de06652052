"""What the call flow tells a front to do, and what a front tells the flow the caller did.

Every value here is immutable; a front only translates them (TwiML for Twilio, AGI commands
for Asterisk). Example::

    >>> turn = Turn(actions=(Say((Prompt("despedida", "Gracias por llamar."),)),), then=Hangup())
    >>> turn.then.kind
    'hangup'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ivr.flow.state import Transport
from ivr.prompts import Prompt
from models.handoff import HandoffContext as HandoffContext  # re-exported for the fronts
from models.reference_audio import SpokenReference


@dataclass(frozen=True)
class Digits:
    """A string read digit by digit (a folio, a key)."""

    value: str


@dataclass(frozen=True)
class Number:
    """A whole number read as words ("veintitrés")."""

    value: int


@dataclass(frozen=True)
class DateSpoken:
    """A date read the way people say it ("el miércoles 3 de diciembre")."""

    value: date


Part = Prompt | Digits | Number | DateSpoken


@dataclass(frozen=True)
class Say:
    """Speech parts played one after another."""

    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Gather:
    """Play ``say`` and wait for keys and/or speech; ``keep_audio``: a front that can record
    the answer hands the recording over too (for a person, when no one can transcribe it)."""

    say: Say
    dtmf: bool = True
    speech: bool = False
    max_digits: int | None = 1
    finish_on_key: str | None = None
    timeout_seconds: int = 6
    speech_hints: tuple[str, ...] = ()
    keep_audio: bool = False
    kind: Literal["gather"] = "gather"


@dataclass(frozen=True)
class Transfer:
    """Hand the call to an agent queue with the context gathered so far."""

    queue: str
    context: HandoffContext
    call_id: str = ""
    kind: Literal["transfer"] = "transfer"


@dataclass(frozen=True)
class Hangup:
    """End the call."""

    kind: Literal["hangup"] = "hangup"


@dataclass(frozen=True)
class Turn:
    """What the flow answers each time: things to say, then one way to go on."""

    actions: tuple[Say, ...] = field(default_factory=tuple)
    then: Gather | Transfer | Hangup = field(default_factory=Hangup)


@dataclass(frozen=True)
class CallerInput:
    """What the caller did at the last gather (nothing at all when ``timed_out``).

    ``speech_seconds`` is how long the caller could have spoken (the recording's length, or the
    longest answer the front allows), when the front knows it; ``audio`` is the recorded answer
    of a gather that keeps it.
    """

    digits: str | None = None
    speech: str | None = None
    speech_confidence: float | None = None
    timed_out: bool = False
    speech_seconds: float | None = None
    audio: SpokenReference | None = None

    @property
    def empty(self) -> bool:
        """True when the caller neither keyed nor said anything (nor left a recording)."""
        recorded = self.audio is not None and self.audio.worth_keeping
        said = (self.digits or "").strip() or (self.speech or "").strip()
        return self.timed_out or not (said or recorded)


@dataclass(frozen=True)
class CallInfo:
    """The call as the front sees it when it arrives (``speech`` False: the front cannot
    hear this caller, e.g. Asterisk with ``speech = "dtmf"``, so every step asks for keys)."""

    call_id: str
    transport: Transport
    caller: str = ""
    called: str = ""
    speech: bool = True
