"""The narrow interfaces the call flow needs from the rest of the system.

The classifier is built by its own package (``ivr.classifier``); the flow depends only on the
shape of its answer, so either front can run it with the real one or a test double.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, Protocol

from models.events import BaseEvent

if TYPE_CHECKING:
    from ivr.flow.steps import HandoffContext


class CandidateLike(Protocol):
    """One category proposed by the classifier."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def tema(self) -> str: ...
    @property
    def confidence(self) -> float: ...


class ClassificationLike(Protocol):
    """The classifier's verdict on one utterance.

    The alcaldía and colonia are read from ``.alcaldia``/``.colonia`` or, as the real
    classifier has them, from ``.place.alcaldia``/``.place.colonia``.
    """

    @property
    def candidates(self) -> Sequence[CandidateLike]: ...
    @property
    def decision(self) -> str: ...


class ClassifierLike(Protocol):
    """``Classifier.classify(text)`` (sync or async)."""

    def classify(self, text: str) -> ClassificationLike | Awaitable[ClassificationLike]:
        """Classify a caller's description of their problem."""


class MessageReach(Protocol):
    """Whether a caller's number can receive the folio by text message (sent by a job)."""

    def can_receive(self, phone: str) -> bool:
        """True when ``phone`` can receive a text message."""


class EventPublisher(Protocol):
    """The notifier: the one way events leave the flow."""

    async def publish(self, event: BaseEvent) -> None:
        """Publish ``event`` (never raises; kept for later when the bus is down)."""


class WaitEstimator(Protocol):
    """How long a new caller would wait in an agent queue."""

    async def expected_wait_seconds(self, queue: str) -> float | None:
        """The expected wait, or None when unknown."""


class CallbackBook(Protocol):
    """Keeps a caller's place in line and calls them back when their turn comes."""

    async def request_callback(
        self, *, call_id: str, phone: str, queue: str, context: HandoffContext
    ) -> None:
        """Record a call-back for ``phone`` in ``queue``."""
