"""The status lifecycle of a request: which changes are legal.

received → assigned → in progress → answered → closed, plus reassigned and rejected.
An answered request goes back to in progress when the citizen says it was not solved.

    >>> check_transition(Status.RECEIVED, Status.ASSIGNED)
    >>> check_transition(Status.CLOSED, Status.IN_PROGRESS)
    Traceback (most recent call last):
    ...
    models.errors.IllegalTransition: No se puede pasar una solicitud de «cerrada» a «en proceso».
"""

from __future__ import annotations

from models.errors import IllegalTransition
from models.requests import Status

_WORKING = {Status.IN_PROGRESS, Status.REASSIGNED, Status.ANSWERED, Status.REJECTED}

ALLOWED: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.ASSIGNED, Status.REJECTED}),
    Status.ASSIGNED: frozenset(_WORKING),
    Status.REASSIGNED: frozenset(_WORKING),
    Status.IN_PROGRESS: frozenset(_WORKING - {Status.IN_PROGRESS}),
    Status.ANSWERED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset(),
    Status.REJECTED: frozenset(),
}

STATUS_LABELS: dict[Status, str] = {
    Status.RECEIVED: "recibida",
    Status.ASSIGNED: "turnada",
    Status.REASSIGNED: "returnada",
    Status.IN_PROGRESS: "en proceso",
    Status.ANSWERED: "atendida",
    Status.CLOSED: "cerrada",
    Status.REJECTED: "improcedente",
}

OPEN_STATUSES = frozenset(s for s, nxt in ALLOWED.items() if nxt) - {Status.ANSWERED}


def check_transition(current: str, target: str) -> None:
    """Refuse a status change the lifecycle does not allow."""
    source, destination = Status(current), Status(target)
    if destination not in ALLOWED[source]:
        raise IllegalTransition(
            f"No se puede pasar una solicitud de «{STATUS_LABELS[source]}» "
            f"a «{STATUS_LABELS[destination]}»."
        )
