"""The hand-off context: what the IVR learned about a call, for the agent who takes it.

One typed model, carried by both fronts (Asterisk channel variables, Twilio SIP headers or the
call record) and stored by the call recorder under the call id, where a screen pop finds it::

    >>> context = HandoffContext(caller="+525512345678", path=["menu", "describe"],
    ...     categories=[CategoryGuess(code="AGU-001", name="Falta de agua", confidence=0.82)],
    ...     alcaldia="Iztapalapa", reason="el ciudadano pidió un asesor")
    >>> context.top_category
    'AGU-001'
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from models.calls import CallRecord
from models.db import session_scope


class CategoryGuess(BaseModel):
    """One category the classifier proposed, with its confidence (0–1)."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str = ""
    tema: str = ""
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)


class HandoffContext(BaseModel):
    """What the IVR learned, handed to the agent who takes the call."""

    model_config = ConfigDict(frozen=True)

    caller: str = ""
    path: list[str] = Field(default_factory=list)
    transcript: list[str] = Field(default_factory=list)
    categories: list[CategoryGuess] = Field(default_factory=list)
    alcaldia: str | None = None
    colonia: str | None = None
    reference: str | None = None
    folio: str | None = None  # the folio this call registered
    queried_folio: str | None = None  # a folio whose status the caller heard (not this call's)
    reason: str = ""

    @property
    def top_category(self) -> str:
        """The code of the most likely category, or ``""``."""
        return self.categories[0].code if self.categories else ""


def handoff_for(engine: Engine, call_id: str) -> HandoffContext | None:
    """The hand-off context stored for ``call_id`` (None when the call was not handed over)."""
    with session_scope(engine, readonly=True) as session:
        record = session.get(CallRecord, call_id)
        if record is None or record.handoff is None:
            return None
        return HandoffContext.model_validate(record.handoff)
