"""The state of one call in the flow: JSON-serialisable, so any worker can serve the next step.

>>> state = CallState(call_id="CA1", transport="twilio")
>>> CallState.model_validate_json(state.model_dump_json()).step
'menu'
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class Step(StrEnum):
    """Where a call is waiting for the caller."""

    MENU = "menu"
    DESCRIBE = "describe"
    CONFIRM_CATEGORY = "confirm_category"
    CHOOSE_CATEGORY = "choose_category"
    CATEGORY_KEYS = "category_keys"
    ALCALDIA = "alcaldia"
    CONFIRM_PLACE = "confirm_place"
    REFERENCE = "reference"
    REGISTERED = "registered"
    FOLIO = "folio"
    STATUS_READ = "status_read"
    CALLBACK_OFFER = "callback_offer"
    DONE = "done"


Transport = Literal["twilio", "asterisk", "sms", "whatsapp"]
VOICE: frozenset[Transport] = frozenset({"twilio", "asterisk"})  # calls, not conversations


class Candidate(BaseModel):
    """One category the classifier proposed."""

    code: str
    name: str
    tema: str = ""
    confidence: float = 0.0


class CallState(BaseModel):
    """Everything the flow remembers between two turns of one call."""

    call_id: str
    transport: Transport
    caller: str = ""
    called: str = ""
    speech: bool = True  # False: the front cannot hear this call, keys only
    step: Step = Step.MENU
    failures: int = 0
    descriptions: int = 0
    path: list[str] = Field(default_factory=list)
    transcript: list[str] = Field(default_factory=list)
    candidates: list[Candidate] = Field(default_factory=list)
    catalogue_code: str | None = None
    description: str = ""
    alcaldia: str | None = None
    colonia: str | None = None
    colonia_alcaldias: list[str] = Field(default_factory=list)  # where that colonia lies
    place_contradiction: bool = False  # the colonia is not in the alcaldía said with it
    place_refusals: int = 0  # "no" to the place read back
    reference: str | None = None
    folio: str | None = None
    queried_folio: str | None = None  # whose status the caller heard: never this call's folio
    due_date: str | None = None
    handoff_reason: str = ""
    finished: bool = False
    ended: bool = False

    def goto(self, step: Step) -> CallState:
        """A copy at ``step`` with the failure count reset (the path records the move)."""
        return self.model_copy(
            update={"step": step, "failures": 0, "path": [*self.path, step.value]}
        )

    def with_(self, **changes: object) -> CallState:
        """A copy with ``changes`` applied."""
        return self.model_copy(update=changes)
