"""A place reference a caller said but no one could transcribe, kept as audio for a person.

A caller on a keys-only line, or one whose words the speech engine could not make out, still
says where the problem is. The request is registered with the recording attached, in the same
transaction; an agent (or the request's authority) listens to it on the folio's page and
types the reference. Asterisk's recordings arrive as WAV bytes; Twilio's stay on Twilio until a
job fetches them (``FETCH_JOB``), which then deletes them there. The audio is personal data: it
is played only to the roles that see the exact address, every play is logged, and the
retention sweep deletes it::

    spoken = SpokenReference(seconds=6.2, wav=b"RIFF…")
    await service.register(data, actor="ivr:asterisk", spoken_reference=spoken)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import LargeBinary
from sqlmodel import Field, Session, SQLModel, col, select

from models.db_types import UTCDateTime, utcnow
from models.jobs import JobSpec, enqueue

FETCH_JOB = "reference_audio.fetch"
SPOKEN_REFERENCE = "Referencia grabada por el ciudadano: escúchela en la consola y transcríbala."
"""The request's reference until a person types what the recording says."""
MIN_SECONDS = 1.0
"""A recording shorter than this holds no reference worth a person's time."""


@dataclass(frozen=True)
class SpokenReference:
    """The recording a front hands over: its bytes (Asterisk) or where to fetch them (Twilio)."""

    seconds: float
    wav: bytes | None = None
    source_url: str | None = None

    @property
    def worth_keeping(self) -> bool:
        """Long enough to hold words, and something to play or fetch."""
        return self.seconds >= MIN_SECONDS and bool(self.wav or self.source_url)


class ReferenceAudio(SQLModel, table=True):
    """The recorded reference of one request (at most one)."""

    __tablename__ = "reference_audio"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="service_request.id", unique=True)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    seconds: float = 0.0
    audio: bytes | None = Field(default=None, sa_type=LargeBinary)
    source_url: str | None = Field(default=None, max_length=500)
    transcribed_by: str | None = Field(default=None, max_length=64)
    transcribed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def attach(session: Session, request_id: int, folio: str, spoken: SpokenReference) -> None:
    """Keep ``spoken`` with the request inside the registration's transaction; audio still on
    Twilio gets its fetch job in the same transaction."""
    session.add(
        ReferenceAudio(
            request_id=request_id,
            seconds=round(spoken.seconds, 1),
            audio=spoken.wav,
            source_url=spoken.source_url if spoken.wav is None else None,
        )
    )
    if spoken.wav is None and spoken.source_url:
        enqueue(session, JobSpec(FETCH_JOB, {"folio": folio}, f"{FETCH_JOB}:{folio}"))


def recording_of(session: Session, request_id: int) -> ReferenceAudio | None:
    """The recorded reference of a request, if it has one."""
    statement = select(ReferenceAudio).where(col(ReferenceAudio.request_id) == request_id)
    return session.exec(statement).first()
