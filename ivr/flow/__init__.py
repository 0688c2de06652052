"""The IVR call flow, written once and driven by both fronts (Twilio webhooks, Asterisk FastAGI).

The contract:

* ``CallFlow.start(CallInfo) -> (CallState, Turn)`` greets a new call.
* ``CallFlow.handle(CallState, CallerInput) -> (CallState, Turn)`` applies what the caller
  keyed or said at the current step.
* ``CallFlow.hangup(CallState)`` records that the call ended (a request is only registered at
  the very end of the registration branch, in one transaction, so a hang-up leaves nothing
  half-written).
* A ``Turn`` is ``actions`` (``Say`` of ``Prompt``/``Digits``/``Number``/``DateSpoken`` parts)
  followed by exactly one of ``Gather`` (wait for keys and/or speech), ``Transfer`` (to an
  agent queue, with a ``HandoffContext``) or ``Hangup``.
* ``CallState`` is a JSON-serialisable pydantic model; the Twilio front stores it between
  webhooks, the Asterisk front keeps it for the AGI connection.

Every error inside the flow takes the single path to a human ("le comunico con un asesor"),
logged with its traceback. The caller can press 0 (or ask for "un asesor") at any step; silence
and invalid input are re-prompted, and the third failure at one step goes to an agent.

Steps: ``menu`` → ``describe`` → ``confirm_category`` | ``choose_category`` → ``alcaldia`` →
``confirm_place`` → ``reference`` → ``registered``; ``category_keys`` (the key menu) instead of
the description for a caller who presses a key there, cannot be heard (``CallInfo.speech``
False) or whose description failed; ``menu`` → ``folio`` → ``status_read``;
``callback_offer`` before a long wait; ``done``.
"""

from ivr.flow.common import Retry, ToAgent
from ivr.flow.directory import Directory
from ivr.flow.engine import CallFlow, FlowOptions
from ivr.flow.state import CallState, Candidate, Step
from ivr.flow.steps import (
    CallerInput,
    CallInfo,
    DateSpoken,
    Digits,
    Gather,
    HandoffContext,
    Hangup,
    Number,
    Part,
    Prompt,
    Say,
    Transfer,
    Turn,
)

__all__ = [
    "CallFlow",
    "CallInfo",
    "CallState",
    "CallerInput",
    "Candidate",
    "DateSpoken",
    "Digits",
    "Directory",
    "FlowOptions",
    "Gather",
    "HandoffContext",
    "Hangup",
    "Number",
    "Part",
    "Prompt",
    "Retry",
    "Say",
    "Step",
    "ToAgent",
    "Transfer",
    "Turn",
]
