"""The lifecycle table: every legal move is allowed, every other one refused with a reason."""

from __future__ import annotations

import itertools

import pytest

from models.errors import IllegalTransition
from models.lifecycle import ALLOWED, OPEN_STATUSES, STATUS_LABELS, check_transition
from models.requests import Status

LEGAL = {
    (Status.RECEIVED, Status.ASSIGNED),
    (Status.RECEIVED, Status.REJECTED),
    *(
        (s, t)
        for s in (Status.ASSIGNED, Status.REASSIGNED)
        for t in (Status.IN_PROGRESS, Status.REASSIGNED, Status.ANSWERED, Status.REJECTED)
    ),
    (Status.IN_PROGRESS, Status.ANSWERED),
    (Status.IN_PROGRESS, Status.REASSIGNED),
    (Status.IN_PROGRESS, Status.REJECTED),
    (Status.ANSWERED, Status.CLOSED),
    (Status.ANSWERED, Status.IN_PROGRESS),
}


@pytest.mark.parametrize(("source", "target"), list(itertools.product(Status, Status)))
def test_transition_table(source: Status, target: Status) -> None:
    if (source, target) in LEGAL:
        check_transition(source, target)
    else:
        with pytest.raises(IllegalTransition) as caught:
            check_transition(source, target)
        assert STATUS_LABELS[source] in caught.value.message


def test_terminal_and_open_statuses() -> None:
    assert not ALLOWED[Status.CLOSED] and not ALLOWED[Status.REJECTED]
    assert Status.ANSWERED not in OPEN_STATUSES and Status.RECEIVED in OPEN_STATUSES
