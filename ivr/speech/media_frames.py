"""Twilio Media Streams' messages, parsed at the edge into typed frames.

Twilio sends ``connected``, ``start``, ``media``, ``dtmf``, ``mark`` and ``stop`` as JSON text
frames (fields it adds later are ignored). Anything else (not JSON, an unknown event, a field
of the wrong type, a payload that is not base64, a frame too long) raises
:class:`MalformedFrame` with a short reason, never a traceback::

    >>> parse_frame('{"event": "dtmf", "dtmf": {"digit": "5"}}').dtmf.digit
    '5'
    >>> parse_frame('{"event": "media", "media": {"payload": "/w=="}}').media.audio
    b'\\xff'
    >>> parse_frame('{"event": "media", "media": {"payload": "??"}}')
    Traceback (most recent call last):
    ...
    ivr.speech.media_frames.MalformedFrame: media.payload: Value error, not base64
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

CALL_SID = r"^CA[0-9a-fA-F]{32}$"
MAX_FRAME_CHARS = 8192  # a 20 ms frame is ~300 characters, a start with parameters ~1 KB
MAX_PAYLOAD_CHARS = 4096  # base64 of ~3 KB of μ-law: far more than one 20 ms frame (160 B)
Short = Annotated[str, Field(max_length=256)]


class MalformedFrame(Exception):
    """A message that is not one of Twilio's (``str(error)`` says why, in one line)."""


class Frame(BaseModel):
    """Fields every message shares; unknown ones are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class StartInfo(Frame):
    call_sid: str = Field(alias="callSid", pattern=CALL_SID)
    custom_parameters: dict[Short, Short] = Field(
        default_factory=dict, alias="customParameters", max_length=20
    )


class Media(Frame):
    payload: str = Field(max_length=MAX_PAYLOAD_CHARS)

    @field_validator("payload")
    @classmethod
    def _base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except binascii.Error as error:
            raise ValueError("not base64") from error
        return value

    @property
    def audio(self) -> bytes:
        """The μ-law bytes."""
        return base64.b64decode(self.payload)


class Dtmf(Frame):
    digit: str = Field(pattern=r"^[0-9*#]$")


class Connected(Frame):
    event: Literal["connected"]


class Start(Frame):
    event: Literal["start"]
    start: StartInfo


class MediaFrame(Frame):
    event: Literal["media"]
    media: Media


class DtmfFrame(Frame):
    event: Literal["dtmf"]
    dtmf: Dtmf


class Mark(Frame):
    event: Literal["mark"]


class Stop(Frame):
    event: Literal["stop"]


AnyFrame = Annotated[
    Connected | Start | MediaFrame | DtmfFrame | Mark | Stop, Field(discriminator="event")
]
FRAMES: TypeAdapter[Connected | Start | MediaFrame | DtmfFrame | Mark | Stop] = TypeAdapter(
    AnyFrame
)


def parse_frame(text: str) -> Connected | Start | MediaFrame | DtmfFrame | Mark | Stop:
    """One Twilio message, or :class:`MalformedFrame`."""
    if len(text) > MAX_FRAME_CHARS:
        raise MalformedFrame(f"frame of {len(text)} characters")
    try:
        return FRAMES.validate_json(text)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"][1:]) or "frame"
        raise MalformedFrame(f"{where}: {first['msg']}"[:200]) from None
